using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// The AVX2 executor of the zero-skipping path (machines without AVX-512, e.g. Zen 3): the same per-row lists,
/// the same 32-column packed B panels and the same arithmetic as the AVX-512 executor in <c>GemmSparse.cs</c>,
/// with four ymm accumulators per row of C.
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>
    /// Rows of a packed B panel read per pass: 128 rows × 32 columns × 4 bytes = 16 KiB, half of a 32 KiB L1, so
    /// the slice stays in L1 while every row of C walks it (a whole AVX2 <see cref="Blocking.Kc"/> block, 256 rows,
    /// would fill L1 exactly). The running sums of a row of C cross these sub-blocks through memory unchanged
    /// (a float stored and re-loaded is the same float), so each element is still one fused multiply-add chain
    /// from zero per KC block.
    /// </summary>
    private const int SubBlockRows = 128;

    /// <summary>
    /// C rows i0.. (m of them) from per-row lists of (k index ascending, value): for each 32-column panel and each
    /// KC block, split into sub-blocks of <see cref="SubBlockRows"/> panel rows, two rows of C at a time are summed
    /// with fused multiply-adds in ascending k (eight independent chains), the sums carried between sub-blocks in a
    /// per-row scratch, then stored or added to C once per KC block. Columns past the last full panel go through
    /// <see cref="SparseAxpy"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunListsPanelsAvx2(in Args g, int kc, int i0, int m, int* start, int* idx, float* val, float* packedB)
    {
        int k = g.K;
        int blocks = (k + kc - 1) / kc;
        int perBlock = (Math.Min(kc, k) + SubBlockRows - 1) / SubBlockRows;
        int subs = blocks * perBlock; // an upper bound: the last block may need fewer sub-blocks
        int[] endArray = Scratch.Ints(5, subs);
        int[] blockArray = Scratch.Ints(6, subs);
        int[] cutArray = Scratch.Ints(7, m * (subs + 1));
        float[] carryArray = Scratch.Floats(2, m * PanelWidth + 8);
        fixed (int* subEnd = endArray, subBlock = blockArray, cut = cutArray)
        fixed (float* carryRaw = carryArray)
        {
            // Sub-block s covers panel rows [previous end, subEnd[s]) inside KC block subBlock[s].
            int count = 0;
            for (int b = 0; b < blocks; b++)
            {
                int blockEnd = Math.Min(k, (b + 1) * kc);
                for (int lo = b * kc; lo < blockEnd; lo += SubBlockRows)
                {
                    subEnd[count] = Math.Min(blockEnd, lo + SubBlockRows);
                    subBlock[count] = b;
                    count++;
                }
            }

            subs = count;
            int stride = subs + 1;

            // cut[i·stride + s]: first list entry of row i at or after sub-block s.
            for (int i = 0; i < m; i++)
            {
                int q = start[i], qEnd = start[i + 1];
                int* ci = cut + i * stride;
                for (int s = 0; s < subs; s++)
                {
                    ci[s] = q;
                    int end = subEnd[s];
                    while (q < qEnd && idx[q] < end)
                    {
                        q++;
                    }
                }

                ci[subs] = q;
            }

            float* carry = (float*)(((nint)carryRaw + 31) & ~(nint)31);
            int nFull = g.N / PanelWidth * PanelWidth;
            const long ldb = PanelWidth;
            for (int jp = 0; jp < nFull; jp += PanelWidth)
            {
                float* bPanel = packedB + (long)jp * k;
                for (int s = 0; s < subs; s++)
                {
                    int b = subBlock[s];
                    bool first = s == 0 || subBlock[s - 1] != b;
                    bool last = s == subs - 1 || subBlock[s + 1] != b;
                    bool add = b > 0 || g.Accumulate;
                    int i = 0;
                    for (; i + 2 <= m; i += 2)
                    {
                        int* c0 = cut + i * stride + s;
                        int* c1 = c0 + stride;
                        int qa = c0[0], qaEnd = c0[1], qb = c1[0], qbEnd = c1[1];
                        float* ra = carry + i * PanelWidth;
                        float* rb = ra + PanelWidth;
                        Vector256<float> a0, a1, a2, a3, b0, b1, b2, b3;
                        if (first)
                        {
                            a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = default;
                        }
                        else
                        {
                            a0 = Avx.LoadAlignedVector256(ra); a1 = Avx.LoadAlignedVector256(ra + 8);
                            a2 = Avx.LoadAlignedVector256(ra + 16); a3 = Avx.LoadAlignedVector256(ra + 24);
                            b0 = Avx.LoadAlignedVector256(rb); b1 = Avx.LoadAlignedVector256(rb + 8);
                            b2 = Avx.LoadAlignedVector256(rb + 16); b3 = Avx.LoadAlignedVector256(rb + 24);
                        }

                        int common = Math.Min(qaEnd - qa, qbEnd - qb);
                        for (int t = 0; t < common; t++)
                        {
                            float* pa = bPanel + idx[qa + t] * ldb;
                            float* pb = bPanel + idx[qb + t] * ldb;
                            var va = Vector256.Create(val[qa + t]);
                            var vb = Vector256.Create(val[qb + t]);
                            a0 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa), a0);
                            a1 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa + 8), a1);
                            a2 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa + 16), a2);
                            a3 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa + 24), a3);
                            b0 = Fma.MultiplyAdd(vb, Avx.LoadAlignedVector256(pb), b0);
                            b1 = Fma.MultiplyAdd(vb, Avx.LoadAlignedVector256(pb + 8), b1);
                            b2 = Fma.MultiplyAdd(vb, Avx.LoadAlignedVector256(pb + 16), b2);
                            b3 = Fma.MultiplyAdd(vb, Avx.LoadAlignedVector256(pb + 24), b3);
                        }

                        for (int q = qa + common; q < qaEnd; q++)
                        {
                            float* pa = bPanel + idx[q] * ldb;
                            var va = Vector256.Create(val[q]);
                            a0 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa), a0);
                            a1 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa + 8), a1);
                            a2 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa + 16), a2);
                            a3 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa + 24), a3);
                        }

                        for (int q = qb + common; q < qbEnd; q++)
                        {
                            float* pb = bPanel + idx[q] * ldb;
                            var vb = Vector256.Create(val[q]);
                            b0 = Fma.MultiplyAdd(vb, Avx.LoadAlignedVector256(pb), b0);
                            b1 = Fma.MultiplyAdd(vb, Avx.LoadAlignedVector256(pb + 8), b1);
                            b2 = Fma.MultiplyAdd(vb, Avx.LoadAlignedVector256(pb + 16), b2);
                            b3 = Fma.MultiplyAdd(vb, Avx.LoadAlignedVector256(pb + 24), b3);
                        }

                        if (last)
                        {
                            float* ca = g.C + (long)(i0 + i) * g.Ldc + jp;
                            float* cb = ca + g.Ldc;
                            StoreSparse(ca, a0, add); StoreSparse(ca + 8, a1, add);
                            StoreSparse(ca + 16, a2, add); StoreSparse(ca + 24, a3, add);
                            StoreSparse(cb, b0, add); StoreSparse(cb + 8, b1, add);
                            StoreSparse(cb + 16, b2, add); StoreSparse(cb + 24, b3, add);
                        }
                        else
                        {
                            Avx.StoreAligned(ra, a0); Avx.StoreAligned(ra + 8, a1);
                            Avx.StoreAligned(ra + 16, a2); Avx.StoreAligned(ra + 24, a3);
                            Avx.StoreAligned(rb, b0); Avx.StoreAligned(rb + 8, b1);
                            Avx.StoreAligned(rb + 16, b2); Avx.StoreAligned(rb + 24, b3);
                        }
                    }

                    for (; i < m; i++)
                    {
                        int* c0 = cut + i * stride + s;
                        float* ra = carry + i * PanelWidth;
                        Vector256<float> a0, a1, a2, a3;
                        if (first)
                        {
                            a0 = a1 = a2 = a3 = default;
                        }
                        else
                        {
                            a0 = Avx.LoadAlignedVector256(ra); a1 = Avx.LoadAlignedVector256(ra + 8);
                            a2 = Avx.LoadAlignedVector256(ra + 16); a3 = Avx.LoadAlignedVector256(ra + 24);
                        }

                        for (int q = c0[0]; q < c0[1]; q++)
                        {
                            float* pa = bPanel + idx[q] * ldb;
                            var va = Vector256.Create(val[q]);
                            a0 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa), a0);
                            a1 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa + 8), a1);
                            a2 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa + 16), a2);
                            a3 = Fma.MultiplyAdd(va, Avx.LoadAlignedVector256(pa + 24), a3);
                        }

                        if (last)
                        {
                            float* ca = g.C + (long)(i0 + i) * g.Ldc + jp;
                            StoreSparse(ca, a0, add); StoreSparse(ca + 8, a1, add);
                            StoreSparse(ca + 16, a2, add); StoreSparse(ca + 24, a3, add);
                        }
                        else
                        {
                            Avx.StoreAligned(ra, a0); Avx.StoreAligned(ra + 8, a1);
                            Avx.StoreAligned(ra + 16, a2); Avx.StoreAligned(ra + 24, a3);
                        }
                    }
                }
            }

            if (nFull < g.N)
            {
                // The remaining columns, per KC block (sub-blocks only matter for the panels' cache use).
                for (int i = 0; i < m; i++)
                {
                    int* ci = cut + i * stride;
                    float* c = g.C + (long)(i0 + i) * g.Ldc + nFull;
                    int s = 0;
                    while (s < subs)
                    {
                        int b = subBlock[s], e = s;
                        while (e + 1 < subs && subBlock[e + 1] == b)
                        {
                            e++;
                        }

                        SparseAxpy(ci[e + 1] - ci[s], idx + ci[s], val + ci[s], g.B + nFull, g.Ldb, c, g.N - nFull, add: b > 0 || g.Accumulate);
                        s = e + 1;
                    }
                }
            }
        }
    }
}
