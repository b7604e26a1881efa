namespace MlNetExtensions.Transforms.Kernels;

/// <summary>Geometric kernels over a <see cref="PixelBuffer"/> (all planes transformed alike).</summary>
internal static class GeometryKernels
{
    /// <summary>Mirrors every row (left ↔ right), in place.</summary>
    public static void FlipHorizontal(PixelBuffer image)
    {
        int w = image.Width, h = image.Height;
        if (image.IsPacked)
        {
            var packed = image.Packed;
            for (int y = 0; y < h; y++) packed.Slice(y * w, w).Reverse();
            return;
        }
        for (int c = 0; c < image.Channels; c++)
        {
            var plane = image.Plane(c);
            for (int y = 0; y < h; y++) plane.Slice(y * w, w).Reverse();
        }
    }

    /// <summary>Mirrors every column (top ↔ bottom), in place.</summary>
    public static void FlipVertical(PixelBuffer image)
    {
        int w = image.Width, h = image.Height;
        if (image.IsPacked)
        {
            var packed = image.Packed;
            var dst = image.PackedScratch;
            for (int y = 0; y < h; y++) packed.Slice((h - 1 - y) * w, w).CopyTo(dst.Slice(y * w, w));
            image.SwapPacked();
            return;
        }
        for (int c = 0; c < image.Channels; c++)
        {
            var plane = image.Plane(c);
            for (int y = 0; y < h / 2; y++)
            {
                var top = plane.Slice(y * w, w);
                var bottom = plane.Slice((h - 1 - y) * w, w);
                for (int x = 0; x < w; x++) (top[x], bottom[x]) = (bottom[x], top[x]);
            }
        }
    }

    /// <summary>Moves the content by whole pixels: output(x, y) = input(x − dx, y − dy), with the border mode outside.</summary>
    public static void Translate(PixelBuffer image, int dx, int dy, BorderMode mode, float fill)
    {
        if (dx == 0 && dy == 0) return;
        int w = image.Width, h = image.Height;
        Span<int> columns = w <= 1024 ? stackalloc int[w] : new int[w];
        for (int x = 0; x < w; x++) columns[x] = Sampling.MapIndex(x - dx, w, mode);
        if (image.IsPacked)
        {
            // Packed pixels stay exact when the fill value is a whole byte level (0 and 1 are); otherwise go planar so
            // later operations see the fill value itself rather than its byte rounding.
            byte level = PixelConversion.ToByte(fill);
            if (mode != BorderMode.Constant || level * (1f / 255f) == fill)
            {
                var (ro, go, bo) = image.PackedOffsets;
                uint fillPixel = ((uint)level << (8 * ro)) | ((uint)level << (8 * go)) | ((uint)level << (8 * bo));
                TranslatePacked(image.Packed, image.PackedScratch, w, h, dx, dy, columns, mode, fillPixel);
                image.SwapPacked();
                return;
            }
        }
        for (int c = 0; c < image.Channels; c++)
        {
            ReadOnlySpan<float> src = image.Plane(c);
            var dst = image.ScratchPlane(c);
            for (int y = 0; y < h; y++)
            {
                int sy = Sampling.MapIndex(y - dy, h, mode);
                var row = dst.Slice(y * w, w);
                if (sy < 0) { row.Fill(fill); continue; }
                var srow = src.Slice(sy * w, w);
                if (mode == BorderMode.Constant && dx >= 0 && dx < w)
                {
                    row[..dx].Fill(fill);
                    srow[..(w - dx)].CopyTo(row[dx..]);
                }
                else if (mode == BorderMode.Constant && dx < 0 && -dx < w)
                {
                    srow[(-dx)..].CopyTo(row);
                    row[(w + dx)..].Fill(fill);
                }
                else
                {
                    for (int x = 0; x < w; x++) row[x] = columns[x] < 0 ? fill : srow[columns[x]];
                }
            }
        }
        image.Swap();
    }

    private static void TranslatePacked(ReadOnlySpan<uint> src, Span<uint> dst, int w, int h, int dx, int dy, ReadOnlySpan<int> columns, BorderMode mode, uint fill)
    {
        for (int y = 0; y < h; y++)
        {
            int sy = Sampling.MapIndex(y - dy, h, mode);
            var row = dst.Slice(y * w, w);
            if (sy < 0) { row.Fill(fill); continue; }
            var srow = src.Slice(sy * w, w);
            if (mode == BorderMode.Constant && dx >= 0 && dx < w)
            {
                row[..dx].Fill(fill);
                srow[..(w - dx)].CopyTo(row[dx..]);
            }
            else if (mode == BorderMode.Constant && dx < 0 && -dx < w)
            {
                srow[(-dx)..].CopyTo(row);
                row[(w + dx)..].Fill(fill);
            }
            else
            {
                for (int x = 0; x < w; x++) row[x] = columns[x] < 0 ? fill : srow[columns[x]];
            }
        }
    }

