using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Kernels;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Tests.Performance;

/// <summary>
/// The performance fast paths against simple references: the zero-skipping GEMM path must give the
/// dense kernels' bits exactly (and stay within 1e-5 relative of the double-precision reference), and
/// the vectorized Adam update must give the scalar algorithm box's bits exactly.
/// </summary>
[Collection(GemmSwitches.Name)]
public class FastPathTests
{
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 128, 784), (2, 70, 3000), (1, 64, 1100), (128, 128, 784), (784, 128, 128), (47, 65, 513), (9, 33, 257), (128, 10, 400),
    ];

    public static TheoryData<string, string, bool, int, double> SparseCases()
    {
        var data = new TheoryData<string, string, bool, int, double>();
        foreach (GemmPath path in new[] { GemmPath.Auto, GemmPath.Avx2 })
        {
            foreach (string op in new[] { "NN", "TN" })
            {
                foreach (bool acc in new[] { false, true })
                {
                    for (int s = 0; s < Shapes.Length; s++)
                    {
                        foreach (double density in new[] { 0.0, 0.2 })
                        {
                            data.Add(path.ToString(), op, acc, s, density);
                        }
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SparseCases))]
    public void SparsePathMatchesDenseKernelBitForBitAndReference(string pathName, string op, bool accumulate, int shape, double density)
    {
        var path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path))
        {
            return;
        }

        var (m, n, k) = Shapes[shape];
        var transA = op[0] == 'N' ? Transpose.No : Transpose.Yes;
        int lda = (transA == Transpose.No ? k : m) + shape % 2;
        int aRows = transA == Transpose.No ? m : k;
        var random = RandomStream.For(77, (ulong)shape, (ulong)(density * 100));
        var a = new float[aRows * lda];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = random.NextDouble() < density ? (float)random.NextGaussian() : 0f;
        }

        // Some rows entirely zero, as MNIST's border pixels.
        for (int i = 0; i < Math.Min(aRows, 3); i++)
        {
            Array.Clear(a, i * lda, lda);
        }

        int ldb = n + 1, ldc = n + 2;
        var b = new float[k * ldb];
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (float)random.NextGaussian();
        }

        var c0 = new float[m * ldc];
        for (int i = 0; i < c0.Length; i++)
        {
            c0[i] = (float)random.NextGaussian();
        }

        float[] dense = (float[])c0.Clone();
        float[] sparse = (float[])c0.Clone();
        lock (SparseSwitch)
        {
            try
            {
                DiagnosticSwitches.SparseKernels = false;
                Gemm.Multiply(path, transA, Transpose.No, m, n, k, a, lda, b, ldb, dense, ldc, accumulate);
                DiagnosticSwitches.SparseKernels = true;
                Gemm.Multiply(path, transA, Transpose.No, m, n, k, a, lda, b, ldb, sparse, ldc, accumulate, maxThreads: 2);
            }
            finally
            {
                DiagnosticSwitches.SparseKernels = true;
            }
        }

        for (int i = 0; i < dense.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(dense[i]) == BitConverter.SingleToInt32Bits(sparse[i]) || (dense[i] == 0f && sparse[i] == 0f),
                $"{pathName} {op} acc={accumulate} {m}x{n}x{k} density {density}: element {i} dense {dense[i]:R} sparse {sparse[i]:R}");
        }

        if (path != GemmPath.Auto)
        {
            return; // the reference check once per case is enough: the paths agree bit for bit with their dense kernels
        }

        double[] expected = GemmReference.Multiply(transA, Transpose.No, m, n, k, a, lda, b, ldb, c0, ldc, accumulate, out double[] scale);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double err = Math.Abs(sparse[i * ldc + j] - expected[i * n + j]);
                Assert.True(err <= 1e-5 * Math.Max(1.0, k / 256.0) * Math.Max(scale[i * n + j], 1e-30),
                    $"{pathName} {op} {m}x{n}x{k}: ({i},{j}) {sparse[i * ldc + j]} vs {expected[i * n + j]}");
            }
        }
    }

    private static readonly object SparseSwitch = new();

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(33)]
    [InlineData(1000)]
    [InlineData(100_480)]
    public void VectorizedAdamMatchesScalarAlgorithmBoxBitForBit(int length)
    {
        var random = RandomStream.For(5, (ulong)length);
        var p = new Parameter("w", length, isWeight: true);
        for (int i = 0; i < length; i++)
        {
            p.Value[i] = (float)random.NextGaussian();
        }

        float[] theta = p.Value.ToArray();
        var s = new float[length];
        var r = new float[length];
        var adam = new Adam(0.9f, 0.999f, 1e-8f);
        for (int step = 1; step <= 5; step++)
        {
            for (int i = 0; i < length; i++)
            {
                p.Gradient[i] = (float)random.NextGaussian() * (step % 2 == 0 ? 1e-3f : 10f);
            }

            float lr = 1e-3f * step;
            adam.LearningRate = lr;
            adam.Step(new[] { p });

            // The algorithm box, one coordinate at a time, with the per-step constants folded out as Adam.cs does:
            // ε ŝ/(√r̂ + δ) = (ε/(1 − ρ1^t))·s / (√r·(1/√(1 − ρ2^t)) + δ).
            float stepSize = (float)(lr / (1.0 - Math.Pow(0.9f, step))), invSqrtC2 = (float)(1.0 / Math.Sqrt(1.0 - Math.Pow(0.999f, step)));
            for (int i = 0; i < length; i++)
            {
                float g = p.Gradient[i];
                s[i] = 0.9f * s[i] + (1f - 0.9f) * g;
                r[i] = 0.999f * r[i] + (1f - 0.999f) * g * g;
                theta[i] -= stepSize * s[i] / (MathF.Sqrt(r[i]) * invSqrtC2 + 1e-8f);
            }

            for (int i = 0; i < length; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(theta[i]), BitConverter.SingleToInt32Bits(p.Value[i]));
            }
        }
    }
}
