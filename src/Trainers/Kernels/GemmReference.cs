namespace MlNetExtensions.Trainers.Kernels;

/// <summary>Plain triple-loop reference of <see cref="Gemm"/> in double precision, for tests.</summary>
internal static class GemmReference
{
    /// <summary>
    /// Returns op(A)·op(B) (+ C when <paramref name="accumulate"/>) as a dense m×n row-major double
    /// array, and in <paramref name="absSum"/> the matching Σ|op(A)ᵢₚ·op(B)ₚⱼ| + |Cᵢⱼ| (the scale of the rounding error).
    /// </summary>
    /// <param name="transA">Whether A is used transposed.</param>
    /// <param name="transB">Whether B is used transposed.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="a">The A buffer.</param>
    /// <param name="lda">Leading dimension of A.</param>
    /// <param name="b">The B buffer.</param>
    /// <param name="ldb">Leading dimension of B.</param>
    /// <param name="c">The initial C (read only when accumulating).</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <param name="accumulate">Whether the initial C is added.</param>
    /// <param name="absSum">Receives the error scale per element.</param>
    /// <returns>The exact-ish product, m×n row-major.</returns>
    public static double[] Multiply(Transpose transA, Transpose transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> c, int ldc,
        bool accumulate, out double[] absSum)
    {
        var result = new double[m * n];
        absSum = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = transA == Transpose.No ? a[i * lda + p] : a[p * lda + i];
                    double y = transB == Transpose.No ? b[p * ldb + j] : b[j * ldb + p];
                    sum += x * y;
                    abs += Math.Abs(x * y);
                }

                if (accumulate)
                {
                    double c0 = c[i * ldc + j];
                    sum += c0;
                    abs += Math.Abs(c0);
                }

                result[i * n + j] = sum;
                absSum[i * n + j] = abs;
            }
        }

        return result;
    }
}