    /// <summary>
    /// Applies the affine map <c>out = A·(in − centre) + centre + t</c>, by sampling the input bilinearly at
    /// <c>A⁻¹·(out − centre − t) + centre</c>. (m00, m01, m10, m11) is A⁻¹.
    /// </summary>
    public static void AffineInverse(PixelBuffer image, float m00, float m01, float m10, float m11, float tx, float ty, BorderMode mode, float fill)
    {
        int w = image.Width, h = image.Height;
        float cx = (w - 1) * 0.5f, cy = (h - 1) * 0.5f;
        for (int c = 0; c < image.Channels; c++)
        {
            ReadOnlySpan<float> src = image.Plane(c);
            var dst = image.ScratchPlane(c);
            for (int y = 0; y < h; y++)
            {
                float oy = y - cy - ty;
                for (int x = 0; x < w; x++)
                {
                    float ox = x - cx - tx;
                    float sx = m00 * ox + m01 * oy + cx;
                    float sy = m10 * ox + m11 * oy + cy;
                    dst[y * w + x] = Sampling.Bilinear(src, w, h, sx, sy, mode, fill);
                }
            }
        }
        image.Swap();
    }

    /// <summary>Samples every plane at (x + dx[i], y + dy[i]) for a per-pixel displacement field.</summary>
    public static void Displace(PixelBuffer image, ReadOnlySpan<float> dx, ReadOnlySpan<float> dy, BorderMode mode, float fill)
    {
        int w = image.Width, h = image.Height;
        for (int c = 0; c < image.Channels; c++)
        {
            ReadOnlySpan<float> src = image.Plane(c);
            var dst = image.ScratchPlane(c);
            for (int y = 0, i = 0; y < h; y++)
                for (int x = 0; x < w; x++, i++)
                    dst[i] = Sampling.Bilinear(src, w, h, x + dx[i], y + dy[i], mode, fill);
        }
        image.Swap();
    }

    /// <summary>
    /// Smooths a <paramref name="width"/> × <paramref name="height"/> field in place with a Gaussian of standard deviation
    /// <paramref name="sigma"/> (separable, truncated at 3σ, mirrored at the edges); <paramref name="temp"/> holds one field.
    /// </summary>
    public static void GaussianBlur(Span<float> field, Span<float> temp, int width, int height, float sigma)
    {
        if (sigma <= 0f) return;
        int radius = Math.Max(1, (int)MathF.Ceiling(3f * sigma));
        Span<float> kernel = radius <= 256 ? stackalloc float[2 * radius + 1] : new float[2 * radius + 1];
        float sum = 0f;
        for (int k = -radius; k <= radius; k++) sum += kernel[k + radius] = MathF.Exp(-0.5f * k * k / (sigma * sigma));
        for (int k = 0; k < kernel.Length; k++) kernel[k] /= sum;

        // Rows: field -> temp.
        for (int y = 0; y < height; y++)
        {
            var row = field.Slice(y * width, width);
            var outRow = temp.Slice(y * width, width);
            for (int x = 0; x < width; x++)
            {
                float acc = 0f;
                if (x >= radius && x + radius < width)
                {
                    var window = row.Slice(x - radius, kernel.Length);
                    for (int k = 0; k < kernel.Length; k++) acc += kernel[k] * window[k];
                }
                else
                {
                    for (int k = -radius; k <= radius; k++) acc += kernel[k + radius] * row[Sampling.MapIndex(x + k, width, BorderMode.Reflect)];
                }
                outRow[x] = acc;
            }
        }
        // Columns: temp -> field.
        for (int y = 0; y < height; y++)
        {
            var outRow = field.Slice(y * width, width);
            outRow.Clear();
            for (int k = -radius; k <= radius; k++)
            {
                int sy = Sampling.MapIndex(y + k, height, BorderMode.Reflect);
                float wk = kernel[k + radius];
                var srcRow = temp.Slice(sy * width, width);
                for (int x = 0; x < width; x++) outRow[x] += wk * srcRow[x];
            }
        }
    }
}
