using MlNetExtensions.Trainers;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers.Kernels;
using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Tests.Performance;

/// <summary>
/// The narrow-output GEMM path (n ≤ 16: the 10-wide softmax layer) must give the packed 8×32 kernel's
/// bits exactly and stay within 1e-5 relative of the double-precision reference; the vectorized ReLU
/// backward must give the scalar rule's values.
/// </summary>
public class NarrowPathTests
{
    public static TheoryData<string, string, int, int, int, bool> NarrowCases()
    {
        var data = new TheoryData<string, string, int, int, int, bool>();
        foreach (var path in new[] { "Avx512", "Avx2" })
        {
            data.Add(path, "NN", 128, 10, 64, false);
            data.Add(path, "NN", 128, 10, 64, true);
            data.Add(path, "TN", 64, 10, 128, false);
            data.Add(path, "TN", 512, 10, 128, true);
            data.Add(path, "NN", 37, 16, 500, true);
            data.Add(path, "TN", 13, 1, 400, false);
            data.Add(path, "NN", 8, 3, 1, false);
            data.Add(path, "NN", 11, 9, 300, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NarrowCases))]
    public void NarrowPathMatchesPackedKernelBitForBitAndReference(string pathName, string op, int m, int n, int k, bool accumulate)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path))
        {
            return;
        }

        var transA = op[0] == 'N' ? Transpose.No : Transpose.Yes;
        int lda = (transA == Transpose.No ? k : m) + 3, ldb = n + 1, ldc = n + 2;
        var random = RandomStream.For(91, (ulong)(m * 1000 + k));
        var a = new float[(transA == Transpose.No ? m : k) * lda];
        var b = new float[k * ldb];
        var c0 = new float[m * ldc];
        for (int i = 0; i < a.Length; i++) a[i] = (float)random.NextGaussian();
        for (int i = 0; i < b.Length; i++) b[i] = (float)random.NextGaussian();
        for (int i = 0; i < c0.Length; i++) c0[i] = (float)random.NextGaussian();

        float[] narrow = (float[])c0.Clone();
        float[] packed = (float[])c0.Clone();
        Gemm.Multiply(path, transA, Transpose.No, m, n, k, a, lda, b, ldb, narrow, ldc, accumulate);
        Gemm.MultiplyPartitioned(path, transA, Transpose.No, m, n, k, a, lda, b, ldb, packed, ldc, accumulate, parts: 1, splitM: true);
        for (int i = 0; i < narrow.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(narrow[i]) == BitConverter.SingleToInt32Bits(packed[i]),
                $"{pathName} {op} {m}x{n}x{k} acc={accumulate}: element {i} narrow {narrow[i]:R} packed {packed[i]:R}");
        }

        double[] expected = GemmReference.Multiply(transA, Transpose.No, m, n, k, a, lda, b, ldb, c0, ldc, accumulate, out double[] scale);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double err = Math.Abs(narrow[i * ldc + j] - expected[i * n + j]);
                Assert.True(err <= 1e-5 * Math.Max(1.0, k / 256.0) * Math.Max(scale[i * n + j], 1e-30), $"({i},{j}) {narrow[i * ldc + j]} vs {expected[i * n + j]}");
            }

            for (int j = n; j < ldc; j++)
            {
                Assert.Equal(c0[i * ldc + j], narrow[i * ldc + j]); // padding between rows untouched
            }
        }
    }

    [Theory]
    [InlineData(1, 10, 64)]
    [InlineData(1, 64, 128)]
    [InlineData(2, 130, 784)]
    [InlineData(1, 200, 33)]
    public void SingleRowSweepMatchesReference(int m, int n, int k)
    {
        var random = RandomStream.For(5, (ulong)(n * 1000 + k));
        int lda = k + 1, ldb = n + 3, ldc = n + 1;
        var a = new float[m * lda];
        var b = new float[k * ldb];
        var c0 = new float[m * ldc];
        for (int i = 0; i < a.Length; i++) a[i] = (float)random.NextGaussian();
        for (int i = 0; i < b.Length; i++) b[i] = (float)random.NextGaussian();
        for (int i = 0; i < c0.Length; i++) c0[i] = (float)random.NextGaussian();
        foreach (bool accumulate in new[] { false, true })
        {
            var c = (float[])c0.Clone();
            Gemm.Multiply(Transpose.No, Transpose.No, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            double[] expected = GemmReference.Multiply(Transpose.No, Transpose.No, m, n, k, a, lda, b, ldb, c0, ldc, accumulate, out double[] scale);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double err = Math.Abs(c[i * ldc + j] - expected[i * n + j]);
                    Assert.True(err <= 1e-5 * Math.Max(1.0, k / 256.0) * Math.Max(scale[i * n + j], 1e-30), $"({i},{j}) {c[i * ldc + j]} vs {expected[i * n + j]}");
                }

                Assert.Equal(c0[i * ldc + n], c[i * ldc + n]); // the gap between rows is untouched
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(128 * 64)]
    public void VectorizedReluBackwardMatchesScalarRule(int count)
    {
        var random = RandomStream.For(3, (ulong)count);
        var y = new float[count];
        var dy = new float[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = i % 5 == 0 ? 0f : (float)random.NextGaussian();
            dy[i] = (float)random.NextGaussian();
        }

        var layer = new ActivationLayer(count, Activation.Relu);
        var dx = new float[count];
        layer.Backward(y, y, dy, dx, 1);
        for (int i = 0; i < count; i++)
        {
            float expected = y[i] > 0 ? dy[i] : 0f;
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(dx[i]));
        }
    }
}
