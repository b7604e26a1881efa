using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Unpacked path for products with very few rows (single-row scoring, m ≤ <see cref="SmallMaxRows"/>):
/// packing B would copy the whole weight matrix to use it once, so each row of C is computed straight
/// from the operands with AVX2+FMA: row·matrix AXPY sweeps when op(B) rows are contiguous (NN, TN),
/// dot products when op(B) columns are (NT, TT). Always single-threaded; the choice depends on the
/// shape only, so results still do not depend on the thread count.
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>Largest m handled by the unpacked small-row path.</summary>
    internal const int SmallMaxRows = 2;

    private static bool UseSmallRows(GemmPath path, int m) =>
        m <= SmallMaxRows && path is GemmPath.Avx2 or GemmPath.Avx512;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static void RunSmallRows(in Args g)
    {
        if (g.TransB == Transpose.No)
        {
            for (int i = 0; i < g.M; i++)
            {
                float* a = g.TransA == Transpose.No ? g.A + (long)i * g.Lda : g.A + i;
                long aStride = g.TransA == Transpose.No ? 1 : g.Lda;
                RowTimesMatrix(a, aStride, g.B, g.Ldb, g.C + (long)i * g.Ldc, g.N, g.K, g.Accumulate);
            }

            return;
        }

        // op(B)[p, j] = B[j·ldb + p]: C[i, j] = dot(op(A) row i, B row j). A transposed rows are gathered first.
        int k = g.K;
        float[]? rented = null;
        Span<float> gather = g.TransA == Transpose.Yes
            ? (k <= 2048 ? stackalloc float[k] : (rented = System.Buffers.ArrayPool<float>.Shared.Rent(k)))
            : default;
        fixed (float* tmp = gather)
        {
            for (int i = 0; i < g.M; i++)
            {
                float* a;
                if (g.TransA == Transpose.No)
                {
                    a = g.A + (long)i * g.Lda;
                }
                else
                {
                    for (int p = 0; p < k; p++)
                    {
                        tmp[p] = g.A[(long)p * g.Lda + i];
                    }

                    a = tmp;
                }

                float* c = g.C + (long)i * g.Ldc;
                for (int j = 0; j < g.N; j++)
                {
                    float d = Dot(a, g.B + (long)j * g.Ldb, k);
                    c[j] = g.Accumulate ? c[j] + d : d;
                }
            }
        }

        if (rented is not null)
        {
            System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>c[0..n) (+)= Σ_p a[p·aStride]·B[p·ldb + 0..n), 32 columns per sweep over p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void RowTimesMatrix(float* a, long aStride, float* b, int ldb, float* c, int n, int k, bool add)
    {
        int j = 0;
        if (Avx512F.IsSupported)
        {
            // 128 columns per sweep: B's rows stream once, in order (the same chain per element as below).
            for (; j + 128 <= n; j += 128)
            {
                Vector512<float> z0 = default, z1 = default, z2 = default, z3 = default, z4 = default, z5 = default, z6 = default, z7 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var av = Vector512.Create(a[p * aStride]);
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

            for (; j + 64 <= n; j += 64)
            {
                Vector512<float> z0 = default, z1 = default, z2 = default, z3 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    var av = Vector512.Create(a[p * aStride]);
                    z0 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp), z0);
                    z1 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp + 16), z1);
                    z2 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp + 32), z2);
                    z3 = Avx512F.FusedMultiplyAdd(av, Avx512F.LoadVector512(bp + 48), z3);
                }

                StoreSparse(c + j, z0, add); StoreSparse(c + j + 16, z1, add);
                StoreSparse(c + j + 32, z2, add); StoreSparse(c + j + 48, z3, add);
            }

            // The last 1–63 columns, 16 at a time under a lane mask (the 10-wide output layer in one chain).
            for (; j < n; j += 16)
            {
                Vector512<float> mask = Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(n - j)).AsSingle();
                Vector512<float> z0 = default;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    z0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a[p * aStride]), Avx512F.MaskLoad(bp, mask, Vector512<float>.Zero), z0);
                }

                StoreNarrow(c + j, z0, mask, add);
            }

            return;
        }

        for (; j + 32 <= n; j += 32)
        {
            Vector256<float> v0 = default, v1 = default, v2 = default, v3 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                var av = Vector256.Create(a[p * aStride]);
                v0 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp), v0);
                v1 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp + 8), v1);
                v2 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp + 16), v2);
                v3 = Fma.MultiplyAdd(av, Avx.LoadVector256(bp + 24), v3);
            }

            Store8(c + j, v0, add);
            Store8(c + j + 8, v1, add);
            Store8(c + j + 16, v2, add);
            Store8(c + j + 24, v3, add);
        }

        for (; j + 8 <= n; j += 8)
        {
            Vector256<float> v0 = default;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                v0 = Fma.MultiplyAdd(Vector256.Create(a[p * aStride]), Avx.LoadVector256(bp), v0);
            }

            Store8(c + j, v0, add);
        }

        for (; j < n; j++)
        {
            float s = 0;
            float* bp = b + j;
            for (int p = 0; p < k; p++, bp += ldb)
            {
                s = MathF.FusedMultiplyAdd(a[p * aStride], *bp, s);
            }

            c[j] = add ? c[j] + s : s;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store8(float* c, Vector256<float> v, bool add)
    {
        if (add)
        {
            v = Avx.Add(v, Avx.LoadVector256(c));
        }

        Avx.Store(c, v);
    }

    /// <summary>Σ x[p]·y[p] with four 8-lane accumulators and a fixed reduction order.</summary>
    private static float Dot(float* x, float* y, int k)
    {
        Vector256<float> v0 = default, v1 = default, v2 = default, v3 = default;
        int p = 0;
        for (; p + 32 <= k; p += 32)
        {
            v0 = Fma.MultiplyAdd(Avx.LoadVector256(x + p), Avx.LoadVector256(y + p), v0);
            v1 = Fma.MultiplyAdd(Avx.LoadVector256(x + p + 8), Avx.LoadVector256(y + p + 8), v1);
            v2 = Fma.MultiplyAdd(Avx.LoadVector256(x + p + 16), Avx.LoadVector256(y + p + 16), v2);
            v3 = Fma.MultiplyAdd(Avx.LoadVector256(x + p + 24), Avx.LoadVector256(y + p + 24), v3);
        }

        for (; p + 8 <= k; p += 8)
        {
            v0 = Fma.MultiplyAdd(Avx.LoadVector256(x + p), Avx.LoadVector256(y + p), v0);
        }

        float s = Vector256.Sum(Avx.Add(Avx.Add(v0, v1), Avx.Add(v2, v3)));
        for (; p < k; p++)
        {
            s = MathF.FusedMultiplyAdd(x[p], y[p], s);
        }

        return s;
    }
}
