using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Tests.Performance;

/// <summary>
/// Adam on two threads (a large tensor split between the caller and the helper thread) must give the
/// scalar algorithm box's bits exactly, like the single-threaded update.
/// </summary>
public class ParallelAdamTests
{
    [Theory]
    [InlineData(32_768)]
    [InlineData(100_353)]
    public void TwoThreadAdamMatchesScalarAlgorithmBoxBitForBit(int length) => Check(length, 20);

    [Fact]
    public void ConcurrentTwoThreadAdamStepsStayBitIdentical()
    {
        // Several optimizers (parallel Fits) share the one helper thread.
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => Check(40_000 + 16 * i, 60));
    }

    [Theory]
    [InlineData(2_003, 1)]  // vector loop and scalar tail
    [InlineData(40_003, 2)] // split between the two threads
    public void FirstMomentIsFlushedBeforeItTurnsSubnormal_WithoutChangingAnyWeight(int length, int threads)
    {
        // One step with a gradient, then 850 without: s shrinks by ρ1 each step, and in the plain algorithm box it ends in
        // the subnormal floats (slow on Intel CPUs). Adam flushes it to zero below 2^-100 instead; the weights must come out
        // with the box's bits all the same.
        var random = RandomStream.For(23, (ulong)length);
        var p = new Parameter("w", length, isWeight: true);
        for (int i = 0; i < length; i++) p.Value[i] = (float)random.NextGaussian() * 0.05f;
        float[] theta = p.Value.ToArray();
        var s = new float[length];
        var r = new float[length];
        var adam = new Adam(0.9f, 0.999f, 1e-8f) { MaxThreads = threads, LearningRate = 1e-3f };
        for (int step = 1; step <= 851; step++)
        {
            for (int i = 0; i < length; i++) p.Gradient[i] = step == 1 ? (float)random.NextGaussian() * 1e-3f : 0f;
            adam.Step(new[] { p });
            float stepSize = (float)(1e-3f / (1.0 - Math.Pow(0.9f, step))), invSqrtC2 = (float)(1.0 / Math.Sqrt(1.0 - Math.Pow(0.999f, step)));
            for (int i = 0; i < length; i++)
            {
                float g = p.Gradient[i];
                s[i] = 0.9f * s[i] + (1f - 0.9f) * g;
                r[i] = 0.999f * r[i] + (1f - 0.999f) * g * g;
                theta[i] -= stepSize * s[i] / (MathF.Sqrt(r[i]) * invSqrtC2 + 1e-8f);
            }
        }

        Assert.Contains(s, float.IsSubnormal); // the plain box does reach them
        var moments = ((MlNetExtensions.Trainers.Kernels.AlignedFloats[])typeof(Optimizer).GetMethod("StateOf", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .Invoke(adam, new object[] { p })!).Select(b => b.ToArray()).ToArray();
        Assert.DoesNotContain(moments[0], float.IsSubnormal);
        Assert.DoesNotContain(moments[1], float.IsSubnormal);
        for (int i = 0; i < length; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(theta[i]), BitConverter.SingleToInt32Bits(p.Value[i]));
    }

    private static void Check(int length, int steps)
    {
        var random = RandomStream.For(17, (ulong)length);
        var p = new Parameter("w", length, isWeight: true);
        for (int i = 0; i < length; i++)
        {
            p.Value[i] = (float)random.NextGaussian();
        }

        float[] theta = p.Value.ToArray();
        var s = new float[length];
        var r = new float[length];
        var adam = new Adam(0.9f, 0.999f, 1e-8f) { MaxThreads = 2 };
        for (int step = 1; step <= steps; step++)
        {
            for (int i = 0; i < length; i++)
            {
                p.Gradient[i] = (float)random.NextGaussian() * (step % 2 == 0 ? 1e-3f : 10f);
            }

            float lr = 1e-3f * step;
            adam.LearningRate = lr;
            adam.Step(new[] { p });

            // The algorithm box with the per-step constants folded out as Adam.cs does (see FastPathTests).
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
