using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
            var packed = image.PackedInput;
            var dst = image.PackedScratch;
            for (int y = 0; y < h; y++) ReverseCopy(packed.Slice(y * w, w), dst.Slice(y * w, w));
            image.SwapPacked();
            return;
        }
        for (int c = 0; c < image.Channels; c++)
        {
            var plane = image.Plane(c);
            for (int y = 0; y < h; y++) plane.Slice(y * w, w).Reverse();
        }
    }

    /// <summary><c>destination[i] = source[n − 1 − i]</c> in one pass.</summary>
    private static void ReverseCopy(ReadOnlySpan<uint> source, Span<uint> destination)
    {
        int n = source.Length, i = 0;
        ref uint s = ref MemoryMarshal.GetReference(source);
        ref uint d = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            var reverse = Vector256.Create(7u, 6u, 5u, 4u, 3u, 2u, 1u, 0u);
            for (; i + 8 <= n; i += 8)
                Vector256.Shuffle(Vector256.LoadUnsafe(ref s, (nuint)(n - 8 - i)), reverse).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < n; i++) destination[i] = source[n - 1 - i];
    }

    /// <summary>Mirrors every column (top ↔ bottom), in place.</summary>
    public static void FlipVertical(PixelBuffer image)
    {
        int w = image.Width, h = image.Height;
        if (image.IsPacked)
        {
            var packed = image.PackedInput;
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
                TranslatePacked(image.PackedInput, image.PackedScratch, w, h, dx, dy, columns, mode, fillPixel);
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
    /// The reference of <see cref="AffineInverse"/>: one bilinear sample per pixel and plane.
    /// Applies the affine map <c>out = A·(in − centre) + centre + t</c>, by sampling the input bilinearly at
    /// <c>A⁻¹·(out − centre − t) + centre</c>. (m00, m01, m10, m11) is A⁻¹.
    /// </summary>
    public static void AffineInverseReference(PixelBuffer image, float m00, float m01, float m10, float m11, float tx, float ty, BorderMode mode, float fill)
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

    /// <summary>The reference of <see cref="Displace"/>: samples every plane at (x + dx[i], y + dy[i]), one pixel and plane at a time.</summary>
    public static void DisplaceReference(PixelBuffer image, ReadOnlySpan<float> dx, ReadOnlySpan<float> dy, BorderMode mode, float fill)
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
    /// The reference of <see cref="GaussianBlur"/>, straight from the definition.
    /// Smooths a <paramref name="width"/> × <paramref name="height"/> field in place with a Gaussian of standard deviation
    /// <paramref name="sigma"/> (separable, truncated at 3σ, mirrored at the edges); <paramref name="temp"/> holds one field.
    /// </summary>
    public static void GaussianBlurReference(Span<float> field, Span<float> temp, int width, int height, float sigma)
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

    /// <summary>
    /// Applies the affine map <c>out = A·(in − centre) + centre + t</c>, by sampling the input bilinearly at
    /// <c>A⁻¹·(out − centre − t) + centre</c>. (m00, m01, m10, m11) is A⁻¹. Eight pixels at a time, each sample position
    /// shared by all planes; bit-identical to <see cref="AffineInverseReference"/>.
    /// </summary>
    public static unsafe void AffineInverse(PixelBuffer image, float m00, float m01, float m10, float m11, float tx, float ty, BorderMode mode, float fill)
    {
        int w = image.Width, h = image.Height;
        float cx = (w - 1) * 0.5f, cy = (h - 1) * 0.5f;
        var sampler = new Resampler(image, mode, fill);
        float* sxs = stackalloc float[8];
        float* sys = stackalloc float[8];
        var ramp = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
        for (int y = 0; y < h; y++)
        {
            float oy = y - cy - ty;
            int x = 0;
            if (Resampler.IsVectorized)
            {
                var vcx = Vector256.Create(cx); var vtx = Vector256.Create(tx);
                var a = Vector256.Create(m01 * oy); var b = Vector256.Create(m11 * oy);
                for (; x < w && w >= 8; x += 8)
                {
                    if (x + 8 > w) x = w - 8; // overlap: recomputes a few outputs identically
                    var ox = (Vector256.Create((float)x) + ramp - vcx) - vtx;
                    var sx = Vector256.Create(m00) * ox + a + vcx;
                    var sy = Vector256.Create(m10) * ox + b + Vector256.Create(cy);
                    if (sampler.FromPacked) sampler.Sample8Packed(sx, sy, y * w + x);
                    else sampler.Sample8(sx, sy, y * w + x);
                }
            }
            for (; x < w; x++)
            {
                float ox = x - cx - tx;
                sampler.Sample1(m00 * ox + m01 * oy + cx, m10 * ox + m11 * oy + cy, y * w + x);
            }
        }
        sampler.Finish(image);
    }

    /// <summary>
    /// Samples every plane at (x + dx[i], y + dy[i]) for a per-pixel displacement field. Eight pixels at a time, each
    /// sample position shared by all planes; bit-identical to <see cref="DisplaceReference"/>.
    /// </summary>
    public static void Displace(PixelBuffer image, ReadOnlySpan<float> dx, ReadOnlySpan<float> dy, BorderMode mode, float fill)
    {
        int w = image.Width, h = image.Height;
        if (dx.Length < w * h || dy.Length < w * h) throw new ArgumentException("The displacement fields are smaller than the image.");
        var sampler = new Resampler(image, mode, fill);
        var ramp = Vector256.Create(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
        ref float rx = ref MemoryMarshal.GetReference(dx);
        ref float ry = ref MemoryMarshal.GetReference(dy);
        for (int y = 0, i = 0; y < h; y++)
        {
            int x = 0;
            if (Resampler.IsVectorized)
            {
                var vy = Vector256.Create((float)y);
                int rowStart = i;
                for (; x < w && w >= 8; x += 8)
                {
                    if (x + 8 > w) x = w - 8; // overlap: recomputes a few outputs identically
                    int at = rowStart + x;
                    var vx = Vector256.Create((float)x) + ramp;
                    var sx = vx + Vector256.LoadUnsafe(ref rx, (nuint)at);
                    var sy = vy + Vector256.LoadUnsafe(ref ry, (nuint)at);
                    if (sampler.FromPacked) sampler.Sample8Packed(sx, sy, at);
                    else sampler.Sample8(sx, sy, at);
                }
                i = rowStart + x;
            }
            for (; x < w; x++, i++) sampler.Sample1(x + dx[i], y + dy[i], i);
        }
        sampler.Finish(image);
    }

    /// <summary>Bilinear sampling of all planes of an image into its scratch planes, at positions shared by the planes.</summary>
    private readonly unsafe ref struct Resampler
    {
        private readonly Span<float> _src;
        private readonly Span<float> _dst;
        private readonly int _w, _h, _plane, _channels;
        private readonly BorderMode _mode;
        private readonly float _fill;

        public static bool IsVectorized => Avx2.IsSupported;

        private readonly ReadOnlySpan<uint> _packed;
        private readonly int _rs, _gs, _bs;

        /// <summary>Whether the samples come straight from packed pixels (see <see cref="Sample8Packed"/>).</summary>
        public bool FromPacked { get; }

        public Resampler(PixelBuffer image, BorderMode mode, float fill)
        {
            _w = image.Width; _h = image.Height; _plane = image.PlaneSize; _channels = image.Channels;
            _mode = mode; _fill = fill;
            // Packed pixels are sampled directly when every output goes through Sample8 with the constant border
            // (at least eight columns: the row loops then never fall back to Sample1).
            FromPacked = image.IsPacked && IsVectorized && mode == BorderMode.Constant && _w >= 8;
            if (FromPacked)
            {
                _packed = image.PackedInput;
                var (r, g, b) = image.PackedOffsets;
                _rs = 8 * r; _gs = 8 * g; _bs = 8 * b;
                _dst = image.ScratchForPackedSource;
            }
            else
            {
                _src = image.Data; _dst = image.Scratch;
            }
        }

        /// <summary>Makes the samples the image.</summary>
        public void Finish(PixelBuffer image)
        {
            if (FromPacked) image.SwapPackedToPlanar();
            else image.Swap();
        }

        /// <summary>Channel <paramref name="shift"/> of packed pixels as values byte / 255 (as <see cref="PixelConversion.UnpackToPlanar"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Channel(Vector256<uint> pixels, int shift)
            => Vector256.ConvertToSingle(((pixels >>> shift) & Vector256.Create(0xFFu)).AsInt32()) * Vector256.Create(1f / 255f);

        /// <summary>(p[idx[k]], p[idx[k] + 1]) for k = 0 … 7, by two 64-bit gathers de-interleaved.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector256<uint> Left, Vector256<uint> Right) Pairs(ulong* p, Vector256<int> idx)
        {
            // A 64-bit gather scales indices by 8; the pixel index is in 4-byte units, so address p + 4·idx through a byte pointer.
            var a = Avx2.GatherVector256((long*)p, idx.GetLower(), 4).AsSingle(); // L0 R0 L1 R1 | L2 R2 L3 R3
            var b = Avx2.GatherVector256((long*)p, idx.GetUpper(), 4).AsSingle(); // L4 R4 L5 R5 | L6 R6 L7 R7
            var even = Avx.Shuffle(a, b, 0b10_00_10_00); // L0 L1 L4 L5 | L2 L3 L6 L7
            var odd = Avx.Shuffle(a, b, 0b11_01_11_01);  // R0 R1 R4 R5 | R2 R3 R6 R7
            var left = Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsUInt32();
            var right = Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsUInt32();
            return (left, right);
        }

        /// <summary>
        /// <see cref="Sample8"/> for packed RGB pixels and the constant border: one gather per corner fetches all three
        /// channels, each converted exactly as the planar conversion would have converted it.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Sample8Packed(Vector256<float> sx, Vector256<float> sy, int i)
        {
            var fx0 = Vector256.Floor(sx); var fy0 = Vector256.Floor(sy);
            var x0 = Vector256.ConvertToInt32(fx0); var y0 = Vector256.ConvertToInt32(fy0);
            var interior = Vector256.LessThan(x0.AsUInt32(), Vector256.Create((uint)(_w - 1)))
                         & Vector256.LessThan(y0.AsUInt32(), Vector256.Create((uint)(_h - 1)));
            var ax = sx - fx0; var ay = sy - fy0;
            var idx = y0 * Vector256.Create(_w) + x0;
            bool allInside = Vector256.EqualsAll(interior, Vector256<uint>.AllBitsSet);
            fixed (uint* src = _packed)
            fixed (float* dst = _dst)
            {
                Vector256<uint> g00, g01, g10, g11;
                var inMask = interior.AsInt32();
                if (allInside)
                {
                    // Each 64-bit gather fetches a pixel and its right neighbour: four gathers of four for eight pixels.
                    (g00, g01) = Pairs((ulong*)src, idx);
                    (g10, g11) = Pairs((ulong*)(src + _w), idx);
                }
                else
                {
                    g00 = Avx2.GatherMaskVector256(Vector256<uint>.Zero, src, idx, inMask.AsUInt32(), 4);
                    g01 = Avx2.GatherMaskVector256(Vector256<uint>.Zero, src + 1, idx, inMask.AsUInt32(), 4);
                    g10 = Avx2.GatherMaskVector256(Vector256<uint>.Zero, src + _w, idx, inMask.AsUInt32(), 4);
                    g11 = Avx2.GatherMaskVector256(Vector256<uint>.Zero, src + _w + 1, idx, inMask.AsUInt32(), 4);
                }
                Vector256<uint> b00 = default, b01 = default, b10 = default, b11 = default;
                Vector256<float> m00 = default, m01 = default, m10 = default, m11 = default, axZero = default, ayZero = default, fill = default;
                if (!allInside)
                {
                    var wu = Vector256.Create((uint)_w); var hu = Vector256.Create((uint)_h);
                    var inX0 = Vector256.LessThan(x0.AsUInt32(), wu);
                    var inX1 = Vector256.LessThan((x0 + Vector256<int>.One).AsUInt32(), wu);
                    var inY0 = Vector256.LessThan(y0.AsUInt32(), hu);
                    var inY1 = Vector256.LessThan((y0 + Vector256<int>.One).AsUInt32(), hu);
                    m00 = (inX0 & inY0).AsSingle(); m01 = (inX1 & inY0).AsSingle(); m10 = (inX0 & inY1).AsSingle(); m11 = (inX1 & inY1).AsSingle();
                    b00 = Avx2.GatherMaskVector256(Vector256<uint>.Zero, src, idx, m00.AsUInt32(), 4);
                    b01 = Avx2.GatherMaskVector256(Vector256<uint>.Zero, src + 1, idx, m01.AsUInt32(), 4);
                    b10 = Avx2.GatherMaskVector256(Vector256<uint>.Zero, src + _w, idx, m10.AsUInt32(), 4);
                    b11 = Avx2.GatherMaskVector256(Vector256<uint>.Zero, src + _w + 1, idx, m11.AsUInt32(), 4);
                    axZero = Vector256.Equals(ax, Vector256<float>.Zero);
                    ayZero = Vector256.Equals(ay, Vector256<float>.Zero);
                    fill = Vector256.Create(_fill);
                }
                for (int c = 0; c < 3; c++)
                {
                    int shift = c == 0 ? _rs : c == 1 ? _gs : _bs;
                    var v00 = Channel(g00, shift); var v01 = Channel(g01, shift);
                    var v10 = Channel(g10, shift); var v11 = Channel(g11, shift);
                    var top = v00 + ax * (v01 - v00);
                    var bottom = v10 + ax * (v11 - v10);
                    var result = top + ay * (bottom - top);
                    if (!allInside)
                    {
                        var c00 = Vector256.ConditionalSelect(m00, Channel(b00, shift), fill);
                        var c01 = Vector256.ConditionalSelect(axZero, c00, Vector256.ConditionalSelect(m01, Channel(b01, shift), fill));
                        var t = c00 + ax * (c01 - c00);
                        var c10 = Vector256.ConditionalSelect(m10, Channel(b10, shift), fill);
                        var c11 = Vector256.ConditionalSelect(axZero, c10, Vector256.ConditionalSelect(m11, Channel(b11, shift), fill));
                        var bt = c10 + ax * (c11 - c10);
                        var border = Vector256.ConditionalSelect(ayZero, t, t + ay * (bt - t));
                        result = Vector256.ConditionalSelect(inMask.AsSingle(), result, border);
                    }
                    result.Store(dst + c * _plane + i);
                }
            }
        }

        /// <summary>Output pixel <paramref name="i"/> of every plane from position (x, y), as <see cref="Sampling.Bilinear"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Sample1(float x, float y, int i)
        {
            for (int c = 0; c < _channels; c++)
                _dst[c * _plane + i] = Sampling.Bilinear(_src.Slice(c * _plane, _plane), _w, _h, x, y, _mode, _fill);
        }

        /// <summary>
        /// Output pixels i … i + 7 of every plane, as <see cref="Sampling.Bilinear"/> computes each: lanes whose 2 × 2
        /// neighbourhood is inside by gathers with the interior formula; the others, with the constant border, by
        /// masked gathers with the border formula (each lane takes the formula the scalar code would use), with the
        /// other borders one lane at a time.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Sample8(Vector256<float> sx, Vector256<float> sy, int i)
        {
            var fx0 = Vector256.Floor(sx); var fy0 = Vector256.Floor(sy);
            var x0 = Vector256.ConvertToInt32(fx0); var y0 = Vector256.ConvertToInt32(fy0);
            var interior = Vector256.LessThan(x0.AsUInt32(), Vector256.Create((uint)(_w - 1)))
                         & Vector256.LessThan(y0.AsUInt32(), Vector256.Create((uint)(_h - 1)));
            var ax = sx - fx0; var ay = sy - fy0;
            var idx = y0 * Vector256.Create(_w) + x0;
            bool allInside = Vector256.EqualsAll(interior, Vector256<uint>.AllBitsSet);
            bool noneInside = Vector256.EqualsAll(interior, Vector256<uint>.Zero);
            if (!allInside && _mode != BorderMode.Constant)
            {
                if (noneInside) { for (int k = 0; k < 8; k++) Sample1(sx.GetElement(k), sy.GetElement(k), i + k); return; }
            }
            Vector256<float> inX0 = default, inX1 = default, inY0 = default, inY1 = default, axZero = default, ayZero = default, fill = default;
            if (!allInside && _mode == BorderMode.Constant)
            {
                var wu = Vector256.Create((uint)_w); var hu = Vector256.Create((uint)_h);
                inX0 = Vector256.LessThan(x0.AsUInt32(), wu).AsSingle();
                inX1 = Vector256.LessThan((x0 + Vector256<int>.One).AsUInt32(), wu).AsSingle();
                inY0 = Vector256.LessThan(y0.AsUInt32(), hu).AsSingle();
                inY1 = Vector256.LessThan((y0 + Vector256<int>.One).AsUInt32(), hu).AsSingle();
                axZero = Vector256.Equals(ax, Vector256<float>.Zero);
                ayZero = Vector256.Equals(ay, Vector256<float>.Zero);
                fill = Vector256.Create(_fill);
            }
            var inMask = interior.AsSingle();
            fixed (float* src = _src)
            fixed (float* dst = _dst)
            {
                for (int c = 0; c < _channels; c++)
                {
                    float* p = src + c * _plane;
                    Vector256<float> v00, v01, v10, v11;
                    if (allInside)
                    {
                        v00 = Avx2.GatherVector256(p, idx, 4);
                        v01 = Avx2.GatherVector256(p + 1, idx, 4);
                        v10 = Avx2.GatherVector256(p + _w, idx, 4);
                        v11 = Avx2.GatherVector256(p + _w + 1, idx, 4);
                    }
                    else
                    {
                        v00 = Avx2.GatherMaskVector256(Vector256<float>.Zero, p, idx, inMask, 4);
                        v01 = Avx2.GatherMaskVector256(Vector256<float>.Zero, p + 1, idx, inMask, 4);
                        v10 = Avx2.GatherMaskVector256(Vector256<float>.Zero, p + _w, idx, inMask, 4);
                        v11 = Avx2.GatherMaskVector256(Vector256<float>.Zero, p + _w + 1, idx, inMask, 4);
                    }
                    var top = v00 + ax * (v01 - v00);
                    var bottom = v10 + ax * (v11 - v10);
                    var result = top + ay * (bottom - top);
                    if (!allInside && _mode == BorderMode.Constant)
                    {
                        // Sampling.Bilinear's border formula: fill outside, v01 = v00 when ax = 0, t alone when ay = 0.
                        var b00 = Avx2.GatherMaskVector256(fill, p, idx, inX0 & inY0, 4);
                        var b01 = Vector256.ConditionalSelect(axZero, b00, Avx2.GatherMaskVector256(fill, p + 1, idx, inX1 & inY0, 4));
                        var t = b00 + ax * (b01 - b00);
                        var b10 = Avx2.GatherMaskVector256(fill, p + _w, idx, inX0 & inY1, 4);
                        var b11 = Vector256.ConditionalSelect(axZero, b10, Avx2.GatherMaskVector256(fill, p + _w + 1, idx, inX1 & inY1, 4));
                        var bt = b10 + ax * (b11 - b10);
                        var border = Vector256.ConditionalSelect(ayZero, t, t + ay * (bt - t));
                        result = Vector256.ConditionalSelect(inMask, result, border);
                    }
                    result.Store(dst + c * _plane + i);
                }
            }
            if (!allInside && _mode != BorderMode.Constant)
            {
                for (int k = 0; k < 8; k++)
                    if (interior.GetElement(k) == 0) Sample1(sx.GetElement(k), sy.GetElement(k), i + k);
            }
        }
    }

    /// <summary>
    /// Smooths a <paramref name="width"/> × <paramref name="height"/> field in place with a Gaussian of standard deviation
    /// <paramref name="sigma"/> (separable, truncated at 3σ, mirrored at the edges); <paramref name="temp"/> holds one field.
    /// Rows are mirror-padded once, then both passes run eight outputs at a time, each output's terms summed in the
    /// same order as <see cref="GaussianBlurReference"/>, so the results are bit-identical.
    /// </summary>
    public static void GaussianBlur(Span<float> field, Span<float> temp, int width, int height, float sigma)
    {
        if (sigma <= 0f) return;
        int radius = Math.Max(1, (int)MathF.Ceiling(3f * sigma));
        int taps = 2 * radius + 1;
        Span<float> kernel = radius <= 256 ? stackalloc float[taps] : new float[taps];
        float sum = 0f;
        for (int k = -radius; k <= radius; k++) sum += kernel[k + radius] = MathF.Exp(-0.5f * k * k / (sigma * sigma));
        for (int k = 0; k < kernel.Length; k++) kernel[k] /= sum;

        // Rows: field -> temp, through a mirror-padded copy of each row.
        int padded = width + 2 * radius;
        Span<float> pad = padded <= 4096 ? stackalloc float[padded] : new float[padded];
        Span<int> map = padded <= 4096 ? stackalloc int[padded] : new int[padded];
        for (int j = 0; j < padded; j++) map[j] = Sampling.MapIndex(j - radius, width, BorderMode.Reflect);
        bool simd = Vector256.IsHardwareAccelerated && width >= 8;
        for (int y = 0; y < height; y++)
        {
            var row = field.Slice(y * width, width);
            for (int j = 0; j < padded; j++) pad[j] = row[map[j]];
            var outRow = temp.Slice(y * width, width);
            if (simd) BlurRowsSimd(kernel, pad, outRow, width);
            else
            {
                for (int x = 0; x < width; x++)
                {
                    float acc = 0f;
                    for (int k = 0; k < taps; k++) acc += kernel[k] * pad[x + k];
                    outRow[x] = acc;
                }
            }
        }
        // Columns: temp -> field, each output accumulated over k in order.
        Span<int> rows = taps <= 4096 ? stackalloc int[taps] : new int[taps];
        for (int y = 0; y < height; y++)
        {
            for (int k = 0; k < taps; k++) rows[k] = Sampling.MapIndex(y + k - radius, height, BorderMode.Reflect) * width;
            var outRow = field.Slice(y * width, width);
            if (simd) BlurColumnsSimd(kernel, temp, rows, outRow, width);
            else
            {
                for (int x = 0; x < width; x++)
                {
                    float acc = 0f;
                    for (int k = 0; k < taps; k++) acc += kernel[k] * temp[rows[k] + x];
                    outRow[x] = acc;
                }
            }
        }
    }

    /// <summary>
    /// <c>output[x] = Σₖ kernel[k] · source[x + k]</c>, summed from k = 0 up, for x in [0, width) (width ≥ 8): four
    /// vectors at a time to hide the addition latency, the last vector overlapping the previous ones.
    /// </summary>
    private static void BlurRowsSimd(ReadOnlySpan<float> kernel, ReadOnlySpan<float> source, Span<float> output, int width)
    {
        ref float kr = ref MemoryMarshal.GetReference(kernel);
        ref float sr = ref MemoryMarshal.GetReference(source);
        ref float o = ref MemoryMarshal.GetReference(output);
        int taps = kernel.Length, x = 0;
        for (; x + 32 <= width; x += 32)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int k = 0; k < taps; k++)
            {
                var w = Vector256.Create(Unsafe.Add(ref kr, k));
                ref float s = ref Unsafe.Add(ref sr, x + k);
                a0 += w * Vector256.LoadUnsafe(ref s);
                a1 += w * Vector256.LoadUnsafe(ref s, 8);
                a2 += w * Vector256.LoadUnsafe(ref s, 16);
                a3 += w * Vector256.LoadUnsafe(ref s, 24);
            }
            a0.StoreUnsafe(ref o, (nuint)x); a1.StoreUnsafe(ref o, (nuint)(x + 8));
            a2.StoreUnsafe(ref o, (nuint)(x + 16)); a3.StoreUnsafe(ref o, (nuint)(x + 24));
        }
        for (; x < width; x += 8)
        {
            if (x + 8 > width) x = width - 8; // overlap: recomputes some outputs identically
            var acc = Vector256<float>.Zero;
            for (int k = 0; k < taps; k++) acc += Vector256.Create(Unsafe.Add(ref kr, k)) * Vector256.LoadUnsafe(ref sr, (nuint)(x + k));
            acc.StoreUnsafe(ref o, (nuint)x);
        }
    }

    /// <summary>
    /// <c>output[x] = Σₖ kernel[k] · source[rows[k] + x]</c>, summed from k = 0 up, for x in [0, width) (width ≥ 8),
    /// four vectors at a time, the last vector overlapping the previous ones.
    /// </summary>
    private static void BlurColumnsSimd(ReadOnlySpan<float> kernel, ReadOnlySpan<float> source, ReadOnlySpan<int> rows, Span<float> output, int width)
    {
        ref float kr = ref MemoryMarshal.GetReference(kernel);
        ref float sr = ref MemoryMarshal.GetReference(source);
        ref int rr = ref MemoryMarshal.GetReference(rows);
        ref float o = ref MemoryMarshal.GetReference(output);
        int taps = kernel.Length, x = 0;
        for (; x + 32 <= width; x += 32)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int k = 0; k < taps; k++)
            {
                var w = Vector256.Create(Unsafe.Add(ref kr, k));
                ref float s = ref Unsafe.Add(ref sr, Unsafe.Add(ref rr, k) + x);
                a0 += w * Vector256.LoadUnsafe(ref s);
                a1 += w * Vector256.LoadUnsafe(ref s, 8);
                a2 += w * Vector256.LoadUnsafe(ref s, 16);
                a3 += w * Vector256.LoadUnsafe(ref s, 24);
            }
            a0.StoreUnsafe(ref o, (nuint)x); a1.StoreUnsafe(ref o, (nuint)(x + 8));
            a2.StoreUnsafe(ref o, (nuint)(x + 16)); a3.StoreUnsafe(ref o, (nuint)(x + 24));
        }
        for (; x < width; x += 8)
        {
            if (x + 8 > width) x = width - 8;
            var acc = Vector256<float>.Zero;
            for (int k = 0; k < taps; k++)
                acc += Vector256.Create(Unsafe.Add(ref kr, k)) * Vector256.LoadUnsafe(ref sr, (nuint)(Unsafe.Add(ref rr, k) + x));
            acc.StoreUnsafe(ref o, (nuint)x);
        }
    }
}
