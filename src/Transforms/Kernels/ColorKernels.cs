using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetExtensions.Transforms.Kernels;

/// <summary>Colour kernels over a <see cref="PixelBuffer"/> with values in [0, 1]; RGB kernels expect 3 planes (R, G, B).</summary>
internal static class ColorKernels
{
    /// <summary>Rec. 601 luma weights, as torchvision's greyscale conversion.</summary>
    public const float LumaR = 0.299f, LumaG = 0.587f, LumaB = 0.114f;

    /// <summary>Reference of <see cref="Brightness"/>. Multiplies every value by <paramref name="factor"/>, clamped to [0, 1].</summary>
    public static void BrightnessReference(PixelBuffer image, float factor)
    {
        var d = image.Data;
        for (int i = 0; i < d.Length; i++) d[i] = Math.Clamp(d[i] * factor, 0f, 1f);
    }

    /// <summary>Reference of <see cref="Contrast"/>. Blends with the mean luma: <c>mean + factor·(v − mean)</c>, clamped.</summary>
    public static void ContrastReference(PixelBuffer image, float factor)
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

    /// <summary>Reference of <see cref="Saturation"/>. Blends each pixel with its own luma: <c>luma + factor·(v − luma)</c>, clamped.</summary>
    public static void SaturationReference(PixelBuffer image, float factor)
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

    /// <summary>Reference of <see cref="ShiftHue"/>. Rotates the hue of every pixel by <paramref name="degrees"/> in HSV space (value and saturation kept).</summary>
    public static void ShiftHueReference(PixelBuffer image, float degrees)
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

    /// <summary>Reference of <see cref="AddPerChannel"/>. Adds the same RGB offset to every pixel, clamped.</summary>
    public static void AddPerChannelReference(PixelBuffer image, float dr, float dg, float db)
    {
        Span<float> offsets = stackalloc float[] { dr, dg, db };
        for (int c = 0; c < 3; c++)
        {
            var p = image.Plane(c);
            float o = offsets[c];
            for (int i = 0; i < p.Length; i++) p[i] = Math.Clamp(p[i] + o, 0f, 1f);
        }
    }

    // SIMD versions: the same float operations per value, in the same order, so the results are bit-identical to the
    // references above (tested); the scalar remainder of each loop calls the reference formula.

