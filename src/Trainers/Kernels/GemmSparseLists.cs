using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Products whose A operand arrives as lists of its non-zeros (<see cref="SparseLists"/>, built once per minibatch by
/// the training loop from rows kept sparse since the data was read): the zero-skipping executors of <c>GemmSparse.cs</c>
/// without the per-call listing (and, for the weight gradient xᵀ·dy, without transposing x). Every element of C is the
/// same fused multiply-add chain, in the same blocks, as the dense product of the matrix the lists describe, so the
/// results are bit-identical to <see cref="Multiply(Transpose, Transpose, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool, int)"/>
/// on that matrix (tested).
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Whether <see cref="MultiplySparse"/> runs on this machine: it needs the zero-skipping executors (AVX2 + FMA or
    /// AVX-512) and the zero-skipping path switched on (<see cref="DiagnosticSwitches.SparseKernels"/>).
    /// </summary>
    internal static bool SparseListsSupported =>
        DiagnosticSwitches.SparseKernels && Fma.IsSupported && BestPath is GemmPath.Avx2 or GemmPath.Avx512;

    /// <summary>
    /// C[m×n] = A·B (+ C when <paramref name="accumulate"/>) with A (m×k) given by <paramref name="a"/> and B (k×n) dense,
    /// row-major with leading dimension <paramref name="ldb"/>. For the weight gradient xᵀ·dy pass the lists of x by column.
    /// </summary>
    /// <param name="a">A's non-zeros by row: m = <see cref="SparseLists.Rows"/>, k = <see cref="SparseLists.Cols"/>.</param>
    /// <param name="n">Columns of B and C.</param>
    /// <param name="b">B, k×n.</param>
    /// <param name="ldb">Distance between consecutive rows of B.</param>
    /// <param name="c">C, m×n.</param>
    /// <param name="ldc">Distance between consecutive rows of C.</param>
    /// <param name="accumulate">True to add the product to C, false to overwrite C.</param>
    /// <param name="maxThreads">Upper bound on threads (rows of C are split; results do not depend on it).</param>
    /// <exception cref="ArgumentException">A span is too short, a leading dimension too small, or the lists are malformed.</exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="SparseListsSupported"/> is false.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    internal static void MultiplySparse(in SparseLists a, int n, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        bool accumulate = false, int maxThreads = 1)
    {
        CheckLists(a, n, maxThreads);
        int m = a.Rows, k = a.Cols;
        CheckOperand("b", "B", b.Length, ldb, k, n, Transpose.No, k, n);
        CheckOperand("c", "C", c.Length, ldc, m, n, Transpose.No, m, n);
        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (float* pb = b, pc = c)
        {
            GemmPath path = BestPath;
            bool panels = n >= PanelWidth && m >= 16;
            bool zmm = panels && path == GemmPath.Avx512;
            var args = new Args(a, n, pb, ldb, pc, ldc, accumulate, wideLists: panels && UseWideLists(n, zmm));
            if (k == 0)
            {
                // As the dense product: nothing to add, zeros to store.
                for (int i = 0; i < m && !accumulate; i++)
                {
                    new Span<float>(pc + (long)i * ldc, n).Clear();
                }

                return;
            }

            // The summation blocks of the dense product this replaces: the whole k for the small-row path, KC otherwise.
            int kc = UseSmallRows(path, m) ? k : GetBlocking(path).Kc;
            float* packedB = !panels ? null : args.WideLists ? AlignRows(args) : PackPanels(args);
            RunSparseSplit(args, kc, a.Count / Math.Max(1.0, (double)m * k), maxThreads, packedB, zmm);
        }
    }

    /// <summary>What every product from lists checks first: the executors exist here, the lists are well formed, a thread count.</summary>
    private static void CheckLists(in SparseLists a, int n, int maxThreads)
    {
        if (!SparseListsSupported)
        {
            throw new PlatformNotSupportedException("Products from sparse lists need the AVX2 + FMA or AVX-512 zero-skipping path.");
        }

        if (a.Rows < 0 || a.Cols < 0 || n < 0 || (a.Rows > 0 && a.Start == null))
        {
            throw new ArgumentException($"Malformed sparse lists (rows {a.Rows}, columns {a.Cols}).", nameof(a));
        }

        if (maxThreads < 1)
        {
            throw new ArgumentException($"maxThreads must be at least 1 (was {maxThreads}).", nameof(maxThreads));
        }
    }

    /// <summary>
    /// Rows [i0, i1) of C from A's lists: the 128-column executor or the panel executors when B was prepared for them,
    /// per-row AXPYs otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunLists(in Args g, int kc, int i0, int i1, float* packedB, bool zmm)
    {
        if (packedB != null && g.WideLists)
        {
            if (zmm) RunListsWide(g, kc, i0, i1 - i0, g.ListStart + i0, g.ListIndex, g.ListValue, packedB);
            else RunListsWideAvx2(g, kc, i0, i1 - i0, g.ListStart + i0, g.ListIndex, g.ListValue, packedB);
            return;
        }

        if (packedB != null)
        {
            RunPanels(g, kc, i0, i1 - i0, g.ListStart + i0, g.ListIndex, g.ListValue, packedB, zmm);
            return;
        }

        for (int i = i0; i < i1; i++)
        {
            float* c = g.C + (long)i * g.Ldc;
            int q = g.ListStart[i], qEnd = g.ListStart[i + 1];
            int pc = 0;
            do
            {
                int end = Math.Min(g.K, pc + kc), q0 = q;
                while (q < qEnd && g.ListIndex[q] < end)
                {
                    q++;
                }

                SparseAxpy(q - q0, g.ListIndex + q0, g.ListValue + q0, g.B, g.Ldb, c, g.N, add: pc > 0 || g.Accumulate);
                pc += kc;
            }
            while (pc < g.K);
        }
    }
}
