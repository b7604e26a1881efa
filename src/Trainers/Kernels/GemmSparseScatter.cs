using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// The weight gradient xᵀ·dy straight from the minibatch's row lists, without sorting them by column: each row i of x
/// adds x[i, k]·dy[i, ·] into row k of C for each of its non-zeros (k, x[i, k]), rows in ascending order. Every element
/// C[k, j] is then the chain ((0 + x[0,k]·dy[0,j]) + x[1,k]·dy[1,j]) + … of fused multiply-adds over the rows whose x[i, k]
/// is non-zero, which is the dense product's chain minus its zero terms. A minibatch longer than the dense kernels'
/// summation block (<see cref="Blocking.Kc"/> rows) is summed block by block as they do: each later block into a scratch
/// from zero, then added to C. So the bits are those of <see cref="MultiplySparse"/> on the column lists and of the dense
/// product (tested), and no per-step sort by column is needed. Rows of C are split into ranges between the caller and the
/// step's background thread; each element is written by one of them only, so the thread count does not change the result.
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// C[k×n] = Aᵀ·B with A (m×k) given by its row lists <paramref name="a"/> and B (m×n) dense, row-major with leading
    /// dimension <paramref name="ldb"/>; C is overwritten.
    /// </summary>
    /// <param name="a">A's non-zeros by row (m = <see cref="SparseLists.Rows"/>, k = <see cref="SparseLists.Cols"/>).</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="b">B, m×n.</param>
    /// <param name="ldb">Distance between consecutive rows of B.</param>
    /// <param name="c">C, k×n.</param>
    /// <param name="ldc">Distance between consecutive rows of C.</param>
    /// <param name="maxThreads">Upper bound on threads (2 at most: the caller and the background thread).</param>
    /// <exception cref="ArgumentException">A span is too short, a leading dimension too small, or the lists are malformed.</exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="SparseListsSupported"/> is false.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    internal static void MultiplySparseTransposed(in SparseLists a, int n, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int maxThreads = 1)
    {
        CheckLists(a, n, maxThreads);
        int m = a.Rows, k = a.Cols;
        CheckOperand("b", "B", b.Length, ldb, m, n, Transpose.No, m, n);
        CheckOperand("c", "C", c.Length, ldc, k, n, Transpose.No, k, n);
        if (k == 0 || n == 0)
        {
            return;
        }

        if (m == 0)
        {
            // As the dense product: an empty sum, zeros stored.
            for (int r = 0; r < k; r++)
            {
                c.Slice(r * ldc, n).Clear();
            }

            return;
        }

        fixed (float* pb = b, pc = c)
        {
            var args = new ScatterArgs
            {
                Start = a.Start, Index = a.Index, Value = a.Value, M = m, N = n, B = pb, Ldb = ldb, C = pc, Ldc = ldc,
                // The dense product's summation blocks: none for a C of at most two rows (its small-row path), KC rows otherwise.
                Kc = UseSmallRows(BestPath, k) ? m : GetBlocking(BestPath).Kc,
            };
            long work = (long)a.Count * n;
            if (Math.Min(maxThreads, Environment.ProcessorCount) > 1 && work >= MinMacsTwoWay && k >= 16)
            {
                HelperThread.RunSplit(&ScatterRange, &args, k, align: 1);
            }
            else
            {
                ScatterRange(&args, 0, k);
            }
        }
    }

    private struct ScatterArgs
    {
        public int* Start, Index;
        public float* Value, B, C;
        public int M, N, Ldb, Ldc, Kc;
    }

    [ThreadStatic] private static float[]? t_scatterBlock;
    [ThreadStatic] private static int[]? t_scatterCursor;

    /// <summary>The first position in [lo, hi) of the ascending <paramref name="index"/> holding at least <paramref name="key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LowerBound(int* index, int lo, int hi, int key)
    {
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (index[mid] < key) lo = mid + 1;
            else hi = mid;
        }

        return lo;
    }

    /// <summary>Bytes of C a sub-range of rows may take, so that it stays in a 32 KiB (or larger) L1 cache with room for dy's rows.</summary>
    private const int ScatterTargetBytes = 24 * 1024;

    /// <summary>
    /// Rows [k0, k1) of C, in sub-ranges of at most <see cref="ScatterTargetBytes"/> (a row of C is loaded and stored for every
    /// entry in its column: from L1, not L2, when the sub-range's rows stay there; on the reference layer this halved the time on
    /// one thread). Per summation block of A's rows: the first block is scattered into C from zero, each later one into a
    /// scratch from zero and then added to C, as the dense kernels add their block sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void ScatterRange(void* context, int k0, int k1)
    {
        ref ScatterArgs g = ref *(ScatterArgs*)context;
        int n = g.N, m = g.M;
        int sub = Math.Max(1, ScatterTargetBytes / (n * sizeof(float)));
        if (t_scatterCursor is null || t_scatterCursor.Length < m)
        {
            t_scatterCursor = new int[Math.Max(m, 256)];
        }

        float* block = null;
        if (m > g.Kc)
        {
            int length = Math.Min(sub, k1 - k0) * n;
            if (t_scatterBlock is null || t_scatterBlock.Length < length)
            {
                t_scatterBlock = GC.AllocateUninitializedArray<float>(length, pinned: true);
            }

            block = (float*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(t_scatterBlock));
        }

        fixed (int* cursor = t_scatterCursor)
        {
            // Each row's first entry at or after k0; sub-ranges then move the cursors forward.
            for (int i = 0; i < m; i++)
            {
                cursor[i] = LowerBound(g.Index, g.Start[i], g.Start[i + 1], k0);
            }

            for (int s0 = k0; s0 < k1; s0 += sub)
            {
                int s1 = Math.Min(k1, s0 + sub);
                for (int i0 = 0; i0 < m; i0 += g.Kc)
                {
                    int i1 = Math.Min(m, i0 + g.Kc);
                    if (i0 == 0)
                    {
                        ScatterBlock(g, i0, i1, s0, s1, cursor, g.C + (long)s0 * g.Ldc, g.Ldc);
                        continue;
                    }

                    ScatterBlock(g, i0, i1, s0, s1, cursor, block, n);
                    for (int r = 0; r < s1 - s0; r++)
                    {
                        var sum = new Span<float>(block + (long)r * n, n);
                        var c = new Span<float>(g.C + (long)(s0 + r) * g.Ldc, n);
                        System.Numerics.Tensors.TensorPrimitives.Add(c, sum, c); // C + block sum, element by element
                    }
                }
            }
        }
    }

    /// <summary>
    /// T = (rows [i0, i1) of A)ᵀ·(the same rows of B), restricted to A's columns [k0, k1): T's row r (at
    /// <paramref name="target"/> + r·<paramref name="ldt"/>) is column k0 + r, cleared and then summed over the rows in
    /// ascending order. <paramref name="cursor"/>[i] is row i's first entry at or after k0, moved past k1 on return.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void ScatterBlock(in ScatterArgs g, int i0, int i1, int k0, int k1, int* cursor, float* target, int ldt)
    {
        int n = g.N;
        for (int r = 0; r < k1 - k0; r++)
        {
            new Span<float>(target + (long)r * ldt, n).Clear();
        }

        int* idx = g.Index;
        float* val = g.Value;
        float* cBase = target - (long)k0 * ldt; // row k of T at cBase + k·ldt
        int ldc = ldt;
        bool wide = Vector512.IsHardwareAccelerated; // (DenseLayer scatters only where this holds)
        int width = wide ? 16 : Vector256.IsHardwareAccelerated ? 8 : 1;
        int nVec = width > 1 ? n / width * width : 0;
        for (int i = i0; i < i1; i++)
        {
            int q0 = cursor[i], q1 = q0, end = g.Start[i + 1];
            while (q1 < end && idx[q1] < k1)
            {
                q1++;
            }

            cursor[i] = q1;
            if (q0 == q1)
            {
                continue;
            }

            float* dy = g.B + (long)i * g.Ldb;
            int j = 0;
            if (wide)
            {
                // Eight zmm of dy's row held in registers, each entry's row of C loaded, updated and stored.
                for (; j + 128 <= nVec; j += 128)
                {
                    var d0 = Vector512.Load(dy + j); var d1 = Vector512.Load(dy + j + 16);
                    var d2 = Vector512.Load(dy + j + 32); var d3 = Vector512.Load(dy + j + 48);
                    var d4 = Vector512.Load(dy + j + 64); var d5 = Vector512.Load(dy + j + 80);
                    var d6 = Vector512.Load(dy + j + 96); var d7 = Vector512.Load(dy + j + 112);
                    for (int q = q0; q < q1; q++)
                    {
                        float* cr = cBase + (long)idx[q] * ldc + j;
                        var v = Vector512.Create(val[q]);
                        Vector512.FusedMultiplyAdd(v, d0, Vector512.Load(cr)).Store(cr);
                        Vector512.FusedMultiplyAdd(v, d1, Vector512.Load(cr + 16)).Store(cr + 16);
                        Vector512.FusedMultiplyAdd(v, d2, Vector512.Load(cr + 32)).Store(cr + 32);
                        Vector512.FusedMultiplyAdd(v, d3, Vector512.Load(cr + 48)).Store(cr + 48);
                        Vector512.FusedMultiplyAdd(v, d4, Vector512.Load(cr + 64)).Store(cr + 64);
                        Vector512.FusedMultiplyAdd(v, d5, Vector512.Load(cr + 80)).Store(cr + 80);
                        Vector512.FusedMultiplyAdd(v, d6, Vector512.Load(cr + 96)).Store(cr + 96);
                        Vector512.FusedMultiplyAdd(v, d7, Vector512.Load(cr + 112)).Store(cr + 112);
                    }
                }

                for (; j < nVec; j += 16)
                {
                    var d0 = Vector512.Load(dy + j);
                    for (int q = q0; q < q1; q++)
                    {
                        float* cr = cBase + (long)idx[q] * ldc + j;
                        Vector512.FusedMultiplyAdd(Vector512.Create(val[q]), d0, Vector512.Load(cr)).Store(cr);
                    }
                }
            }
            else if (width == 8)
            {
                // Eight ymm of dy's row (64 columns) per pass: sixteen registers in all on AVX2.
                for (; j + 64 <= nVec; j += 64)
                {
                    var d0 = Vector256.Load(dy + j); var d1 = Vector256.Load(dy + j + 8);
                    var d2 = Vector256.Load(dy + j + 16); var d3 = Vector256.Load(dy + j + 24);
                    var d4 = Vector256.Load(dy + j + 32); var d5 = Vector256.Load(dy + j + 40);
                    var d6 = Vector256.Load(dy + j + 48); var d7 = Vector256.Load(dy + j + 56);
                    for (int q = q0; q < q1; q++)
                    {
                        float* cr = cBase + (long)idx[q] * ldc + j;
                        var v = Vector256.Create(val[q]);
                        Vector256.FusedMultiplyAdd(v, d0, Vector256.Load(cr)).Store(cr);
                        Vector256.FusedMultiplyAdd(v, d1, Vector256.Load(cr + 8)).Store(cr + 8);
                        Vector256.FusedMultiplyAdd(v, d2, Vector256.Load(cr + 16)).Store(cr + 16);
                        Vector256.FusedMultiplyAdd(v, d3, Vector256.Load(cr + 24)).Store(cr + 24);
                        Vector256.FusedMultiplyAdd(v, d4, Vector256.Load(cr + 32)).Store(cr + 32);
                        Vector256.FusedMultiplyAdd(v, d5, Vector256.Load(cr + 40)).Store(cr + 40);
                        Vector256.FusedMultiplyAdd(v, d6, Vector256.Load(cr + 48)).Store(cr + 48);
                        Vector256.FusedMultiplyAdd(v, d7, Vector256.Load(cr + 56)).Store(cr + 56);
                    }
                }

                for (; j < nVec; j += 8)
                {
                    var d0 = Vector256.Load(dy + j);
                    for (int q = q0; q < q1; q++)
                    {
                        float* cr = cBase + (long)idx[q] * ldc + j;
                        Vector256.FusedMultiplyAdd(Vector256.Create(val[q]), d0, Vector256.Load(cr)).Store(cr);
                    }
                }
            }

            // Columns past the last full vector: the same fused multiply-add, one element at a time.
            for (; j < n; j++)
            {
                float dj = dy[j];
                for (int q = q0; q < q1; q++)
                {
                    float* cr = cBase + (long)idx[q] * ldc + j;
                    *cr = MathF.FusedMultiplyAdd(val[q], dj, *cr);
                }
            }
        }
    }
}