    /// <summary>Multiplies every value by <paramref name="factor"/>, clamped to [0, 1].</summary>
    public static void Brightness(PixelBuffer image, float factor)
    {
        var d = image.Data;
        ref float p = ref MemoryMarshal.GetReference(d);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var f = Vector256.Create(factor);
            for (; i + 8 <= d.Length; i += 8) VectorMath.Clamp01(Vector256.LoadUnsafe(ref p, (nuint)i) * f).StoreUnsafe(ref p, (nuint)i);
        }
        for (; i < d.Length; i++) d[i] = Math.Clamp(d[i] * factor, 0f, 1f);
    }

    /// <summary>Blends with the mean luma: <c>mean + factor·(v − mean)</c>, clamped.</summary>
    public static void Contrast(PixelBuffer image, float factor)
    {
        double sum = 0;
        int n = image.PlaneSize;
        if (image.Channels == 3)
        {
            var r = image.Plane(0); var g = image.Plane(1); var b = image.Plane(2);
            // Lumas eight at a time (float, as the reference), summed into the double in pixel order as the reference does.
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                ref float rr = ref MemoryMarshal.GetReference(r); ref float gr = ref MemoryMarshal.GetReference(g); ref float br = ref MemoryMarshal.GetReference(b);
                var lr = Vector256.Create(LumaR); var lg = Vector256.Create(LumaG); var lb = Vector256.Create(LumaB);
                for (; i + 8 <= n; i += 8)
                {
                    var l = lr * Vector256.LoadUnsafe(ref rr, (nuint)i) + lg * Vector256.LoadUnsafe(ref gr, (nuint)i) + lb * Vector256.LoadUnsafe(ref br, (nuint)i);
                    sum += l.GetElement(0); sum += l.GetElement(1); sum += l.GetElement(2); sum += l.GetElement(3);
                    sum += l.GetElement(4); sum += l.GetElement(5); sum += l.GetElement(6); sum += l.GetElement(7);
                }
            }
            for (; i < n; i++) sum += LumaR * r[i] + LumaG * g[i] + LumaB * b[i];
        }
        else
        {
            foreach (var v in image.Plane(0)) sum += v;
        }
        float mean = (float)(sum / n);
        var d = image.Data;
        ref float p = ref MemoryMarshal.GetReference(d);
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(mean); var f = Vector256.Create(factor);
            for (; j + 8 <= d.Length; j += 8) VectorMath.Clamp01(m + f * (Vector256.LoadUnsafe(ref p, (nuint)j) - m)).StoreUnsafe(ref p, (nuint)j);
        }
        for (; j < d.Length; j++) d[j] = Math.Clamp(mean + factor * (d[j] - mean), 0f, 1f);
    }

    /// <summary>Blends each pixel with its own luma: <c>luma + factor·(v − luma)</c>, clamped.</summary>
    public static void Saturation(PixelBuffer image, float factor)
    {
        var r = image.Plane(0); var g = image.Plane(1); var b = image.Plane(2);
        int i = 0, n = r.Length;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float rr = ref MemoryMarshal.GetReference(r); ref float gr = ref MemoryMarshal.GetReference(g); ref float br = ref MemoryMarshal.GetReference(b);
            var lr = Vector256.Create(LumaR); var lg = Vector256.Create(LumaG); var lb = Vector256.Create(LumaB); var f = Vector256.Create(factor);
            for (; i + 8 <= n; i += 8)
            {
                var rv = Vector256.LoadUnsafe(ref rr, (nuint)i); var gv = Vector256.LoadUnsafe(ref gr, (nuint)i); var bv = Vector256.LoadUnsafe(ref br, (nuint)i);
                var l = lr * rv + lg * gv + lb * bv;
                VectorMath.Clamp01(l + f * (rv - l)).StoreUnsafe(ref rr, (nuint)i);
                VectorMath.Clamp01(l + f * (gv - l)).StoreUnsafe(ref gr, (nuint)i);
                VectorMath.Clamp01(l + f * (bv - l)).StoreUnsafe(ref br, (nuint)i);
            }
        }
        for (; i < n; i++)
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
        int i = 0, n = r.Length;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float rr = ref MemoryMarshal.GetReference(r); ref float gr = ref MemoryMarshal.GetReference(g); ref float br = ref MemoryMarshal.GetReference(b);
            var vshift = Vector256.Create(shift);
            var two = Vector256.Create(2f); var four = Vector256.Create(4f); var six = Vector256.Create(6f); var one = Vector256.Create(1f);
            for (; i + 8 <= n; i += 8)
            {
                var rv = Vector256.LoadUnsafe(ref rr, (nuint)i); var gv = Vector256.LoadUnsafe(ref gr, (nuint)i); var bv = Vector256.LoadUnsafe(ref br, (nuint)i);
                var max = Vector256.Max(rv, Vector256.Max(gv, bv));
                var min = Vector256.Min(rv, Vector256.Min(gv, bv));
                var chroma = max - min;
                var change = Vector256.GreaterThan(chroma, Vector256<float>.Zero) | ~Vector256.Equals(chroma, chroma); // not (chroma <= 0)
                if (Vector256.EqualsAll(change, Vector256<float>.Zero)) continue;
                var h = Vector256.ConditionalSelect(Vector256.Equals(max, rv), (gv - bv) / chroma,
                        Vector256.ConditionalSelect(Vector256.Equals(max, gv), two + (bv - rv) / chroma, four + (rv - gv) / chroma));
                h += vshift;
                h -= six * Vector256.Floor(h / six);
                // h % 2 for h ≥ 0 (exact: h − 2·⌊h/2⌋ is representable), then as the reference.
                var hm2 = h - two * Vector256.Floor(h * Vector256.Create(0.5f));
                var xh = chroma * (one - Vector256.Abs(hm2 - one));
                var m = max - chroma;
                var sector = Vector256.ConvertToInt32(h);
                var s0 = Vector256.Equals(sector, Vector256<int>.Zero).AsSingle();
                var s1 = Vector256.Equals(sector, Vector256.Create(1)).AsSingle();
                var s2 = Vector256.Equals(sector, Vector256.Create(2)).AsSingle();
                var s3 = Vector256.Equals(sector, Vector256.Create(3)).AsSingle();
                var s4 = Vector256.Equals(sector, Vector256.Create(4)).AsSingle();
                var s5 = ~(s0 | s1 | s2 | s3 | s4); // the switch's default arm
                var zero = Vector256<float>.Zero;
                var r1 = Vector256.ConditionalSelect(s0 | s5, chroma, Vector256.ConditionalSelect(s1 | s4, xh, zero));
                var g1 = Vector256.ConditionalSelect(s0 | s3, xh, Vector256.ConditionalSelect(s1 | s2, chroma, zero));
                var b1 = Vector256.ConditionalSelect(s2 | s5, xh, Vector256.ConditionalSelect(s3 | s4, chroma, zero));
                Vector256.ConditionalSelect(change, r1 + m, rv).StoreUnsafe(ref rr, (nuint)i);
                Vector256.ConditionalSelect(change, g1 + m, gv).StoreUnsafe(ref gr, (nuint)i);
                Vector256.ConditionalSelect(change, b1 + m, bv).StoreUnsafe(ref br, (nuint)i);
            }
        }
        if (i < n) ShiftHueScalar(r[i..], g[i..], b[i..], shift);
    }

    private static void ShiftHueScalar(Span<float> r, Span<float> g, Span<float> b, float shift)
    {
        for (int i = 0; i < r.Length; i++)
        {
            float rv = r[i], gv = g[i], bv = b[i];
            float max = MathF.Max(rv, MathF.Max(gv, bv));
            float min = MathF.Min(rv, MathF.Min(gv, bv));
            float chroma = max - min;
            if (chroma <= 0f) continue;
            float h;
            if (max == rv) h = (gv - bv) / chroma;
            else if (max == gv) h = 2f + (bv - rv) / chroma;
            else h = 4f + (rv - gv) / chroma;
            h += shift;
            h -= 6f * MathF.Floor(h / 6f);
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
            ref float pr = ref MemoryMarshal.GetReference(p);
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var ov = Vector256.Create(o);
                for (; i + 8 <= p.Length; i += 8) VectorMath.Clamp01(Vector256.LoadUnsafe(ref pr, (nuint)i) + ov).StoreUnsafe(ref pr, (nuint)i);
            }
            for (; i < p.Length; i++) p[i] = Math.Clamp(p[i] + o, 0f, 1f);
        }
    }
}
