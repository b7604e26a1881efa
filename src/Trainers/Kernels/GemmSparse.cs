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
    /// <summary>Products with fewer multiply-adds than this never test for sparsity.</summary>
    internal const long SparseMinMacs = 1L << 16;

    private static bool CanUseSparse(GemmPath path, in Args g) =>
        DiagnosticSwitches.SparseKernels && path is GemmPath.Avx2 or GemmPath.Avx512 && Fma.IsSupported && g.TransB == Transpose.No
        && (long)g.M * g.N * g.K >= SparseMinMacs && g.N >= 8;

    /// <summary>Fraction of non-zeros among (up to) the first 16 rows of the stored A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    internal static int CountNonZero(float* x, int n)
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
    /// <param name="path">The caller's path: <see cref="GemmPath.Avx512"/> runs the zmm panel executor, the others the ymm one.</param>
    /// <param name="g">The product.</param>
    /// <param name="kc">The summation block: the path's <see cref="Blocking.Kc"/>, or k for the small-row path.</param>
    /// <param name="maxThreads">Upper bound on threads (rows of C are split; results do not depend on it).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static bool TryRunSparse(GemmPath path, in Args g, int kc, int maxThreads = 1)
    {
        if ((g.TransA == Transpose.Yes && !DiagnosticSwitches.SparseTransposed))
        {
            return false;
        }

        // The panel executors: AVX-512 (zmm) on the AVX-512 path, AVX2 (ymm) otherwise; the same packed panels and arithmetic.
        bool panels = g.N >= PanelWidth && g.M >= 16 && (Avx512F.IsSupported || Avx2.IsSupported);
        bool zmm = panels && path == GemmPath.Avx512 && Avx512F.IsSupported;
        double density = SampleDensity(g);
        if (density > (panels ? (zmm ? DiagnosticSwitches.SparseMaxDensityPanels : DiagnosticSwitches.SparseMaxDensityPanelsAvx2) : DiagnosticSwitches.SparseMaxDensity))
        {
            return false;
        }

        // Packing pays for itself only when B is reused by many rows of C.
        float* packedB = panels ? PackPanels(g) : null;

        RunSparseSplit(g, kc, density, maxThreads, packedB, zmm);
        return true;
    }

    /// <summary>
    /// Runs a zero-skipping product (dense A or A's lists) on as many threads as its multiply-adds at
    /// <paramref name="density"/> are worth, rows of C split into ranges claimed dynamically.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static void RunSparseSplit(in Args g, int kc, double density, int maxThreads, float* packedB, bool zmm)
    {
        long work = (long)(g.M * (double)g.N * g.K * Math.Max(density, 0.02));
        int threads = (int)Math.Min(Math.Min(maxThreads, Environment.ProcessorCount), ThreadsByWork(work));
        threads = Math.Min(threads, Math.Max(1, g.M / 8));
        ParallelJob? job = threads > 1 ? ParallelJob.Rent() : null;
        if (job is null)
        {
            RunSparse(g, kc, 0, g.M, packedB, zmm);
        }
        else
        {
            job.StartSparse(g, kc, threads, packedB, zmm);
            RunJob(job, threads);
        }
    }

    /// <summary>The zero-skipping product restricted to rows [i0, i1) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static void RunSparse(in Args g, int kc, int i0, int i1, float* packedB, bool zmm)
    {
        if (g.ListStart != null)
        {
            RunLists(g, kc, i0, i1, packedB, zmm);
        }
        else if (g.TransA == Transpose.No)
        {
            RunSparseRows(g, kc, i0, i1, packedB, zmm);
        }
        else
        {
            RunSparseColumns(g, kc, i0, i1, packedB, zmm);
        }
    }

    /// <summary>
    /// Lists the non-zeros of x[0..n) (ascending) into <paramref name="idx"/> (index + <paramref name="offset"/>)
    /// and <paramref name="val"/> (both with room for n + 16 values); returns their count. Cost ∝ n/16 + non-zeros (mask scan, no per-element branch).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    internal static int ListNonZeros(float* x, int n, int offset, int* idx, float* val)
    {
        int count = 0, p = 0;
        if (Avx512F.IsSupported)
        {
            // Register compress (the memory form is slow on some CPUs), full-width stores: idx and val need 16 spare slots.
            Vector512<int> lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) + Vector512.Create(offset);
            for (; p + 16 <= n; p += 16)
            {
                Vector512<float> v = Vector512.Load(x + p);
                Vector512<float> nonZero = ~Vector512.Equals(v, Vector512<float>.Zero);
                Avx512F.Compress(Vector512<float>.Zero, nonZero, v).Store(val + count);
                Avx512F.Compress(Vector512<int>.Zero, nonZero.AsInt32(), lanes + Vector512.Create(p)).Store(idx + count);
                count += BitOperations.PopCount(nonZero.ExtractMostSignificantBits());
            }
        }
        else if (Avx2.IsSupported)
        {
            // Table-driven compress: the 8-bit non-zero mask selects a permutation that packs the listed lanes
            // to the front; the permutation itself, offset by p, is the index vector. Full-width stores: 8 spare slots.
            int* lut = CompressTable;
            Vector256<int> baseIndex = Vector256.Create(offset);
            for (; p + 8 <= n; p += 8)
            {
                Vector256<float> v = Avx.LoadVector256(x + p);
                int nz = (int)(~Vector256.Equals(v, Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFFu);
                Vector256<int> perm = Avx.LoadVector256(lut + nz * 8);
                Avx.Store(val + count, Avx2.PermuteVar8x32(v, perm));
                Avx.Store(idx + count, Avx2.Add(perm, baseIndex + Vector256.Create(p)));
                count += BitOperations.PopCount((uint)nz);
            }
        }
        else if (Vector512.IsHardwareAccelerated)
        {
            for (; p + 16 <= n; p += 16)
            {
                ulong nz = ~Vector512.Equals(Vector512.Load(x + p), Vector512<float>.Zero).ExtractMostSignificantBits() & 0xFFFFUL;
                while (nz != 0)
                {
                    int bit = BitOperations.TrailingZeroCount(nz);
                    idx[count] = p + bit + offset;
                    val[count] = x[p + bit];
                    count++;
                    nz &= nz - 1;
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; p + 8 <= n; p += 8)
            {
                uint nz = ~Vector256.Equals(Vector256.Load(x + p), Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFFu;
                while (nz != 0)
                {
                    int bit = BitOperations.TrailingZeroCount(nz);
                    idx[count] = p + bit + offset;
                    val[count] = x[p + bit];
                    count++;
                    nz &= nz - 1;
                }
            }
        }

        for (; p < n; p++)
        {
            float v = x[p];
            idx[count] = p + offset;
            val[count] = v;
            count += v != 0f ? 1 : 0;
        }

        return count;
    }

    /// <summary>
    /// For each 8-bit mask, the positions of its set bits in ascending order (then zeros): the lane permutation
    /// of the AVX2 compress in <see cref="ListNonZeros"/>. 256 × 8 ints in a pinned array.
    /// </summary>
    private static readonly int* CompressTable = BuildCompressTable();

    private static int* BuildCompressTable()
    {
        int[] table = GC.AllocateArray<int>(256 * 8 + 16, pinned: true);
        int* p = (int*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(table));
        p = (int*)(((nint)p + 31) & ~(nint)31);
        s_compressTableRoot = table;
        for (int mask = 0; mask < 256; mask++)
        {
            int c = 0;
            for (int bit = 0; bit < 8; bit++)
            {
                if ((mask & (1 << bit)) != 0)
                {
                    p[mask * 8 + c++] = bit;
                }
            }
        }

        return p;
    }

    private static int[]? s_compressTableRoot;

    /// <summary>op(A) = A (m×k, row-major): per row of C, the non-zeros of A's row per k block drive AXPYs over B's rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunSparseRows(in Args g, int kc, int i0, int i1, float* packedB, bool zmm)
    {
        int m = i1 - i0;
        if (packedB != null)
        {
            // Lists of all rows first, then B panels that stay in L1 across the rows.
            int[] startArray = Scratch.Ints(0, m + 1);
            int[] idxArray = Scratch.Ints(1, m * g.K + 16);
            float[] valArray = Scratch.Floats(0, m * g.K + 16);
            fixed (int* start = startArray, idxAll = idxArray)
            fixed (float* valAll = valArray)
            {
                start[0] = 0;
                for (int i = 0; i < m; i++)
                {
                    start[i + 1] = start[i] + ListNonZeros(g.A + (long)(i0 + i) * g.Lda, g.K, 0, idxAll + start[i], valAll + start[i]);
                }

                RunPanels(g, kc, i0, m, start, idxAll, valAll, packedB, zmm);
            }

            return;
        }

        int[] rowIdxArray = Scratch.Ints(1, g.K + 16);
        float[] rowValArray = Scratch.Floats(0, g.K + 16);
        fixed (int* idx = rowIdxArray)
        fixed (float* val = rowValArray)
        {
            for (int i = i0; i < i1; i++)
            {
                float* c = g.C + (long)i * g.Ldc;
                int total = ListNonZeros(g.A + (long)i * g.Lda, g.K, 0, idx, val);
                int q = 0;
                for (int pc = 0; pc < g.K; pc += kc)
                {
                    int end = Math.Min(g.K, pc + kc), q0 = q;
                    while (q < total && idx[q] < end)
                    {
                        q++;
                    }

                    SparseAxpy(q - q0, idx + q0, val + q0, g.B, g.Ldb, c, g.N, add: pc > 0 || g.Accumulate);
                }
            }
        }

    }

    /// <summary>Columns per B panel of the AVX-512 list executor (two zmm accumulators per row of C).</summary>
    private const int PanelWidth = 32;

    [ThreadStatic] private static float[]? t_panelArray;

    /// <summary>
    /// Copies the full 32-column panels of B (k×n, row-major) into a 64-byte-aligned buffer, panel after
    /// panel, each k rows of 32 contiguous values: every load of the list executor is then one aligned line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static float* PackPanels(in Args g)
    {
        int panels = g.N / PanelWidth, k = g.K;
        int length = panels * k * PanelWidth + 16;
        if (t_panelArray is null || t_panelArray.Length < length)
        {
            t_panelArray = GC.AllocateUninitializedArray<float>(length, pinned: true);
        }

        float* raw = (float*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(t_panelArray));
        float* packed = (float*)(((nint)raw + 63) & ~(nint)63);
        for (int q = 0; q < panels; q++)
        {
            float* dst = packed + (long)q * k * PanelWidth;
            float* src = g.B + q * PanelWidth;
            for (int p = 0; p < k; p++)
            {
                float* s = src + (long)p * g.Ldb;
                if (Vector512.IsHardwareAccelerated)
                {
                    Vector512.Store(Vector512.Load(s), dst + p * PanelWidth);
                    Vector512.Store(Vector512.Load(s + 16), dst + p * PanelWidth + 16);
                }
                else
                {
                    for (int v = 0; v < PanelWidth; v += 8)
                    {
                        Vector256.Store(Vector256.Load(s + v), dst + p * PanelWidth + v);
                    }
                }
            }
        }

        return packed;
    }

    /// <summary>The panel executor for C rows i0.. (m of them) from per-row lists: zmm (AVX-512 path) or ymm.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunPanels(in Args g, int kc, int i0, int m, int* start, int* idx, float* val, float* packedB, bool zmm)
    {
        if (zmm)
        {
            RunListsPanels(g, kc, i0, m, start, idx, val, packedB);
        }
        else
        {
            RunListsPanelsAvx2(g, kc, i0, m, start, idx, val, packedB);
        }
    }

    /// <summary>
    /// C rows i0.. (m of them) from per-row lists of (k index ascending, value): for each 32-column panel
    /// of B and each k block (the panel's block slice, ≤ 24 KiB, stays in L1 across rows), two rows of C
    /// at a time are summed with fused multiply-adds from zero in ascending k (four independent chains
    /// hide the FMA latency), then stored or added to C once: the dense kernels' arithmetic minus the
    /// zero terms. Columns past the last full panel go through <see cref="SparseAxpy"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunListsPanels(in Args g, int kc, int i0, int m, int* start, int* idx, float* val, float* packedB)
    {
        int k = g.K, blocks = (k + kc - 1) / kc;
        int[] cutArray = Scratch.Ints(4, m * (blocks + 1));
        fixed (int* cut = cutArray)
        {
            // cut[i·(blocks+1) + b]: first list entry of row i at or after k block b.
            for (int i = 0; i < m; i++)
            {
                int q = start[i], qEnd = start[i + 1];
                int* ci = cut + i * (blocks + 1);
                for (int b = 0; b < blocks; b++)
                {
                    ci[b] = q;
                    int end = Math.Min(k, (b + 1) * kc);
                    while (q < qEnd && idx[q] < end)
                    {
                        q++;
                    }
                }

                ci[blocks] = q;
            }

            int nFull = g.N / PanelWidth * PanelWidth;
            const long ldb = PanelWidth;
            for (int jp = 0; jp < nFull; jp += PanelWidth)
            {
                float* bPanel = packedB + (long)jp * k;
                for (int b = 0; b < blocks; b++)
                {
                    bool add = b > 0 || g.Accumulate;
                    int i = 0;
                    for (; i + 2 <= m; i += 2)
                    {
                        int* c0 = cut + i * (blocks + 1) + b;
                        int* c1 = c0 + blocks + 1;
                        int qa = c0[0], qaEnd = c0[1], qb = c1[0], qbEnd = c1[1];
                        Vector512<float> a0 = default, a1 = default, b0 = default, b1 = default;
                        int common = Math.Min(qaEnd - qa, qbEnd - qb);
                        for (int t = 0; t < common; t++)
                        {
                            float* pa = bPanel + idx[qa + t] * ldb;
                            float* pb = bPanel + idx[qb + t] * ldb;
                            var va = Vector512.Create(val[qa + t]);
                            var vb = Vector512.Create(val[qb + t]);
                            a0 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(pa), a0);
                            a1 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(pa + 16), a1);
                            b0 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(pb), b0);
                            b1 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(pb + 16), b1);
                        }

                        for (int q = qa + common; q < qaEnd; q++)
                        {
                            float* pa = bPanel + idx[q] * ldb;
                            var va = Vector512.Create(val[q]);
                            a0 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(pa), a0);
                            a1 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(pa + 16), a1);
                        }

                        for (int q = qb + common; q < qbEnd; q++)
                        {
                            float* pb = bPanel + idx[q] * ldb;
                            var vb = Vector512.Create(val[q]);
                            b0 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(pb), b0);
                            b1 = Avx512F.FusedMultiplyAdd(vb, Avx512F.LoadVector512(pb + 16), b1);
                        }

                        float* ca = g.C + (long)(i0 + i) * g.Ldc + jp;
                        float* cb = ca + g.Ldc;
                        StoreSparse(ca, a0, add); StoreSparse(ca + 16, a1, add);
                        StoreSparse(cb, b0, add); StoreSparse(cb + 16, b1, add);
                    }

                    for (; i < m; i++)
                    {
                        int* c0 = cut + i * (blocks + 1) + b;
                        Vector512<float> a0 = default, a1 = default;
                        for (int q = c0[0]; q < c0[1]; q++)
                        {
                            float* pa = bPanel + idx[q] * ldb;
                            var va = Vector512.Create(val[q]);
                            a0 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(pa), a0);
                            a1 = Avx512F.FusedMultiplyAdd(va, Avx512F.LoadVector512(pa + 16), a1);
                        }

                        float* ca = g.C + (long)(i0 + i) * g.Ldc + jp;
                        StoreSparse(ca, a0, add); StoreSparse(ca + 16, a1, add);
                    }
                }
            }

            if (nFull < g.N)
            {
                for (int i = 0; i < m; i++)
                {
                    int* ci = cut + i * (blocks + 1);
                    float* c = g.C + (long)(i0 + i) * g.Ldc + nFull;
                    for (int b = 0; b < blocks; b++)
                    {
                        SparseAxpy(ci[b + 1] - ci[b], idx + ci[b], val + ci[b], g.B + nFull, g.Ldb, c, g.N - nFull, add: b > 0 || g.Accumulate);
                    }
                }
            }
        }

    }

    /// <summary>
    /// op(A) = Aᵀ with A stored k×m (the weight gradient xᵀ·dy), for rows [i0, i1) of C: A's non-zeros in
    /// those columns are listed per column (ascending k), then each row of C is the AXPY sum of its
    /// column's entries per k block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunSparseColumns(in Args g, int kc, int i0, int i1, float* packedB, bool zmm)
    {
        int m = i1 - i0, k = g.K;
        if (packedB != null && k % 8 == 0 && Avx.IsSupported)
        {
            // Transpose A's columns [i0, i1) with 8×8 register transposes, then list each (now contiguous) column.
            float* at = Buffers.Transposed(m * k);
            PackBTransposedAvx(g.A + i0, g.Lda, m, k, at);
            int[] tStartArray = Scratch.Ints(0, m + 1);
            int[] tIdxArray = Scratch.Ints(1, m * k + 16);
            float[] tValArray = Scratch.Floats(0, m * k + 16);
            fixed (int* start = tStartArray, idx = tIdxArray)
            fixed (float* val = tValArray)
            {
                start[0] = 0;
                for (int i = 0; i < m; i++)
                {
                    start[i + 1] = start[i] + ListNonZeros(at + (long)i * k, k, 0, idx + start[i], val + start[i]);
                }

                RunPanels(g, kc, i0, m, start, idx, val, packedB, zmm);
            }

            return;
        }

        int[] startArray = Scratch.Ints(0, m + 1);
        int[] scratchIdxArray = Scratch.Ints(1, m + 16);
        float[] scratchValArray = Scratch.Floats(0, m + 16);
        fixed (int* start = startArray, sIdx = scratchIdxArray)
        fixed (float* sVal = scratchValArray)
        {
            new Span<int>(start, m + 1).Clear();
            for (int p = 0; p < k; p++)
            {
                int count = ListNonZeros(g.A + (long)p * g.Lda + i0, m, 0, sIdx, sVal);
                for (int q = 0; q < count; q++)
                {
                    start[sIdx[q] + 1]++;
                }
            }

            for (int i = 0; i < m; i++)
            {
                start[i + 1] += start[i];
            }

            int total = start[m];
            int[] rowArray = Scratch.Ints(2, total + 1);
            float[] valArray = Scratch.Floats(1, total + 1);
            int[] nextArray = Scratch.Ints(3, m);
            fixed (int* rowsOf = rowArray, next = nextArray)
            fixed (float* val = valArray)
            {
                new Span<int>(start, m).CopyTo(new Span<int>(next, m));
                for (int p = 0; p < k; p++)
                {
                    int count = ListNonZeros(g.A + (long)p * g.Lda + i0, m, 0, sIdx, sVal);
                    for (int q = 0; q < count; q++)
                    {
                        int at = next[sIdx[q]]++;
                        rowsOf[at] = p;
                        val[at] = sVal[q];
                    }
                }

                if (packedB != null)
                {
                    RunPanels(g, kc, i0, m, start, rowsOf, val, packedB, zmm);
                }
                else
                for (int i = 0; i < m; i++)
                {
                    float* c = g.C + (long)(i0 + i) * g.Ldc;
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

        }

    }

    /// <summary>
    /// c[0..n) (+)= Σ_q val[q]·B[idx[q]·ldb + 0..n): one fused multiply-add chain per element from zero in
    /// ascending q, then stored, or added to c once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void SparseAxpy(int count, int* idx, float* val, float* b, int ldb, float* c, int n, bool add)
    {
        int j = 0;
        if (Avx512F.IsSupported)
        {
            for (; j + 128 <= n; j += 128)
            {
                Vector512<float> z0 = default, z1 = default, z2 = default, z3 = default, z4 = default, z5 = default, z6 = default, z7 = default;
                for (int q = 0; q < count; q++)
                {
                    var av = Vector512.Create(val[q]);
                    float* bp = b + (long)idx[q] * ldb + j;
                    z0 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp), z0);
                    z1 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp + 16), z1);
                    z2 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp + 32), z2);
                    z3 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp + 48), z3);
                    z4 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp + 64), z4);
                    z5 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp + 80), z5);
                    z6 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp + 96), z6);
                    z7 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp + 112), z7);
                }

                StoreSparse(c + j, z0, add); StoreSparse(c + j + 16, z1, add);
                StoreSparse(c + j + 32, z2, add); StoreSparse(c + j + 48, z3, add);
                StoreSparse(c + j + 64, z4, add); StoreSparse(c + j + 80, z5, add);
                StoreSparse(c + j + 96, z6, add); StoreSparse(c + j + 112, z7, add);
            }
        }

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
    private static void StoreSparse(float* c, Vector512<float> v, bool add)
    {
        if (add)
        {
            v = Avx512F.Add(v, Avx512F.LoadVector512(c));
        }

        Avx512F.Store(c, v);
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

/// <summary>
/// Per-thread grow-only scratch arrays of the zero-skipping path, by slot (arrays alive at the same time
/// on one thread use distinct slots): no allocation, and no pool traffic, in steady state.
/// </summary>
internal static class Scratch
{
    [ThreadStatic] private static int[]?[]? t_ints;
    [ThreadStatic] private static float[]?[]? t_floats;

    /// <summary>An int array of at least <paramref name="length"/> elements for <paramref name="slot"/> (0–7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public static int[] Ints(int slot, int length) => Get(ref t_ints, slot, length);

    /// <summary>A float array of at least <paramref name="length"/> elements for <paramref name="slot"/> (0–7).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public static float[] Floats(int slot, int length) => Get(ref t_floats, slot, length);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static T[] Get<T>(ref T[]?[]? slots, int slot, int length)
    {
        slots ??= new T[]?[8];
        T[]? array = slots[slot];
        if (array is null || array.Length < length)
        {
            array = new T[Math.Max(length, (array?.Length ?? 0) * 5 / 4)];
            slots[slot] = array;
        }

        return array;
    }
}
