using System.Numerics.Tensors;
using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Tests.Performance;

/// <summary>
/// The hand-written ReLU forward and bias-gradient row sums (which replaced TensorPrimitives calls that ran at tier 0
/// through epoch 1) must give exactly the bits of the TensorPrimitives code they replace.
/// </summary>
public class WarmPathTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(29)]
    [InlineData(128 * 64)]
    public void ReluForwardGivesTheBitsOfTensorPrimitivesMax(int count)
    {
        var random = new Random(count);
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        if (count > 3) { x[0] = -0f; x[1] = float.NaN; x[2] = float.NegativeInfinity; x[3] = 0f; }
        var expected = new float[count];
        TensorPrimitives.Max(x, 0f, expected);
        var actual = new float[count];
        ActivationLayer.ReluForward(x, actual);
        for (int i = 0; i < count; i++) Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
        ActivationLayer.ReluForward(x, x); // in place
        for (int i = 0; i < count; i++) Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(x[i]));
    }

    /// <summary>Leaky ReLU's branch-free kernels give the scalar rule's bits (y = x &gt; 0 ? x : 0.01·x, dx = y &gt; 0 ? dy : 0.01·dy)
    /// for every kind of value: signed zeros, NaN, infinities, denormals whose 0.01·x underflows, and each tail length.</summary>
    /// <summary>Span lengths for the element-wise kernels: empty, scalar tail only, one zmm, zmm + ymm + tail, a hidden layer's batch.</summary>
    public static TheoryData<int> KernelLengths => new() { 0, 7, 16, 29, 128 * 64 };

    [Theory]
    [MemberData(nameof(KernelLengths))]
    public void LeakyReluKernelsGiveTheBitsOfTheScalarRule(int count)
    {
        var random = new Random(count + 1);
        float[] special = { -0f, 0f, float.NaN, float.NegativeInfinity, float.PositiveInfinity, -1e-44f, 1e-44f, -float.Epsilon, float.MaxValue, -float.MaxValue };
        float Draw(int i) => i < special.Length && count > special.Length ? special[i] : (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-40, 39)));
        var x = Enumerable.Range(0, count).Select(Draw).ToArray();
        var dy = Enumerable.Range(0, count).Select(i => Draw(count - 1 - i)).ToArray();
        const float a = ActivationLayer.LeakySlope;
        var y = new float[count];
        ActivationLayer.LeakyReluForward(x, y);
        for (int i = 0; i < count; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(x[i] > 0 ? x[i] : a * x[i]), BitConverter.SingleToInt32Bits(y[i]));
        var dx = new float[count];
        ActivationLayer.LeakyReluBackward(y, dy, dx);
        for (int i = 0; i < count; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(y[i] > 0 ? dy[i] : a * dy[i]), BitConverter.SingleToInt32Bits(dx[i]));
        var copy = (float[])x.Clone();
        ActivationLayer.LeakyReluForward(copy, copy); // in place
        Assert.Equal(y.Select(BitConverter.SingleToInt32Bits), copy.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>Tanh's and sigmoid's vectorized derivatives give the scalar rules' bits (dy·(1 − y²), dy·y·(1 − y)).</summary>
    [Theory]
    [MemberData(nameof(KernelLengths))]
    public void TanhAndSigmoidBackwardGiveTheBitsOfTheScalarRules(int count)
    {
        var random = new Random(count + 7);
        var y = Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var s = y.Select(v => (v + 1f) / 2f).ToArray(); // sigmoid outputs in [0, 1]
        var dy = Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-30, 30)))).ToArray();
        if (count > 3) { dy[0] = float.NaN; dy[1] = -0f; y[2] = 1f; s[2] = 0f; }
        var dx = new float[count];
        ActivationLayer.TanhBackward(y, dy, dx);
        for (int i = 0; i < count; i++) Assert.Equal(BitConverter.SingleToInt32Bits(dy[i] * (1f - y[i] * y[i])), BitConverter.SingleToInt32Bits(dx[i]));
        ActivationLayer.SigmoidBackward(s, dy, dx);
        for (int i = 0; i < count; i++) Assert.Equal(BitConverter.SingleToInt32Bits(dy[i] * s[i] * (1f - s[i])), BitConverter.SingleToInt32Bits(dx[i]));
    }

    /// <summary>The L2 penalty's gradient kernel gives TensorPrimitives.MultiplyAdd's bits (w·λ + g, not fused).</summary>
    [Theory]
    [MemberData(nameof(KernelLengths))]
    public void L2GradientKernelGivesTheBitsOfTensorPrimitivesMultiplyAdd(int count)
    {
        var random = new Random(count + 11);
        var w = Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-20, 20)))).ToArray();
        var g = Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-20, 20)))).ToArray();
        if (count > 3) { w[0] = float.NaN; g[1] = -0f; w[1] = 0f; w[2] = float.MaxValue; }
        foreach (float l2 in new[] { 0.001f, 0.0273f, 3e-5f })
        {
            var expected = (float[])g.Clone();
            TensorPrimitives.MultiplyAdd(w, l2, expected, expected);
            var actual = (float[])g.Clone();
            MlNetExtensions.Trainers.Training.Penalties.AddScaled(w, l2, actual);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(128, 10)]
    [InlineData(128, 64)]
    [InlineData(37, 128)]
    [InlineData(3, 29)]
    [InlineData(129, 512)]
    public void BiasGradientRowSumsGiveTheBitsOfRowByRowAdds(int batch, int n)
    {
        var random = new Random(batch * 1000 + n);
        var dy = new float[batch * n];
        for (int i = 0; i < dy.Length; i++) dy[i] = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 4)));
        var expected = new float[n];
        for (int r = 0; r < batch; r++) TensorPrimitives.Add(expected, dy.AsSpan(r * n, n), expected);
        var actual = new float[n];
        actual.AsSpan().Fill(float.NaN); // overwritten, not accumulated
        DenseLayer.SumRows(dy, batch, n, actual);
        for (int j = 0; j < n; j++) Assert.Equal(BitConverter.SingleToInt32Bits(expected[j]), BitConverter.SingleToInt32Bits(actual[j]));
    }
}
