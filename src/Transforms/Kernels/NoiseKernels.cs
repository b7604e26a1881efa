using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using MlNetExtensions.Randomness;

namespace MlNetExtensions.Transforms.Kernels;

/// <summary>Per-value random kernels over spans.</summary>
internal static class NoiseKernels
{
    private const int Chunk = 256; // pairs per batch

    /// <summary>
    /// Fills <paramref name="values"/> with independent standard normal draws (Box–Muller, both outputs of each pair
    /// used). Same draws and bit-identical results as <see cref="FillStandardNormalScalar"/>: the uniforms are drawn in
    /// the same order, the logarithms, sines and cosines are computed four at a time by <see cref="DoubleVectorMath"/>
    /// (double precision, within a few ulps of <see cref="Math"/>'s), and any value whose float rounding could depend on
    /// that difference (it lies within 1e-12 relative, 1e-13 absolute, of a float rounding boundary) is recomputed with
    /// <see cref="Math"/>'s functions.
    /// </summary>
    public static void FillStandardNormal(Span<float> values, ref RandomStream random)
        => FillStandardNormal(values, ref random, Avx512F.IsSupported);

    /// <summary><see cref="FillStandardNormal(Span{float}, ref RandomStream)"/> with the 512-bit path allowed or not (for tests).</summary>
    internal static void FillStandardNormal(Span<float> values, ref RandomStream random, bool use512)
    {
        int pairs = values.Length / 2;
        if (pairs < 8 || !Avx2.IsSupported) { FillStandardNormalScalar(values, ref random); return; }
        Span<double> u1 = stackalloc double[Chunk];
        Span<double> u2 = stackalloc double[Chunk];
        ref float output = ref MemoryMarshal.GetReference(values);
        for (int p0 = 0; p0 < pairs; p0 += Chunk)
        {
            int m = Math.Min(Chunk, pairs - p0);
            var local = random; // a local copy keeps the generator's state in registers
            for (int k = 0; k < m; k++)
            {
                u1[k] = 1.0 - local.NextDouble();
                u2[k] = local.NextDouble();
            }
            random = local;
            int k0 = 0;
            for (; k0 + 8 <= m; k0 += 8)
            {
                if (use512 && Avx512F.IsSupported)
                {
                    if (!Pairs8(u1, u2, k0, out var x8, out var y8))
                    {
                        ScalarPairs(u1, u2, k0, 8, values.Slice(2 * (p0 + k0), 16));
                        continue;
                    }
                    var xs = Avx512F.ConvertToVector256Single(x8);
                    var ys = Avx512F.ConvertToVector256Single(y8);
                    var l8 = Avx.UnpackLow(xs, ys);
                    var h8 = Avx.UnpackHigh(xs, ys);
                    nuint at8 = (nuint)(2 * (p0 + k0));
                    Avx.Permute2x128(l8, h8, 0x20).StoreUnsafe(ref output, at8);
                    Avx.Permute2x128(l8, h8, 0x31).StoreUnsafe(ref output, at8 + 8);
                    continue;
                }
                if (!Pairs4(u1, u2, k0, out var xa, out var ya) || !Pairs4(u1, u2, k0 + 4, out var xb, out var yb))
                {
                    ScalarPairs(u1, u2, k0, 8, values.Slice(2 * (p0 + k0), 16));
                    continue;
                }
                var xf = Vector256.Narrow(xa, xb); // x of pairs k0 … k0 + 7
                var yf = Vector256.Narrow(ya, yb);
                var lo = Avx.UnpackLow(xf, yf);   // x0 y0 x1 y1 | x4 y4 x5 y5
                var hi = Avx.UnpackHigh(xf, yf);  // x2 y2 x3 y3 | x6 y6 x7 y7
                nuint at = (nuint)(2 * (p0 + k0));
                Avx.Permute2x128(lo, hi, 0x20).StoreUnsafe(ref output, at);
                Avx.Permute2x128(lo, hi, 0x31).StoreUnsafe(ref output, at + 8);
            }
            if (k0 < m) ScalarPairs(u1, u2, k0, m - k0, values.Slice(2 * (p0 + k0), 2 * (m - k0)));
        }
        if (2 * pairs < values.Length) values[^1] = (float)random.NextGaussian();
    }

