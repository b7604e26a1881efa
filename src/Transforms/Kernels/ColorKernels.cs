namespace MlNetExtensions.Transforms.Kernels;

/// <summary>Colour kernels over a <see cref="PixelBuffer"/> with values in [0, 1]; RGB kernels expect 3 planes (R, G, B).</summary>
internal static class ColorKernels
{
    /// <summary>Rec. 601 luma weights, as torchvision's greyscale conversion.</summary>
    public const float LumaR = 0.299f, LumaG = 0.587f, LumaB = 0.114f;

    /// <summary>Multiplies every value by <paramref name="factor"/>, clamped to [0, 1].</summary>
    public static void Brightness(PixelBuffer image, float factor)
    {
        var d = image.Data;
        for (int i = 0; i < d.Length; i++) d[i] = Math.Clamp(d[i] * factor, 0f, 1f);
    }

    /// <summary>Blends with the mean luma: <c>mean + factor·(v − mean)</c>, clamped.</summary>
    public static void Contrast(PixelBuffer image, float factor)
    {
        double sum = 0;
        int n = image.PlaneSize;
        if (image.Channels == 3)
        {
            var r = image.Plane(0); var g = image.Plane(1); var b = image.Plane(2);
            for (int i = 0; i < n; i++) sum += LumaR * r[i] + LumaG * g[i] + LumaB * b[i];
        }
        else
        {
            foreach (var v in image.Plane(0)) sum += v;
        }
        float mean = (float)(sum / n);
        var d = image.Data;
        for (int i = 0; i < d.Length; i++) d[i] = Math.Clamp(mean + factor * (d[i] - mean), 0f, 1f);
    }

    /// <summary>Blends each pixel with its own luma: <c>luma + factor·(v − luma)</c>, clamped.</summary>
    public static void Saturation(PixelBuffer image, float factor)
    {
        var r = image.Plane(0); var g = image.Plane(1); var b = image.Plane(2);
        for (int i = 0; i < r.Length; i++)
        {
            float l = LumaR * r[i] + LumaG * g[i] + LumaB * b[i];
            r[i] = Math.Clamp(l + factor * (r[i] - l), 0f, 1f);
            g[i] = Math.Clamp(l + factor * (g[i] - l), 0f, 1f);
            b[i] = Math.Clamp(l + factor * (b[i] - l), 0f, 1f);
        }
    }

    /// <summary>Rotates the hue of every pixel by <paramref name="degrees"/> in HSV space (value and saturation kept).</summary>
    public static void ShiftHue(PixelBuffer image, float degrees)
    {
        float shift = degrees / 60f; // in hue sextants
        shift -= 6f * MathF.Floor(shift / 6f);
        if (shift == 0f) return;
        var r = image.Plane(0); var g = image.Plane(1); var b = image.Plane(2);
        for (int i = 0; i < r.Length; i++)
        {
            float rv = r[i], gv = g[i], bv = b[i];
            float max = MathF.Max(rv, MathF.Max(gv, bv));
            float min = MathF.Min(rv, MathF.Min(gv, bv));
            float chroma = max - min;
            if (chroma <= 0f) continue; // grey: hue undefined, unchanged
            float h;
            if (max == rv) h = (gv - bv) / chroma;
            else if (max == gv) h = 2f + (bv - rv) / chroma;
            else h = 4f + (rv - gv) / chroma;
            h += shift;
            h -= 6f * MathF.Floor(h / 6f);
            // Back to RGB from (h, chroma, max).
            float xh = chroma * (1f - MathF.Abs(h % 2f - 1f));
            float m = max - chroma;
            (float r1, float g1, float b1) = (int)h switch
            {
                0 => (chroma, xh, 0f),
                1 => (xh, chroma, 0f),
                2 => (0f, chroma, xh),
                3 => (0f, xh, chroma),
                4 => (xh, 0f, chroma),
                _ => (chroma, 0f, xh),
            };
            r[i] = r1 + m; g[i] = g1 + m; b[i] = b1 + m;
        }
    }

    /// <summary>Adds the same RGB offset to every pixel, clamped.</summary>
    public static void AddPerChannel(PixelBuffer image, float dr, float dg, float db)
    {
        Span<float> offsets = stackalloc float[] { dr, dg, db };
        for (int c = 0; c < 3; c++)
        {
            var p = image.Plane(c);
            float o = offsets[c];
            for (int i = 0; i < p.Length; i++) p[i] = Math.Clamp(p[i] + o, 0f, 1f);
        }
    }
}
