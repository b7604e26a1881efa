using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// The executors for products from row lists whose B is exactly 128 columns wide (a first layer of 128 units, the most
/// common width). On AVX-512 a whole row of C sits in eight zmm accumulators, so each list entry costs one broadcast and eight fused
/// multiply-adds reading one contiguous 512-byte row of B, against four passes over the lists (one per 32-column panel)
/// for the panel executor. B is read in sub-blocks of <see cref="WideSubRows"/> rows (32 KiB, kept in L1 while every
/// row of C walks them), the running sums carried between sub-blocks through memory (a float stored and re-loaded is
/// the same float). Each element of C is still the dense kernels' chain: fused multiply-adds from zero in ascending k
/// within each <see cref="Blocking.Kc"/> block, block sums stored or added to C, so the bits are the dense product's.
/// On AVX2, half a row at a time (<see cref="RunListsWideAvx2"/>).
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>Columns of B (and C) this executor handles: eight zmm.</summary>
    private const int WideColumns = 128;

    /// <summary>Rows of B per sub-block: 64 × 128 × 4 bytes = 32 KiB.</summary>
    private const int WideSubRows = 64;

    [ThreadStatic] private static float[]? t_wideArray;


    /// <summary>Whether a lists product into <paramref name="n"/> columns runs on this executor (128 columns, AVX-512 or AVX2 + FMA).</summary>
    private static bool UseWideLists(int n, bool zmm) =>
        n == WideColumns && DiagnosticSwitches.WideLists && (zmm || (Avx2.IsSupported && Fma.IsSupported));

    /// <summary>
    /// B's k rows of 128 values, contiguous and 64-byte aligned (every load one cache line): B itself when it already is,
    /// else a copy.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static float* AlignRows(in Args g)
    {
        if (((nint)g.B & 63) == 0 && g.Ldb == WideColumns)
        {
            return g.B;
        }

        int length = g.K * WideColumns + 16;
        if (t_wideArray is null || t_wideArray.Length < length)
        {
            t_wideArray = GC.AllocateUninitializedArray<float>(length, pinned: true);
        }

        float* raw = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(t_wideArray));
        float* rows = (float*)(((nint)raw + 63) & ~(nint)63);
        if (g.Ldb == WideColumns)
        {
            Buffer.MemoryCopy(g.B, rows, (long)g.K * WideColumns * sizeof(float), (long)g.K * WideColumns * sizeof(float));
        }
        else
        {
            for (int p = 0; p < g.K; p++)
            {
                Buffer.MemoryCopy(g.B + (long)p * g.Ldb, rows + (long)p * WideColumns, WideColumns * sizeof(float), WideColumns * sizeof(float));
            }
        }

        return rows;
    }

    /// <summary>
    /// C rows i0.. (m of them) from per-row lists (k ascending) and B's rows <paramref name="b"/> (k × 128, contiguous,
    /// 64-byte aligned): per KC block and sub-block of B, each row of C sums its entries in that range into eight zmm
    /// (from zero at the block's start, else from its carried sums), then carries them on or, at the block's end, stores
    /// or adds them to C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunListsWide(in Args g, int kc, int i0, int m, int* start, int* idx, float* val, float* b)
    {
        int k = g.K;
        int[] cursorArray = Scratch.Ints(4, m);
        float[] carryArray = Scratch.Floats(2, m * WideColumns + 16);
        fixed (int* cursor = cursorArray)
        fixed (float* carryRaw = carryArray)
        {
            float* carry = (float*)(((nint)carryRaw + 63) & ~(nint)63);
            for (int i = 0; i < m; i++)
            {
                cursor[i] = start[i];
            }

            for (int b0 = 0; b0 < k; b0 += kc)
            {
                int blockEnd = Math.Min(k, b0 + kc);
                bool add = b0 > 0 || g.Accumulate;
                for (int lo = b0; lo < blockEnd; lo += WideSubRows)
                {
                    int hi = Math.Min(blockEnd, lo + WideSubRows);
                    bool first = lo == b0, last = hi == blockEnd;
                    for (int i = 0; i < m; i++)
                    {
                        int q = cursor[i], qEnd = start[i + 1];
                        if (!first && !last && (q == qEnd || idx[q] >= hi))
                        {
                            continue; // nothing in this sub-block: the carried sums stay as they are
                        }

                        float* r = carry + (long)i * WideColumns;
                        Vector512<float> a0, a1, a2, a3, a4, a5, a6, a7;
                        if (first)
                        {
                            a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = default;
                        }
                        else
                        {
                            a0 = Avx512F.LoadAlignedVector512(r); a1 = Avx512F.LoadAlignedVector512(r + 16);
                            a2 = Avx512F.LoadAlignedVector512(r + 32); a3 = Avx512F.LoadAlignedVector512(r + 48);
                            a4 = Avx512F.LoadAlignedVector512(r + 64); a5 = Avx512F.LoadAlignedVector512(r + 80);
                            a6 = Avx512F.LoadAlignedVector512(r + 96); a7 = Avx512F.LoadAlignedVector512(r + 112);
                        }

                        for (; q < qEnd; q++)
                        {
                            int row = idx[q];
                            if (row >= hi)
                            {
                                break;
                            }

                            float* p = b + (long)row * WideColumns;
                            var v = Vector512.Create(val[q]);
                            a0 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadAlignedVector512(p), a0);
                            a1 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadAlignedVector512(p + 16), a1);
                            a2 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadAlignedVector512(p + 32), a2);
                            a3 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadAlignedVector512(p + 48), a3);
                            a4 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadAlignedVector512(p + 64), a4);
                            a5 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadAlignedVector512(p + 80), a5);
                            a6 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadAlignedVector512(p + 96), a6);
                            a7 = Avx512F.FusedMultiplyAdd(v, Avx512F.LoadAlignedVector512(p + 112), a7);
                        }

                        cursor[i] = q;
                        if (last)
                        {
                            float* c = g.C + (long)(i0 + i) * g.Ldc;
                            StoreSparse(c, a0, add); StoreSparse(c + 16, a1, add);
                            StoreSparse(c + 32, a2, add); StoreSparse(c + 48, a3, add);
                            StoreSparse(c + 64, a4, add); StoreSparse(c + 80, a5, add);
                            StoreSparse(c + 96, a6, add); StoreSparse(c + 112, a7, add);
                        }
                        else
                        {
                            Avx512F.StoreAligned(r, a0); Avx512F.StoreAligned(r + 16, a1);
                            Avx512F.StoreAligned(r + 32, a2); Avx512F.StoreAligned(r + 48, a3);
                            Avx512F.StoreAligned(r + 64, a4); Avx512F.StoreAligned(r + 80, a5);
                            Avx512F.StoreAligned(r + 96, a6); Avx512F.StoreAligned(r + 112, a7);
                        }
                    }
                }
            }
        }
    }
    /// <summary>
    /// The AVX2 form of <see cref="RunListsWide"/>: sixteen ymm registers hold half a row of C (64 columns, eight
    /// accumulators) with room for the broadcast, so the lists are walked twice, once per half (against four times, once per
    /// 32-column panel, for the panel executor), each half of B's rows read in place in sub-blocks of
    /// <see cref="WideSubRows"/> rows (16 KiB). The same chains, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RunListsWideAvx2(in Args g, int kc, int i0, int m, int* start, int* idx, float* val, float* b)
    {
        const int half = WideColumns / 2;
        int k = g.K;
        int[] cursorArray = Scratch.Ints(4, m);
        float[] carryArray = Scratch.Floats(2, m * half + 16);
        fixed (int* cursor = cursorArray)
        fixed (float* carryRaw = carryArray)
        {
            float* carry = (float*)(((nint)carryRaw + 63) & ~(nint)63);
            for (int j0 = 0; j0 < WideColumns; j0 += half)
            {
                float* bHalf = b + j0;
                for (int i = 0; i < m; i++)
                {
                    cursor[i] = start[i];
                }

                for (int b0 = 0; b0 < k; b0 += kc)
                {
                    int blockEnd = Math.Min(k, b0 + kc);
                    bool add = b0 > 0 || g.Accumulate;
                    for (int lo = b0; lo < blockEnd; lo += WideSubRows)
                    {
                        int hi = Math.Min(blockEnd, lo + WideSubRows);
                        bool first = lo == b0, last = hi == blockEnd;
                        for (int i = 0; i < m; i++)
                        {
                            int q = cursor[i], qEnd = start[i + 1];
                            if (!first && !last && (q == qEnd || idx[q] >= hi))
                            {
                                continue; // nothing in this sub-block: the carried sums stay as they are
                            }

                            float* r = carry + (long)i * half;
                            Vector256<float> a0, a1, a2, a3, a4, a5, a6, a7;
                            if (first)
                            {
                                a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = default;
                            }
                            else
                            {
                                a0 = Avx.LoadAlignedVector256(r); a1 = Avx.LoadAlignedVector256(r + 8);
                                a2 = Avx.LoadAlignedVector256(r + 16); a3 = Avx.LoadAlignedVector256(r + 24);
                                a4 = Avx.LoadAlignedVector256(r + 32); a5 = Avx.LoadAlignedVector256(r + 40);
                                a6 = Avx.LoadAlignedVector256(r + 48); a7 = Avx.LoadAlignedVector256(r + 56);
                            }

                            for (; q < qEnd; q++)
                            {
                                int row = idx[q];
                                if (row >= hi)
                                {
                                    break;
                                }

                                float* p = bHalf + (long)row * WideColumns;
                                var v = Vector256.Create(val[q]);
                                a0 = Fma.MultiplyAdd(v, Avx.LoadAlignedVector256(p), a0);
                                a1 = Fma.MultiplyAdd(v, Avx.LoadAlignedVector256(p + 8), a1);
                                a2 = Fma.MultiplyAdd(v, Avx.LoadAlignedVector256(p + 16), a2);
                                a3 = Fma.MultiplyAdd(v, Avx.LoadAlignedVector256(p + 24), a3);
                                a4 = Fma.MultiplyAdd(v, Avx.LoadAlignedVector256(p + 32), a4);
                                a5 = Fma.MultiplyAdd(v, Avx.LoadAlignedVector256(p + 40), a5);
                                a6 = Fma.MultiplyAdd(v, Avx.LoadAlignedVector256(p + 48), a6);
                                a7 = Fma.MultiplyAdd(v, Avx.LoadAlignedVector256(p + 56), a7);
                            }

                            cursor[i] = q;
                            if (last)
                            {
                                float* c = g.C + (long)(i0 + i) * g.Ldc + j0;
                                StoreSparse(c, a0, add); StoreSparse(c + 8, a1, add);
                                StoreSparse(c + 16, a2, add); StoreSparse(c + 24, a3, add);
                                StoreSparse(c + 32, a4, add); StoreSparse(c + 40, a5, add);
                                StoreSparse(c + 48, a6, add); StoreSparse(c + 56, a7, add);
                            }
                            else
                            {
                                Avx.StoreAligned(r, a0); Avx.StoreAligned(r + 8, a1);
                                Avx.StoreAligned(r + 16, a2); Avx.StoreAligned(r + 24, a3);
                                Avx.StoreAligned(r + 32, a4); Avx.StoreAligned(r + 40, a5);
                                Avx.StoreAligned(r + 48, a6); Avx.StoreAligned(r + 56, a7);
                            }
                        }
                    }
                }
            }
        }
    }
}