    /// <summary>
    /// Box–Muller outputs (r·cos θ, r·sin θ) of pairs k … k + 3 in double precision with the vector functions; false
    /// when an input is outside their domain or an output's float rounding is ambiguous (see <see cref="Ambiguous"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Pairs4(ReadOnlySpan<double> u1, ReadOnlySpan<double> u2, int k, out Vector256<double> x, out Vector256<double> y)
    {
        var a = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(u1), (nuint)k);
        var t = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(u2), (nuint)k);
        var angle = Vector256.Create(2.0 * Math.PI) * t; // the scalar code's 2.0 * Math.PI * u2
        if (!DoubleVectorMath.AllPositiveNormal(a) || !DoubleVectorMath.AllSmall(angle)) { x = y = default; return false; }
        var radius = Vector256.Sqrt(Vector256.Create(-2.0) * DoubleVectorMath.LogNormal(a));
        DoubleVectorMath.SinCosSmall(angle, out var sin, out var cos);
        x = radius * cos;
        y = radius * sin;
        return !Ambiguous(x) && !Ambiguous(y);
    }

    /// <summary>As <see cref="Pairs4"/> for pairs k … k + 7 on 512-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Pairs8(ReadOnlySpan<double> u1, ReadOnlySpan<double> u2, int k, out Vector512<double> x, out Vector512<double> y)
    {
        var a = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(u1), (nuint)k);
        var t = Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(u2), (nuint)k);
        var angle = Vector512.Create(2.0 * Math.PI) * t;
        if (!DoubleVectorMath.AllPositiveNormal(a) || !DoubleVectorMath.AllSmall(angle)) { x = y = default; return false; }
        var radius = Vector512.Sqrt(Vector512.Create(-2.0) * DoubleVectorMath.LogNormal(a));
        DoubleVectorMath.SinCosSmall(angle, out var sin, out var cos);
        x = radius * cos;
        y = radius * sin;
        var ex = Vector512.Abs(x) * Vector512.Create(1e-12) + Vector512.Create(1e-13);
        var ey = Vector512.Abs(y) * Vector512.Create(1e-12) + Vector512.Create(1e-13);
        return Vector256.EqualsAll(Avx512F.ConvertToVector256Single(x - ex), Avx512F.ConvertToVector256Single(x + ex))
            && Vector256.EqualsAll(Avx512F.ConvertToVector256Single(y - ey), Avx512F.ConvertToVector256Single(y + ey));
    }

    /// <summary>
    /// Whether rounding any lane to float could change under a perturbation of 1e-12 relative plus 1e-13 absolute, far
    /// more than the vector functions' difference from <see cref="Math"/>'s (tested).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Ambiguous(Vector256<double> v)
    {
        var e = Vector256.Abs(v) * Vector256.Create(1e-12) + Vector256.Create(1e-13);
        return !Vector128.EqualsAll(Avx.ConvertToVector128Single(v - e), Avx.ConvertToVector128Single(v + e));
    }

    /// <summary>Pairs k … k + count − 1 with <see cref="Math"/>'s functions, exactly as <see cref="FillStandardNormalScalar"/>.</summary>
    private static void ScalarPairs(ReadOnlySpan<double> u1, ReadOnlySpan<double> u2, int k, int count, Span<float> destination)
    {
        for (int j = 0; j < count; j++)
        {
            double radius = Math.Sqrt(-2.0 * Math.Log(u1[k + j]));
            var (sin, cos) = Math.SinCos(2.0 * Math.PI * u2[k + j]);
            destination[2 * j] = (float)(radius * cos);
            destination[2 * j + 1] = (float)(radius * sin);
        }
    }

    /// <summary>The reference of <see cref="FillStandardNormal(Span{float}, ref RandomStream)"/>: one pair at a time with <see cref="Math"/>'s functions.</summary>
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
        var local = random; // a local copy keeps the generator's state in registers
        for (int i = 0; i < values.Length; i++) values[i] = 2f * local.NextSingle() - 1f;
        random = local;
    }
}
