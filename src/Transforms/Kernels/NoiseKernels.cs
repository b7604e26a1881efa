using System.Numerics.Tensors;
using MlNetExtensions.Randomness;

namespace MlNetExtensions.Transforms.Kernels;

/// <summary>Per-value random kernels over spans.</summary>
internal static class NoiseKernels
{
    private const int Chunk = 256; // pairs per batch

    /// <summary>
    /// Fills <paramref name="values"/> with independent standard normal draws (Box–Muller, both outputs of each pair
    /// used). Same draws and bit-identical results as <see cref="FillStandardNormalScalar"/>: the uniforms are drawn in
    /// the same order, the logarithms, sines and cosines are computed in batches by <see cref="DoubleVectorMath"/>
    /// (double precision, within a few ulps of <see cref="Math"/>'s), and any value whose float rounding could depend on
    /// that difference (it lies within 1e-12 relative, 1e-13 absolute, of a float rounding boundary) is recomputed with
    /// <see cref="Math"/>'s functions.
    /// </summary>
    public static void FillStandardNormal(Span<float> values, ref RandomStream random)
    {
        int pairs = values.Length / 2;
        if (pairs < 8) { FillStandardNormalScalar(values, ref random); return; }
        Span<double> u1 = stackalloc double[Chunk];
        Span<double> u2 = stackalloc double[Chunk];
        Span<double> sin = stackalloc double[Chunk];
        Span<double> cos = stackalloc double[Chunk];
        Span<double> radii = stackalloc double[Chunk];
        Span<double> angles = stackalloc double[Chunk];
        for (int p0 = 0; p0 < pairs; p0 += Chunk)
        {
            int m = Math.Min(Chunk, pairs - p0);
            var a = u1[..m]; var t = u2[..m]; var s = sin[..m]; var c = cos[..m];
            for (int k = 0; k < m; k++)
            {
                a[k] = 1.0 - random.NextDouble();
                t[k] = random.NextDouble();
            }
            // radius = sqrt(−2 ln u1); angle = 2π u2 (the same double operations as the scalar code).
            var radius = radii[..m];
            DoubleVectorMath.Log(a, radius);
            TensorPrimitives.Multiply(radius, -2.0, radius);
            TensorPrimitives.Sqrt(radius, radius);
            var angle = angles[..m];
            TensorPrimitives.Multiply(t, 2.0 * Math.PI, angle);
            DoubleVectorMath.SinCos(angle, s, c);
            var dst = values.Slice(2 * p0, 2 * m);
            for (int k = 0; k < m; k++)
            {
                double x = radius[k] * c[k], y = radius[k] * s[k];
                if (Ambiguous(x) || Ambiguous(y))
                {
                    double r = Math.Sqrt(-2.0 * Math.Log(a[k]));
                    (double ss, double cc) = Math.SinCos(2.0 * Math.PI * t[k]);
                    x = r * cc; y = r * ss;
                }
                dst[2 * k] = (float)x;
                dst[2 * k + 1] = (float)y;
            }
        }
        if (2 * pairs < values.Length) values[^1] = (float)random.NextGaussian();
    }

    /// <summary>Whether rounding <paramref name="v"/> to float could change under a relative perturbation of 1e-12.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool Ambiguous(double v)
    {
        double e = Math.Abs(v) * 1e-12 + 1e-13; // relative and absolute slack, far above the functions' differences
        return (float)(v - e) != (float)(v + e);
    }

    /// <summary>The reference of <see cref="FillStandardNormal"/>: one pair at a time with <see cref="Math"/>'s functions.</summary>
    public static void FillStandardNormalScalar(Span<float> values, ref RandomStream random)
    {
        int i = 0;
        for (; i + 1 < values.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            var (sin, cos) = Math.SinCos(2.0 * Math.PI * u2);
            values[i] = (float)(radius * cos);
            values[i + 1] = (float)(radius * sin);
        }
        if (i < values.Length) values[i] = (float)random.NextGaussian();
    }

    /// <summary>Fills <paramref name="values"/> with independent uniform draws in [-1, 1).</summary>
    public static void FillUniformSymmetric(Span<float> values, ref RandomStream random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = 2f * random.NextSingle() - 1f;
    }
}
