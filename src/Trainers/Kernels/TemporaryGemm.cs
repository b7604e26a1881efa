namespace MlNetExtensions.Trainers.Kernels;

/// <summary>Whether an operand is used as stored or transposed.</summary>
internal enum Transpose { No, Yes }

/// <summary>Placeholder row-major matrix product until the packed kernels land.</summary>
internal static class Gemm
{
    /// <summary>C[m×n] = op(A)·op(B) (+ C when <paramref name="accumulate"/>).</summary>
    public static void Multiply(Transpose transA, Transpose transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        bool accumulate = false, int maxThreads = 1)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (!accumulate) row.Clear();
            for (int p = 0; p < k; p++)
            {
                float av = transA == Transpose.No ? a[i * lda + p] : a[p * lda + i];
                if (transB == Transpose.No)
                    System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.Slice(p * ldb, n), av, row, row);
                else
                    for (int j = 0; j < n; j++) row[j] += av * b[j * ldb + p];
            }
        }
    }
}
