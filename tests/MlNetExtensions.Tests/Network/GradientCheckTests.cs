using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Network;

public class GradientCheckTests
{
    // ---------------------------------------------------------------- the checker itself

    [Fact]
    public void Checker_RejectsAWrongGradient()
    {
        // L(v) = Σ v_i³; the true gradient is 3v²; a gradient off by a few percent or with a flipped sign must fail.
        var v = GradCheck.Random(6, 1, 0.3f, 1.5f);
        double F() => v.Sum(a => (double)a * a * a);
        var right = v.Select(a => 3 * a * a).ToArray();
        Assert.True(GradCheck.Compare(v, right, F, 1e-2f).Worst <= 1);
        var slightlyWrong = right.Select(g => g * 1.05f).ToArray();
        Assert.True(GradCheck.Compare(v, slightlyWrong, F, 1e-2f).Worst > 1);
        var flipped = right.Select((g, i) => i == 3 ? -g : g).ToArray();
        Assert.True(GradCheck.Compare(v, flipped, F, 1e-2f).Worst > 1);
    }

    // ---------------------------------------------------------------- layers

    [Fact]
    public void Dense_InputWeightAndBiasGradients()
    {
        var layer = new DenseLayer(4, 3, "d");
        GradCheck.Random(12, 2).CopyTo(layer.Weights.Value);
        GradCheck.Random(3, 3).CopyTo(layer.Bias.Value);
        GradCheck.CheckLayer(layer, GradCheck.Random(5 * 4, 4, -2f, 2f), 5, 10);
    }

