using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Unpacked AVX-512 path for small products with op(B) = B (NN, TN): the minibatch-sized products of small tabular
/// networks (32 rows through 128 × 64 layers), where copying A and B into packed blocks costs as much as the
/// multiply. Each 8 × 32 tile of C is summed straight from the operands (B rows loaded as they are stored, the last
/// columns under a mask). Every element of C is the same chain as in the packed kernels, a fused multiply-add per k
/// from zero in ascending k within each <see cref="Blocking.Kc"/> block, then one add to C, so the results are the same
/// bits as the packed path's (and the zero-skipping paths'), on one thread.
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Largest product (multiply-adds) sent to the unpacked path; from <see cref="MinMacsTwoWay"/> only when it runs on one
    /// thread anyway (with a second core free, the packed path splits it in two, which was faster for the weight gradient).
    /// </summary>
    internal const long DirectMaxMacs = 1L << 19;

    private static bool UseDirect(GemmPath path, in Args g, int maxThreads) => UsesDirect(path, g.TransB, g.M, g.N, g.K, maxThreads);

    /// <summary>Whether a product of this shape takes the unpacked path (unless the zero-skipping or narrow path takes it first).</summary>
    internal static bool UsesDirect(GemmPath path, Transpose transB, int m, int n, int k, int maxThreads)
    {
        long macs = (long)m * n * k;
        return DiagnosticSwitches.DirectKernels && (path == GemmPath.Avx512 || (path == GemmPath.Auto && BestPath == GemmPath.Avx512)) && transB == Transpose.No
            && m > SmallMaxRows && macs <= DirectMaxMacs && (macs < MinMacsTwoWay || maxThreads == 1 || Environment.ProcessorCount == 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunDirect(in Args g, int kc)
    {
        // op(A)[i, p] = A[i·lda + p] (rowStep lda, kStep 1) or A[p·lda + i] (rowStep 1, kStep lda).
        long rowStep = g.TransA == Transpose.No ? g.Lda : 1, kStep = g.TransA == Transpose.No ? 1 : g.Lda;
        var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        for (int pc = 0; pc < g.K; pc += kc)
        {
            int end = Math.Min(g.K, pc + kc);
            bool add = pc > 0 || g.Accumulate;
            for (int j = 0; j < g.N; j += 32)
            {
                int width = Math.Min(32, g.N - j);
                var mask0 = Vector512.LessThan(lanes, Vector512.Create(width)).AsSingle();
                var mask1 = Vector512.LessThan(lanes, Vector512.Create(width - 16)).AsSingle();
                float* b = g.B + j;
                int i = 0;
                for (; i + 8 <= g.M; i += 8)
                    Tile8(g.A + i * rowStep, rowStep, kStep, b, g.Ldb, pc, end, g.C + (long)i * g.Ldc + j, g.Ldc, mask0, mask1, add);
                for (; i < g.M; i++)
                    Tile1(g.A + i * rowStep, kStep, b, g.Ldb, pc, end, g.C + (long)i * g.Ldc + j, mask0, mask1, add);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile8(float* a, long rowStep, long kStep, float* b, long ldb, int pc, int end, float* c, long ldc,
        Vector512<float> mask0, Vector512<float> mask1, bool add)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = pc; p < end; p++)
        {
            float* bp = b + p * ldb;
            var b0 = Avx512F.MaskLoad(bp, mask0, Vector512<float>.Zero);
            var b1 = Avx512F.MaskLoad(bp + 16, mask1, Vector512<float>.Zero);
            float* ap = a + p * kStep;
            var av = Vector512.Create(ap[0]);
            c00 = Avx512F.FusedMultiplyAdd(av, b0, c00); c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(ap[rowStep]);
            c10 = Avx512F.FusedMultiplyAdd(av, b0, c10); c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(ap[2 * rowStep]);
            c20 = Avx512F.FusedMultiplyAdd(av, b0, c20); c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(ap[3 * rowStep]);
            c30 = Avx512F.FusedMultiplyAdd(av, b0, c30); c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(ap[4 * rowStep]);
            c40 = Avx512F.FusedMultiplyAdd(av, b0, c40); c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(ap[5 * rowStep]);
            c50 = Avx512F.FusedMultiplyAdd(av, b0, c50); c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(ap[6 * rowStep]);
            c60 = Avx512F.FusedMultiplyAdd(av, b0, c60); c61 = Avx512F.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(ap[7 * rowStep]);
            c70 = Avx512F.FusedMultiplyAdd(av, b0, c70); c71 = Avx512F.FusedMultiplyAdd(av, b1, c71);
        }

        StoreDirect(c, c00, c01, mask0, mask1, add);
        StoreDirect(c + ldc, c10, c11, mask0, mask1, add);
        StoreDirect(c + 2 * ldc, c20, c21, mask0, mask1, add);
        StoreDirect(c + 3 * ldc, c30, c31, mask0, mask1, add);
        StoreDirect(c + 4 * ldc, c40, c41, mask0, mask1, add);
        StoreDirect(c + 5 * ldc, c50, c51, mask0, mask1, add);
        StoreDirect(c + 6 * ldc, c60, c61, mask0, mask1, add);
        StoreDirect(c + 7 * ldc, c70, c71, mask0, mask1, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Tile1(float* a, long kStep, float* b, long ldb, int pc, int end, float* c,
        Vector512<float> mask0, Vector512<float> mask1, bool add)
    {
        Vector512<float> c0 = default, c1 = default;
        for (int p = pc; p < end; p++)
        {
            float* bp = b + p * ldb;
            var av = Vector512.Create(a[p * kStep]);
            c0 = Avx512F.FusedMultiplyAdd(av, Avx512F.MaskLoad(bp, mask0, Vector512<float>.Zero), c0);
            c1 = Avx512F.FusedMultiplyAdd(av, Avx512F.MaskLoad(bp + 16, mask1, Vector512<float>.Zero), c1);
        }

        StoreDirect(c, c0, c1, mask0, mask1, add);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDirect(float* c, Vector512<float> v0, Vector512<float> v1, Vector512<float> mask0, Vector512<float> mask1, bool add)
    {
        if (add)
        {
            v0 = Avx512F.Add(v0, Avx512F.MaskLoad(c, mask0, Vector512<float>.Zero));
            v1 = Avx512F.Add(v1, Avx512F.MaskLoad(c + 16, mask1, Vector512<float>.Zero));
        }

        Avx512F.MaskStore(c, mask0, v0);
        Avx512F.MaskStore(c + 16, mask1, v1);
    }
}
