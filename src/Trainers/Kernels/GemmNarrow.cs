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
        path == GemmPath.Avx512 && g.N <= NarrowMaxColumns && g.TransB == Transpose.No && g.M >= 8;

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
}
