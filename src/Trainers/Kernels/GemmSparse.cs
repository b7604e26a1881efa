using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Zero-skipping path for products whose A operand is mostly zeros (raw pixel inputs: about 80 % of
/// MNIST's values are 0). It performs exactly the arithmetic of the FMA paths minus the multiply-adds
/// whose A factor is zero: every element of C is still summed with fused multiply-adds in ascending k
/// from zero inside the same blocks (<see cref="Blocking.Kc"/> for the packed path, the whole k for the
/// small-row path), each block sum added to C once. Skipping a term a·b with a = 0 leaves a running sum
/// that started at +0 unchanged (fma(0, b, s) = s for finite b, and such a sum is never −0), so results
/// are bit-identical to the dense kernels for finite B. The choice depends on the data only, never on
/// the thread count.
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>A is treated as sparse when at most this fraction of its sampled values is non-zero.</summary>
    internal const double SparseMaxDensity = 0.3;

    /// <summary>Products with fewer multiply-adds than this never test for sparsity.</summary>
    internal const long SparseMinMacs = 1L << 16;

    /// <summary>Switch for tests and benchmarks: false forces the dense kernels.</summary>
    internal static bool SparseEnabled { get; set; } = Environment.GetEnvironmentVariable("MLNETEXT_SPARSE") != "0";

    /// <summary>Whether transposed sparse A (the weight gradient xᵀ·dy) also takes the zero-skipping path.</summary>
    internal static bool SparseTransposedEnabled { get; set; } = Environment.GetEnvironmentVariable("MLNETEXT_SPARSE_TN") != "0";

    private static bool CanUseSparse(GemmPath path, in Args g) =>
        SparseEnabled && path is GemmPath.Avx2 or GemmPath.Avx512 && Fma.IsSupported && g.TransB == Transpose.No
        && (long)g.M * g.N * g.K >= SparseMinMacs && g.N >= 8;

    /// <summary>Fraction of non-zeros among (up to) the first 16 rows of the stored A.</summary>
    private static double SampleDensity(in Args g)
    {
        int rows = g.TransA == Transpose.No ? g.M : g.K;
        int cols = g.TransA == Transpose.No ? g.K : g.M;
        int sample = Math.Min(rows, 16);
        long nonZero = 0;
        for (int r = 0; r < sample; r++)
        {
            nonZero += CountNonZero(g.A + (long)r * g.Lda, cols);
        }

        return nonZero / (double)((long)sample * cols);
    }

    private static int CountNonZero(float* x, int n)
    {
        int count = 0, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                uint zeros = Vector256.Equals(Vector256.Load(x + i), Vector256<float>.Zero).ExtractMostSignificantBits();
                count += 8 - BitOperations.PopCount(zeros);
            }
        }

        for (; i < n; i++)
        {
            if (x[i] != 0f)
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Runs the product on the zero-skipping path when A is sparse enough; false when it did nothing.</summary>
    /// <param name="g">The product.</param>
    /// <param name="kc">The summation block: the path's <see cref="Blocking.Kc"/>, or k for the small-row path.</param>
    private static bool TryRunSparse(in Args g, int kc)
    {
        if ((g.TransA == Transpose.Yes && !SparseTransposedEnabled) || SampleDensity(g) > SparseMaxDensity)
        {
            return false;
        }

        if (g.TransA == Transpose.No)
        {
            RunSparseRows(g, kc);
        }
        else
        {
            RunSparseColumns(g, kc);
        }

        return true;
    }

    /// <summary>op(A) = A (m×k, row-major): per row of C, the non-zeros of A's row per k block drive AXPYs over B's rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunSparseRows(in Args g, int kc)
    {
        int[] idxArray = ArrayPool<int>.Shared.Rent(Math.Min(kc, g.K));
        float[] valArray = ArrayPool<float>.Shared.Rent(Math.Min(kc, g.K));
        fixed (int* idx = idxArray)
        fixed (float* val = valArray)
        {
            for (int i = 0; i < g.M; i++)
            {
                float* a = g.A + (long)i * g.Lda;
                float* c = g.C + (long)i * g.Ldc;
                for (int pc = 0; pc < g.K; pc += kc)
                {
                    int end = Math.Min(g.K, pc + kc), count = 0;
                    for (int p = pc; p < end; p++)
                    {
                        // Branch-free: always write, advance only past a non-zero.
                        float v = a[p];
                        idx[count] = p;
                        val[count] = v;
                        count += v != 0f ? 1 : 0;
                    }

                    SparseAxpy(count, idx, val, g.B, g.Ldb, c, g.N, add: pc > 0 || g.Accumulate);
                }
            }
        }

        ArrayPool<int>.Shared.Return(idxArray);
        ArrayPool<float>.Shared.Return(valArray);
    }

    /// <summary>
    /// op(A) = Aᵀ with A stored k×m (the weight gradient xᵀ·dy): A's non-zeros are listed per column
    /// (ascending k), then each row of C is the AXPY sum of its column's entries per k block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunSparseColumns(in Args g, int kc)
    {
        int m = g.M, k = g.K;
        int[] startArray = ArrayPool<int>.Shared.Rent(m + 1);
        long total = 0;
        fixed (int* start = startArray)
        {
            new Span<int>(start, m + 1).Clear();
            for (int p = 0; p < k; p++)
            {
                float* row = g.A + (long)p * g.Lda;
                for (int i = 0; i < m; i++)
                {
                    start[i + 1] += row[i] != 0f ? 1 : 0;
                }
            }

            for (int i = 0; i < m; i++)
            {
                start[i + 1] += start[i];
            }

            total = start[m];
            int spare = (int)total;
            int[] rowArray = ArrayPool<int>.Shared.Rent(spare + 1);
            float[] valArray = ArrayPool<float>.Shared.Rent(spare + 1);
            int[] nextArray = ArrayPool<int>.Shared.Rent(m);
            fixed (int* rowsOf = rowArray, next = nextArray)
            fixed (float* val = valArray)
            {
                new Span<int>(start, m).CopyTo(new Span<int>(next, m));
                for (int p = 0; p < k; p++)
                {
                    float* row = g.A + (long)p * g.Lda;
                    for (int i = 0; i < m; i++)
                    {
                        // Branch-free: a zero is written to the spare slot at the end and does not advance.
                        float v = row[i];
                        int at = next[i], nz = v != 0f ? 1 : 0;
                        int slot = nz != 0 ? at : spare;
                        rowsOf[slot] = p;
                        val[slot] = v;
                        next[i] = at + nz;
                    }
                }

                for (int i = 0; i < m; i++)
                {
                    float* c = g.C + (long)i * g.Ldc;
                    int q = start[i], qEnd = start[i + 1];
                    for (int pc = 0; pc < k; pc += kc)
                    {
                        int end = Math.Min(k, pc + kc), q0 = q;
                        while (q < qEnd && rowsOf[q] < end)
                        {
                            q++;
                        }

                        SparseAxpy(q - q0, rowsOf + q0, val + q0, g.B, g.Ldb, c, g.N, add: pc > 0 || g.Accumulate);
                    }
                }
            }

            ArrayPool<int>.Shared.Return(rowArray);
            ArrayPool<float>.Shared.Return(valArray);
            ArrayPool<int>.Shared.Return(nextArray);
        }

        ArrayPool<int>.Shared.Return(startArray);
    }

    /// <summary>
    /// c[0..n) (+)= Σ_q val[q]·B[idx[q]·ldb + 0..n): one fused multiply-add chain per element from zero in
    /// ascending q, then stored, or added to c once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void SparseAxpy(int count, int* idx, float* val, float* b, int ldb, float* c, int n, bool add)
    {
        int j = 0;
        for (; j + 64 <= n; j += 64)
        {
            Vector256<float> v0 = default, v1 = default, v2 = default, v3 = default, v4 = default, v5 = default, v6 = default, v7 = default;
            for (int q = 0; q < count; q++)
            {
                var av = Vector256.Create(val[q]);
                float* bp = b + (long)idx[q] * ldb + j;
                v0 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp), v0);
                v1 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp + 8), v1);
                v2 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp + 16), v2);
                v3 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp + 24), v3);
                v4 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp + 32), v4);
                v5 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp + 40), v5);
                v6 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp + 48), v6);
                v7 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp + 56), v7);
            }

            StoreSparse(c + j, v0, add); StoreSparse(c + j + 8, v1, add);
            StoreSparse(c + j + 16, v2, add); StoreSparse(c + j + 24, v3, add);
            StoreSparse(c + j + 32, v4, add); StoreSparse(c + j + 40, v5, add);
            StoreSparse(c + j + 48, v6, add); StoreSparse(c + j + 56, v7, add);
        }

        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> v0 = default;
            for (int q = 0; q < count; q++)
            {
                v0 = Fma.MultiplyAdd(Vector256.Create(val[q]), Avx.LoadVector256(b + (long)idx[q] * ldb + j), v0);
            }

            StoreSparse(c + j, v0, add);
        }

        for (; j < n; j++)
        {
            float s = 0f;
            for (int q = 0; q < count; q++)
            {
                s = MathF.FusedMultiplyAdd(val[q], b[(long)idx[q] * ldb + j], s);
            }

            c[j] = add ? c[j] + s : s;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSparse(float* c, Vector256<float> v, bool add)
    {
        if (add)
        {
            v = Avx.Add(v, Avx.LoadVector256(c));
        }

        Avx.Store(c, v);
    }
}
