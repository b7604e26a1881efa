using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Register-tile micro-kernels of <see cref="Gemm"/>. Each computes one MR×NR tile
/// <c>T = Σ_p a[p]·b[p]</c> over <c>kc</c> steps from a packed A micro-panel (<c>kc</c> columns of MR
/// values) and a packed B micro-panel (<c>kc</c> rows of NR values), accumulating every element in
/// ascending <c>p</c> from zero, then stores <c>C = T</c> or <c>C = C + T</c>. The per-element
/// arithmetic therefore never depends on where the tile sits, which makes results independent of
/// the thread partition.
/// </summary>
internal static unsafe class GemmKernels
{
    /// <summary>Scalar kernel: 4×4 tile, plain single-precision multiply and add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    public static void Scalar4x4(int kc, float* a, float* b, float* c, int ldc, bool add)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float a0 = a[0];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            float a1 = a[1];
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            float a2 = a[2];
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            float a3 = a[3];
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            a += 4;
            b += 4;
        }

        StoreScalarRow(c, c00, c01, c02, c03, add);
        StoreScalarRow(c + ldc, c10, c11, c12, c13, add);
        StoreScalarRow(c + 2 * ldc, c20, c21, c22, c23, add);
        StoreScalarRow(c + 3 * ldc, c30, c31, c32, c33, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreScalarRow(float* c, float v0, float v1, float v2, float v3, bool add)
    {
        if (add)
        {
            c[0] += v0; c[1] += v1; c[2] += v2; c[3] += v3;
        }
        else
        {
            c[0] = v0; c[1] = v1; c[2] = v2; c[3] = v3;
        }
    }

    /// <summary>128-bit kernel: 6×8 tile (12 accumulators), multiply-add fused where the hardware can.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    public static void Vector128_6x8(int kc, float* a, float* b, float* c, int ldc, bool add)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            var av = Vector128.Create(a[0]);
            c00 = Vector128.MultiplyAddEstimate(av, b0, c00); c01 = Vector128.MultiplyAddEstimate(av, b1, c01);
            av = Vector128.Create(a[1]);
            c10 = Vector128.MultiplyAddEstimate(av, b0, c10); c11 = Vector128.MultiplyAddEstimate(av, b1, c11);
            av = Vector128.Create(a[2]);
            c20 = Vector128.MultiplyAddEstimate(av, b0, c20); c21 = Vector128.MultiplyAddEstimate(av, b1, c21);
            av = Vector128.Create(a[3]);
            c30 = Vector128.MultiplyAddEstimate(av, b0, c30); c31 = Vector128.MultiplyAddEstimate(av, b1, c31);
            av = Vector128.Create(a[4]);
            c40 = Vector128.MultiplyAddEstimate(av, b0, c40); c41 = Vector128.MultiplyAddEstimate(av, b1, c41);
            av = Vector128.Create(a[5]);
            c50 = Vector128.MultiplyAddEstimate(av, b0, c50); c51 = Vector128.MultiplyAddEstimate(av, b1, c51);
            a += 6;
            b += 8;
        }

        Store128(c, c00, c01, add);
        Store128(c + ldc, c10, c11, add);
        Store128(c + 2 * ldc, c20, c21, add);
        Store128(c + 3 * ldc, c30, c31, add);
        Store128(c + 4 * ldc, c40, c41, add);
        Store128(c + 5 * ldc, c50, c51, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store128(float* c, Vector128<float> v0, Vector128<float> v1, bool add)
    {
        if (add)
        {
            v0 += Vector128.Load(c);
            v1 += Vector128.Load(c + 4);
        }

        v0.Store(c);
        v1.Store(c + 4);
    }

    /// <summary>AVX2+FMA kernel: 6×16 tile (12 ymm accumulators, 2 B loads and 6 broadcasts per step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    public static void Avx2_6x16(int kc, float* a, float* b, float* c, int ldc, bool add)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx.LoadAlignedVector256(b);
            var b1 = Avx.LoadAlignedVector256(b + 8);
            var av = Avx.BroadcastScalarToVector256(a);
            c00 = Fma.MultiplyAdd(av, b0, c00); c01 = Fma.MultiplyAdd(av, b1, c01);
            av = Avx.BroadcastScalarToVector256(a + 1);
            c10 = Fma.MultiplyAdd(av, b0, c10); c11 = Fma.MultiplyAdd(av, b1, c11);
            av = Avx.BroadcastScalarToVector256(a + 2);
            c20 = Fma.MultiplyAdd(av, b0, c20); c21 = Fma.MultiplyAdd(av, b1, c21);
            av = Avx.BroadcastScalarToVector256(a + 3);
            c30 = Fma.MultiplyAdd(av, b0, c30); c31 = Fma.MultiplyAdd(av, b1, c31);
            av = Avx.BroadcastScalarToVector256(a + 4);
            c40 = Fma.MultiplyAdd(av, b0, c40); c41 = Fma.MultiplyAdd(av, b1, c41);
            av = Avx.BroadcastScalarToVector256(a + 5);
            c50 = Fma.MultiplyAdd(av, b0, c50); c51 = Fma.MultiplyAdd(av, b1, c51);
            a += 6;
            b += 16;
        }

        Store256(c, c00, c01, add);
        Store256(c + ldc, c10, c11, add);
        Store256(c + 2 * ldc, c20, c21, add);
        Store256(c + 3 * ldc, c30, c31, add);
        Store256(c + 4 * ldc, c40, c41, add);
        Store256(c + 5 * ldc, c50, c51, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store256(float* c, Vector256<float> v0, Vector256<float> v1, bool add)
    {
        if (add)
        {
            v0 = Avx.Add(v0, Avx.LoadVector256(c));
            v1 = Avx.Add(v1, Avx.LoadVector256(c + 8));
        }

        Avx.Store(c, v0);
        Avx.Store(c + 8, v1);
    }

    /// <summary>AVX-512F kernel: 8×32 tile (16 zmm accumulators, 2 B loads and 8 broadcasts per step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    public static void Avx512_8x32(int kc, float* a, float* b, float* c, int ldc, bool add)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Avx512F.LoadAlignedVector512(b);
            var b1 = Avx512F.LoadAlignedVector512(b + 16);
            var av = Vector512.Create(a[0]);
            c00 = Avx512F.FusedMultiplyAdd(av, b0, c00); c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Avx512F.FusedMultiplyAdd(av, b0, c10); c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Avx512F.FusedMultiplyAdd(av, b0, c20); c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Avx512F.FusedMultiplyAdd(av, b0, c30); c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Avx512F.FusedMultiplyAdd(av, b0, c40); c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Avx512F.FusedMultiplyAdd(av, b0, c50); c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]);
            c60 = Avx512F.FusedMultiplyAdd(av, b0, c60); c61 = Avx512F.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]);
            c70 = Avx512F.FusedMultiplyAdd(av, b0, c70); c71 = Avx512F.FusedMultiplyAdd(av, b1, c71);
            a += 8;
            b += 32;
        }

        Store512(c, c00, c01, add);
        Store512(c + ldc, c10, c11, add);
        Store512(c + 2 * ldc, c20, c21, add);
        Store512(c + 3 * ldc, c30, c31, add);
        Store512(c + 4 * ldc, c40, c41, add);
        Store512(c + 5 * ldc, c50, c51, add);
        Store512(c + 6 * ldc, c60, c61, add);
        Store512(c + 7 * ldc, c70, c71, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> v0, Vector512<float> v1, bool add)
    {
        if (add)
        {
            v0 = Avx512F.Add(v0, Avx512F.LoadVector512(c));
            v1 = Avx512F.Add(v1, Avx512F.LoadVector512(c + 16));
        }

        Avx512F.Store(c, v0);
        Avx512F.Store(c + 16, v1);
    }
}
