using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Unpacked AVX-512 path for narrow products (n ≤ 16 with op(B) = B: the 10-wide output layer's forward
/// and weight gradient), where the 8×32 packed tile would waste 22 of its 32 columns. One masked zmm
/// holds a row of C; eight rows of C run side by side (eight independent chains hide the FMA latency)
/// and each op(B) row is loaded once for the eight. The arithmetic is the dense kernels': per block of
/// <see cref="Blocking.Kc"/> values of k, a fused multiply-add chain from zero in ascending k, then
/// stored or added to C once, so results are bit-identical to the packed path.
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>Widest n handled by the narrow path.</summary>
    internal const int NarrowMaxColumns = 16;

    private static bool UseNarrow(GemmPath path, in Args g) =>
        (path == GemmPath.Avx512 || (path == GemmPath.Avx2 && Fma.IsSupported)) && g.N <= NarrowMaxColumns && g.TransB == Transpose.No && g.M >= 8;

    /// <summary>The narrow path of <paramref name="path"/> (AVX-512 masked zmm rows, or AVX2 pairs of ymm over a padded copy of B).</summary>
    private static void RunNarrow(GemmPath path, in Args g, int kc)
    {
        if (path == GemmPath.Avx512)
        {
            RunNarrow(g, kc);
        }
        else
        {
            RunNarrowAvx2(g, kc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunNarrow(in Args g, int kc)
    {
        int n = g.N, k = g.K;
        Vector512<float> mask = Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(n)).AsSingle();
        // op(A)[i, p] = A[i·lda + p] (rowStep lda, kStep 1) or A[p·lda + i] (rowStep 1, kStep lda).
        long rowStep = g.TransA == Transpose.No ? g.Lda : 1, kStep = g.TransA == Transpose.No ? 1 : g.Lda;
        long ldb = g.Ldb;
        for (int pc = 0; pc < k; pc += kc)
        {
            int end = Math.Min(k, pc + kc);
            bool add = pc > 0 || g.Accumulate;
            int i = 0;
            for (; i + 8 <= g.M; i += 8)
            {
                float* a = g.A + i * rowStep;
                Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
                for (int p = pc; p < end; p++)
                {
                    Vector512<float> b = Avx512F.MaskLoad(g.B + p * ldb, mask, Vector512<float>.Zero);
                    float* ap = a + p * kStep;
                    c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(ap[0]), b, c0);
                    c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(ap[rowStep]), b, c1);
                    c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(ap[2 * rowStep]), b, c2);
                    c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(ap[3 * rowStep]), b, c3);
                    c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(ap[4 * rowStep]), b, c4);
                    c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(ap[5 * rowStep]), b, c5);
                    c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(ap[6 * rowStep]), b, c6);
                    c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(ap[7 * rowStep]), b, c7);
                }

                float* c = g.C + (long)i * g.Ldc;
                StoreNarrow(c, c0, mask, add); StoreNarrow(c + g.Ldc, c1, mask, add);
                StoreNarrow(c + 2L * g.Ldc, c2, mask, add); StoreNarrow(c + 3L * g.Ldc, c3, mask, add);
                StoreNarrow(c + 4L * g.Ldc, c4, mask, add); StoreNarrow(c + 5L * g.Ldc, c5, mask, add);
                StoreNarrow(c + 6L * g.Ldc, c6, mask, add); StoreNarrow(c + 7L * g.Ldc, c7, mask, add);
            }

            for (; i < g.M; i++)
            {
                float* a = g.A + i * rowStep;
                Vector512<float> c0 = default;
                for (int p = pc; p < end; p++)
                {
                    c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[p * kStep]), Avx512F.MaskLoad(g.B + p * ldb, mask, Vector512<float>.Zero), c0);
                }

                StoreNarrow(g.C + (long)i * g.Ldc, c0, mask, add);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreNarrow(float* c, Vector512<float> v, Vector512<float> mask, bool add)
    {
        if (add)
        {
            v = Avx512F.Add(v, Avx512F.MaskLoad(c, mask, Vector512<float>.Zero));
        }

        Avx512F.MaskStore(c, mask, v);
    }

    /// <summary>
    /// AVX2 form of <see cref="RunNarrow(in Args, int)"/>: op(B) is first copied into a k × 16 zero-padded buffer (one
    /// aligned pair of ymm per row of B, no masked loads in the loop), then four rows of C run side by side with two ymm
    /// each (eight independent chains); results are stored under a mask. Same arithmetic, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunNarrowAvx2(in Args g, int kc)
    {
        int n = g.N, k = g.K;
        float* b = Buffers.B(k * NarrowMaxColumns);
        for (int p = 0; p < k; p++)
        {
            float* dst = b + p * NarrowMaxColumns;
            Avx.Store(dst, Vector256<float>.Zero);
            Avx.Store(dst + 8, Vector256<float>.Zero);
            new ReadOnlySpan<float>(g.B + p * (long)g.Ldb, n).CopyTo(new Span<float>(dst, n));
        }

        Vector256<int> lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        Vector256<float> mask0 = Vector256.LessThan(lanes, Vector256.Create(n)).AsSingle();
        Vector256<float> mask1 = Vector256.LessThan(lanes, Vector256.Create(n - 8)).AsSingle();
        long rowStep = g.TransA == Transpose.No ? g.Lda : 1, kStep = g.TransA == Transpose.No ? 1 : g.Lda;
        for (int pc = 0; pc < k; pc += kc)
        {
            int end = Math.Min(k, pc + kc);
            bool add = pc > 0 || g.Accumulate;
            int i = 0;
            for (; i + 4 <= g.M; i += 4)
            {
                float* a = g.A + i * rowStep;
                Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
                for (int p = pc; p < end; p++)
                {
                    float* bp = b + p * NarrowMaxColumns;
                    Vector256<float> lo = Avx.LoadAlignedVector256(bp), hi = Avx.LoadAlignedVector256(bp + 8);
                    float* ap = a + p * kStep;
                    Vector256<float> a0 = Vector256.Create(ap[0]), a1 = Vector256.Create(ap[rowStep]);
                    Vector256<float> a2 = Vector256.Create(ap[2 * rowStep]), a3 = Vector256.Create(ap[3 * rowStep]);
                    c0 = Fma.MultiplyAdd(a0, lo, c0); c1 = Fma.MultiplyAdd(a0, hi, c1);
                    c2 = Fma.MultiplyAdd(a1, lo, c2); c3 = Fma.MultiplyAdd(a1, hi, c3);
                    c4 = Fma.MultiplyAdd(a2, lo, c4); c5 = Fma.MultiplyAdd(a2, hi, c5);
                    c6 = Fma.MultiplyAdd(a3, lo, c6); c7 = Fma.MultiplyAdd(a3, hi, c7);
                }

                float* c = g.C + (long)i * g.Ldc;
                StoreNarrow(c, c0, c1, mask0, mask1, add);
                StoreNarrow(c + g.Ldc, c2, c3, mask0, mask1, add);
                StoreNarrow(c + 2L * g.Ldc, c4, c5, mask0, mask1, add);
                StoreNarrow(c + 3L * g.Ldc, c6, c7, mask0, mask1, add);
            }

            for (; i < g.M; i++)
            {
                float* a = g.A + i * rowStep;
                Vector256<float> c0 = default, c1 = default;
                for (int p = pc; p < end; p++)
                {
                    float* bp = b + p * NarrowMaxColumns;
                    Vector256<float> av = Vector256.Create(a[p * kStep]);
                    c0 = Fma.MultiplyAdd(av, Avx.LoadAlignedVector256(bp), c0);
                    c1 = Fma.MultiplyAdd(av, Avx.LoadAlignedVector256(bp + 8), c1);
                }

                StoreNarrow(g.C + (long)i * g.Ldc, c0, c1, mask0, mask1, add);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreNarrow(float* c, Vector256<float> lo, Vector256<float> hi, Vector256<float> mask0, Vector256<float> mask1, bool add)
    {
        if (add)
        {
            lo = Avx.Add(lo, Avx.MaskLoad(c, mask0));
            hi = Avx.Add(hi, Avx.MaskLoad(c + 8, mask1));
        }

        Avx.MaskStore(c, mask0, lo);
        Avx.MaskStore(c + 8, mask1, hi);
    }
}