    [Fact]
    public void Dense_BackwardWithoutInputGradient_StillFillsParameterGradients()
    {
        var layer = new DenseLayer(3, 2, "d");
        GradCheck.Random(6, 2).CopyTo(layer.Weights.Value);
        var x = GradCheck.Random(4 * 3, 5);
        var y = new float[8];
        var r = new RandomStream(1);
        layer.Forward(x, y, 4, true, ref r);
        var dy = GradCheck.Random(8, 6);
        layer.Backward(x, y, dy, Span<float>.Empty, 4);
        // dW = xᵀ·dy, db = Σ rows dy.
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
            {
                double e = 0;
                for (int b = 0; b < 4; b++) e += x[b * 3 + i] * dy[b * 2 + j];
                Assert.Equal(e, layer.Weights.Gradient[i * 2 + j], 5);
            }
        for (int j = 0; j < 2; j++) Assert.Equal(dy[j] + dy[2 + j] + dy[4 + j] + dy[6 + j], layer.Bias.Gradient[j], 5);
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.LeakyRelu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Identity)]
    public void Activation_InputGradient(Activation function)
    {
        var layer = new ActivationLayer(6, function);
        // |x| ≥ 0.1 ≫ h: never across the kink of ReLU or leaky ReLU.
        var x = GradCheck.AwayFromZero(4 * 6, 20 + (ulong)function, 0.1f, 2f);
        GradCheck.CheckLayer(layer, x, 4, 30);
    }

    [Fact]
    public void LeakyRelu_NegativeSlopeIsTheDocumentedOne()
    {
        var layer = new ActivationLayer(2, Activation.LeakyRelu);
        float[] x = { -2f, 3f }, y = new float[2], dx = new float[2];
        var r = new RandomStream(1);
        layer.Forward(x, y, 1, true, ref r);
        Assert.Equal(new[] { -0.02f, 3f }, y);
        layer.Backward(x, y, new[] { 1f, 1f }, dx, 1);
        Assert.Equal(new[] { ActivationLayer.LeakySlope, 1f }, dx);
    }

    [Fact]
    public void BatchNorm_TrainingMode_InputGammaAndBetaGradients()
    {
        var layer = new BatchNormLayer(3, "bn");
        GradCheck.Random(3, 40, 0.5f, 1.5f).CopyTo(layer.Gamma.Value);
        GradCheck.Random(3, 41).CopyTo(layer.Beta.Value);
        var x = GradCheck.Random(6 * 3, 42, -2f, 2f);
        GradCheck.CheckLayer(layer, x, 6, 43);
    }

    [Fact]
    public void BatchNorm_TrainingMode_SmallBatchOfFour()
    {
        var layer = new BatchNormLayer(2, "bn");
        GradCheck.Random(2, 50, 0.5f, 1.5f).CopyTo(layer.Gamma.Value);
        GradCheck.Random(2, 51).CopyTo(layer.Beta.Value);
        GradCheck.CheckLayer(layer, GradCheck.Random(4 * 2, 52, -3f, 3f), 4, 53);
    }

    [Fact]
    public void Dropout_FixedMask_InputGradient()
    {
        const float rate = 0.4f;
        var layer = new DropoutLayer(5, rate);
        var keep = GradCheck.Random(4 * 5, 60, 0f, 1f);
        layer.FixedMask = keep.Select(u => u < 1 - rate ? 1f / (1 - rate) : 0f).ToArray();
        Assert.Contains(0f, layer.FixedMask);
        GradCheck.CheckLayer(layer, GradCheck.Random(4 * 5, 61), 4, 62);
        Assert.Equal(layer.FixedMask, layer.LastMask.ToArray());
    }

    [Fact]
    public void Dropout_DrawnMask_GradientUsesTheSameMaskAsForward()
    {
        // The stream is re-created per evaluation, so the drawn mask is a constant of the function.
        var layer = new DropoutLayer(5, 0.5f);
        GradCheck.CheckLayer(layer, GradCheck.Random(4 * 5, 63), 4, 64, () => new RandomStream(99));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.7f)]
    public void GaussianNoise_InputGradient(float sigma)
    {
        var layer = new GaussianNoiseLayer(4, sigma);
        GradCheck.CheckLayer(layer, GradCheck.Random(3 * 4, 70), 3, 71, () => new RandomStream(5));
    }

    // ---------------------------------------------------------------- losses

    /// <summary>Checks ∂L/∂z written by Compute against the finite difference of L = Compute(...)/B.</summary>
    private static void CheckLoss(Loss loss, float[] z, float[] targets, float[] weights, int batch, float h = 1e-2f)
    {
        var g = new float[z.Length];
        double total = loss.Compute(z, targets, weights, batch, g);
        Assert.True(double.IsFinite(total));
        double F() => loss.Compute(z, targets, weights, batch, Span<float>.Empty) / batch;
        GradCheck.AssertNotVacuous("dL/dz", g.Select(v => v * batch).ToArray());
        GradCheck.AssertMatches("dL/dz", z, g, F, h);
        // The value returned with and without the gradient is the same.
        Assert.Equal(total, loss.Compute(z, targets, weights, batch, Span<float>.Empty));
    }

    private static float[] OneHot(int batch, int k, ulong seed)
    {
        var r = new RandomStream(seed);
        var t = new float[batch * k];
        for (int b = 0; b < batch; b++) t[b * k + r.NextInt(k)] = 1f;
        return t;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SoftmaxCrossEntropy_OneHot(bool exampleWeights)
    {
        const int batch = 5, k = 4;
        var w = exampleWeights ? GradCheck.Random(batch, 80, 0.2f, 3f) : Array.Empty<float>();
        CheckLoss(new SoftmaxCrossEntropyLoss(k), GradCheck.Random(batch * k, 81, -3f, 3f), OneHot(batch, k, 82), w, batch);
    }

    [Theory]
    [InlineData(LabelSmoothingForm.Lecture)]
    [InlineData(LabelSmoothingForm.Uniform)]
    public void SoftmaxCrossEntropy_SmoothedTargets(LabelSmoothingForm form)
    {
        const int batch = 5, k = 4;
        var t = new float[batch * k];
        for (int b = 0; b < batch; b++) LabelSmoothing.Fill(t.AsSpan(b * k, k), b % k, 0.2f, form);
        CheckLoss(new SoftmaxCrossEntropyLoss(k), GradCheck.Random(batch * k, 83, -3f, 3f), t, Array.Empty<float>(), batch);
    }

    [Fact]
    public void SoftmaxCrossEntropy_ClassWeightScaledTargets()
    {
        const int batch = 5, k = 3;
        float[] classWeight = { 0.5f, 2.5f, 1.5f };
        var t = OneHot(batch, k, 84);
        var tSmooth = new float[batch * k];
        for (int b = 0; b < batch; b++)
        {
            int c = Array.IndexOf(t, 1f, b * k) - b * k;
            LabelSmoothing.Fill(tSmooth.AsSpan(b * k, k), c, 0.1f, LabelSmoothingForm.Uniform);
            for (int j = 0; j < k; j++) { t[b * k + j] *= classWeight[c]; tSmooth[b * k + j] *= classWeight[c]; }
        }
        var z = GradCheck.Random(batch * k, 85, -3f, 3f);
        var loss = new SoftmaxCrossEntropyLoss(k);
        CheckLoss(loss, z, t, Array.Empty<float>(), batch);
        CheckLoss(loss, z, tSmooth, Array.Empty<float>(), batch);

        // A target scaled by w gives w times the unweighted loss and gradient, like an example weight w.
        var unit = t.Select(v => v == 0 ? 0f : 1f).ToArray();
        var rowWeights = Enumerable.Range(0, batch).Select(b => t.Skip(b * k).Take(k).Sum()).ToArray();
        var g1 = new float[z.Length]; var g2 = new float[z.Length];
        double l1 = loss.Compute(z, t, Array.Empty<float>(), batch, g1);
        double l2 = loss.Compute(z, unit, rowWeights, batch, g2);
        Assert.Equal(l2, l1, 4);
        for (int i = 0; i < z.Length; i++) Assert.Equal(g2[i], g1[i], 5);
    }

    [Fact]
    public void SoftmaxCrossEntropy_ValueIsMinusLogProbability()
    {
        float[] z = { 1f, 2f, 0.5f }, t = { 0f, 1f, 0f };
        double expected = -Math.Log(Math.Exp(2) / (Math.Exp(1) + Math.Exp(2) + Math.Exp(0.5)));
        Assert.Equal(expected, new SoftmaxCrossEntropyLoss(3).Compute(z, t, Array.Empty<float>(), 1, Span<float>.Empty), 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SigmoidCrossEntropy(bool exampleWeights)
    {
        const int batch = 6;
        var t = new float[] { 0f, 1f, 1f, 0f, 0.3f, 0.8f };
        var w = exampleWeights ? GradCheck.Random(batch, 90, 0.2f, 3f) : Array.Empty<float>();
        CheckLoss(new SigmoidCrossEntropyLoss(), GradCheck.Random(batch, 91, -4f, 4f), t, w, batch);
        // ℓ(0, t) = log 2 whatever t.
        Assert.Equal(Math.Log(2), new SigmoidCrossEntropyLoss().Compute(new[] { 0f }, new[] { 0.3f }, Array.Empty<float>(), 1, Span<float>.Empty), 6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SquaredError(bool exampleWeights)
    {
        const int batch = 5;
        var w = exampleWeights ? GradCheck.Random(batch, 92, 0.2f, 3f) : Array.Empty<float>();
        CheckLoss(new SquaredErrorLoss(), GradCheck.Random(batch, 93, -3f, 3f), GradCheck.Random(batch, 94, -3f, 3f), w, batch);
    }

    /// <summary>Multi-output regression: the loss sums over the K outputs of each example, each weighted by its example.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SquaredError_SeveralOutputs(bool exampleWeights)
    {
        const int batch = 5, k = 3;
        var w = exampleWeights ? GradCheck.Random(batch, 192, 0.2f, 3f) : Array.Empty<float>();
        var z = GradCheck.Random(batch * k, 193, -3f, 3f);
        var t = GradCheck.Random(batch * k, 194, -3f, 3f);
        var loss = new SquaredErrorLoss(k);
        CheckLoss(loss, z, t, w, batch);
        // The sum over outputs of K single-output losses, each on its own column.
        double expected = 0;
        for (int c = 0; c < k; c++)
        {
            var zc = Enumerable.Range(0, batch).Select(r => z[r * k + c]).ToArray();
            var tc = Enumerable.Range(0, batch).Select(r => t[r * k + c]).ToArray();
            expected += new SquaredErrorLoss().Compute(zc, tc, w, batch, Span<float>.Empty);
        }
        Assert.Equal(expected, loss.Compute(z, t, w, batch, Span<float>.Empty), 10);
    }

    [Fact]
    public void Huber_SeveralOutputs()
    {
        const int batch = 4, k = 3;
        const float delta = 0.8f;
        var e = GradCheck.AwayFromZero(batch * k, 195, 0.1f, 3f);
        var t = GradCheck.Random(batch * k, 196, -2f, 2f);
        var z = t.Zip(e, (a, b) => a + b).ToArray();
        // Keep every error clear of the kink at ±δ, where the finite difference would straddle both zones.
        for (int i = 0; i < z.Length; i++)
            if (MathF.Abs(MathF.Abs(e[i]) - delta) < 0.05f) z[i] += 0.2f * MathF.Sign(e[i]);
        CheckLoss(new HuberLoss(delta, k), z, t, GradCheck.Random(batch, 197, 0.5f, 2f), batch);
    }

    [Fact]
    public void Huber_QuadraticZone()
    {
        const float delta = 2f;
        var e = GradCheck.AwayFromZero(6, 95, 0.1f, 1.8f); // |e| < δ − h
        var t = GradCheck.Random(6, 96, -2f, 2f);
        var z = t.Zip(e, (a, b) => a + b).ToArray();
        var loss = new HuberLoss(delta);
        CheckLoss(loss, z, t, GradCheck.Random(6, 97, 0.5f, 2f), 6);
        // Inside the threshold Huber is exactly ½e².
        var sq = new SquaredErrorLoss();
        Assert.Equal(sq.Compute(z, t, Array.Empty<float>(), 6, Span<float>.Empty), loss.Compute(z, t, Array.Empty<float>(), 6, Span<float>.Empty), 4);
    }

    [Fact]
    public void Huber_LinearZone()
    {
        const float delta = 0.5f;
        var e = GradCheck.AwayFromZero(6, 98, 0.7f, 3f); // |e| > δ + h
        var t = GradCheck.Random(6, 99, -2f, 2f);
        var z = t.Zip(e, (a, b) => a + b).ToArray();
        var loss = new HuberLoss(delta);
        CheckLoss(loss, z, t, Array.Empty<float>(), 6);
        var g = new float[6];
        loss.Compute(z, t, Array.Empty<float>(), 6, g);
        for (int i = 0; i < 6; i++) Assert.Equal(Math.Sign(e[i]) * delta / 6, g[i], 5);
    }

    // ---------------------------------------------------------------- whole network

    /// <summary>L(θ) = mean loss of a training-mode forward pass; the stream is re-created per evaluation.</summary>
    private static void CheckNetwork(MultilayerPerceptron net, Loss loss, float[] x, float[] t, int batch, ulong streamSeed)
    {
        var o = new float[batch * net.OutputSize];
        var r = new RandomStream(streamSeed);
        var outputs = net.Forward(x, batch, true, ref r);
        loss.Compute(outputs, t, Array.Empty<float>(), batch, o);
        net.Backward(x, o, batch);
        var grads = net.Parameters.Select(p => p.Gradient.ToArray()).ToArray();

        double F()
        {
            var rr = new RandomStream(streamSeed);
            var z = net.Forward(x, batch, true, ref rr);
            return loss.Compute(z, t, Array.Empty<float>(), batch, Span<float>.Empty) / batch;
        }

        for (int k = 0; k < grads.Length; k++)
        {
            var p = net.Parameters[k];
            // The bias of a dense layer followed by batch normalization has no effect (its gradient is 0): skip the vacuity check there.
            if (!(p.Name.StartsWith("hidden", StringComparison.Ordinal) && p.Name.EndsWith(".bias", StringComparison.Ordinal) && net.Layers.OfType<BatchNormLayer>().Any()))
                GradCheck.AssertNotVacuous(p.Name, grads[k].Select(v => v * 10).ToArray());
            GradCheck.AssertMatches(p.Name, p.Value, grads[k], F);
        }
    }

    private static void Randomize(MultilayerPerceptron net, ulong seed)
    {
        var r = new RandomStream(seed);
        foreach (var p in net.Parameters)
        {
            if (p.IsWeight) continue;
            bool gamma = p.Name.EndsWith(".gamma", StringComparison.Ordinal);
            for (int i = 0; i < p.Length; i++) p.Value[i] = gamma ? r.NextSingle(0.6f, 1.5f) : r.NextSingle(-0.5f, 0.5f);
        }
    }

    [Fact]
    public void Mlp_TwoHiddenLayers_BatchNorm_Tanh_AllParameterGradients()
    {
        var spec = new NetworkSpec(4, new[] { 5, 4 }, 3, Activation.Tanh, BatchNormalization: true);
        var rs = new RandomStream(110);
        var net = MultilayerPerceptron.Create(spec, WeightInitializerFactory.Create(WeightInitialization.XavierUniform, 1f, 1), ref rs);
        Randomize(net, 111);
        Assert.Equal(3 * 2 + 2 * 2, net.Parameters.Count); // 3 dense (W, b) + 2 batch norm (γ, β)
        const int batch = 6;
        CheckNetwork(net, new SoftmaxCrossEntropyLoss(3), GradCheck.Random(batch * 4, 112, -2f, 2f), OneHot(batch, 3, 113), batch, 114);
    }

    [Fact]
    public void Mlp_WithInputNoiseAndDropout_HeldFixed_AllParameterGradients()
    {
        var spec = new NetworkSpec(4, new[] { 6 }, 2, Activation.Sigmoid, InputDropoutRate: 0.25f, HiddenDropoutRate: 0.3f, InputNoiseStdDev: 0.2f);
        var rs = new RandomStream(120);
        var net = MultilayerPerceptron.Create(spec, WeightInitializerFactory.Create(WeightInitialization.HeUniform, 1f, 1), ref rs);
        Assert.IsType<GaussianNoiseLayer>(net.Layers[0]);
        Assert.IsType<DropoutLayer>(net.Layers[1]);
        Randomize(net, 121);
        const int batch = 5;
        CheckNetwork(net, new SoftmaxCrossEntropyLoss(2), GradCheck.Random(batch * 4, 122, -2f, 2f), OneHot(batch, 2, 123), batch, 124);
    }

    [Fact]
    public void Mlp_Regression_Huber_Tanh()
    {
        var spec = new NetworkSpec(3, new[] { 5 }, 1, Activation.Tanh);
        var rs = new RandomStream(130);
        var net = MultilayerPerceptron.Create(spec, WeightInitializerFactory.Create(WeightInitialization.XavierUniform, 1f, 1), ref rs);
        Randomize(net, 131);
        const int batch = 7;
        CheckNetwork(net, new HuberLoss(0.5f), GradCheck.Random(batch * 3, 132, -2f, 2f), GradCheck.Random(batch, 133, -2f, 2f), batch, 134);
    }

    // ---------------------------------------------------------------- penalties

    [Theory]
    [InlineData(0f, 0.3f)]
    [InlineData(0.2f, 0f)]
    [InlineData(0.2f, 0.3f)]
    public void Penalties_GradientIsTheDerivativeOfTheValue(float l1, float l2)
    {
        var a = new Parameter("a.weights", 6, isWeight: true);
        var b = new Parameter("b.weights", 4, isWeight: true);
        GradCheck.AwayFromZero(6, 140, 0.05f, 2f).CopyTo(a.Value); // away from w = 0 where L1 has its kink
        GradCheck.AwayFromZero(4, 141, 0.05f, 2f).CopyTo(b.Value);
        var start = GradCheck.Random(6, 142);
        start.CopyTo(a.Gradient);
        var ps = new[] { a, b };
        Penalties.AddPenaltyGradients(ps, l1, l2);
        // AddPenaltyGradients adds to the existing gradient.
        var penaltyA = a.Gradient.ToArray().Select((g, i) => g - start[i]).ToArray();
        double F() => Penalties.PenaltyValue(ps, l1, l2);
        GradCheck.AssertNotVacuous("penalty", penaltyA);
        GradCheck.AssertMatches("a", a.Value, penaltyA, F, 1e-2f);
        GradCheck.AssertMatches("b", b.Value, b.Gradient, F, 1e-2f);
    }

    [Fact]
    public void Penalties_Value()
    {
        var p = new Parameter("w", 3, isWeight: true);
        new[] { 1f, -2f, 3f }.CopyTo(p.Value);
        Assert.Equal(0.5 * 0.1 * 14 + 0.2 * 6, Penalties.PenaltyValue(new[] { p }, 0.2f, 0.1f), 5);
        Assert.Equal(0, Penalties.PenaltyValue(new[] { p }, 0f, 0f));
    }
}
