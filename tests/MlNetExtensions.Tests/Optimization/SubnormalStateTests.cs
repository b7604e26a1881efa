using MlNetExtensions.Trainers.Kernels;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Tests.Optimization;

/// <summary>
/// Decaying optimizer state must not end in the subnormal floats (slow on Intel CPUs) when a weight's gradient stays zero,
/// and flooring it must not change the weights.
/// </summary>
public class SubnormalStateTests
{
    private static float[][] StateOf(Optimizer optimizer, Parameter p) =>
        ((AlignedFloats[])typeof(Optimizer).GetMethod("StateOf", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .Invoke(optimizer, new object[] { p })!).Select(b => b.ToArray()).ToArray();

    [Theory]
    [InlineData(OptimizerKind.Momentum)]
    [InlineData(OptimizerKind.Nesterov)]
    [InlineData(OptimizerKind.RmsProp)]
    [InlineData(OptimizerKind.RmsPropNesterov)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void StateHitByOneGradientThenNone_ReachesZeroNotSubnormals(OptimizerKind kind)
    {
        // One step with a gradient, then 1,500 without: velocities and moments shrink by a constant factor each step
        // (0.9 by default) and would pass through the subnormals after about 700–800 steps.
        var random = RandomStream.For(31, (ulong)kind);
        var p = new Parameter("w", 301, isWeight: true);
        for (int i = 0; i < p.Length; i++) p.Value[i] = (float)random.NextGaussian() * 0.05f;
        var optimizer = OptimizerFactory.Create(new OptimizerSettings(kind, 1e-3f));
        for (int step = 1; step <= 1_501; step++)
        {
            optimizer.MoveToGradientPoint(new[] { p });
            for (int i = 0; i < p.Length; i++) p.Gradient[i] = step == 1 ? (float)random.NextGaussian() * 1e-3f : 0f;
            optimizer.Step(new[] { p });
            if (step is 600 or 900 or 1_200 or 1_501)
                foreach (var buffer in StateOf(optimizer, p))
                    Assert.DoesNotContain(buffer, float.IsSubnormal);
        }
    }

    [Fact]
    public void FlooredMomentumAndRmsProp_GiveThePlainBoxesWeights()
    {
        // The algorithm boxes without the floor, by hand, over the same 900 steps (one gradient, then none): their state
        // does reach the subnormals, and the weights must come out with the same bits.
        const int n = 200;
        var random = RandomStream.For(37, 1);
        var theta0 = Enumerable.Range(0, n).Select(_ => (float)random.NextGaussian() * 0.05f).ToArray();
        var g1 = Enumerable.Range(0, n).Select(_ => (float)random.NextGaussian() * 1e-3f).ToArray();
        foreach (var kind in new[] { OptimizerKind.Momentum, OptimizerKind.RmsProp })
        {
            var p = new Parameter("w", n, isWeight: true);
            theta0.CopyTo(p.Value);
            var optimizer = OptimizerFactory.Create(new OptimizerSettings(kind, 1e-2f));
            float[] theta = (float[])theta0.Clone(), state = new float[n];
            for (int step = 1; step <= 900; step++)
            {
                for (int i = 0; i < n; i++) p.Gradient[i] = step == 1 ? g1[i] : 0f;
                optimizer.Step(new[] { p });
                for (int i = 0; i < n; i++)
                {
                    float g = p.Gradient[i];
                    if (kind == OptimizerKind.Momentum)
                    {
                        state[i] = Momentum.DefaultAlpha * state[i] - 1e-2f * g;
                        theta[i] += state[i];
                    }
                    else
                    {
                        state[i] = RmsProp.DefaultRho * state[i] + (1f - RmsProp.DefaultRho) * g * g;
                        theta[i] -= 1e-2f / MathF.Sqrt(RmsProp.DefaultDelta + state[i]) * g;
                    }
                }
            }
            Assert.Contains(state, float.IsSubnormal);
            Assert.Equal(theta.Select(BitConverter.SingleToInt32Bits), p.Value.ToArray().Select(BitConverter.SingleToInt32Bits));
        }
    }
}
