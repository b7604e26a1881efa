using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Tests.Network;

public class LayerBehaviorTests
{
    // ---------------------------------------------------------------- dropout

    [Fact]
    public void Dropout_InvertedScalingPreservesTheExpectedActivation()
    {
        const int width = 40, draws = 4000;
        const float rate = 0.3f;
        var layer = new DropoutLayer(width, rate);
        var x = GradCheck.AwayFromZero(width, 1, 0.5f, 2f);
        var sum = new double[width];
        var y = new float[width];
        long zeros = 0;
        for (int d = 0; d < draws; d++)
        {
            var r = RandomStream.For(7, (ulong)d);
            layer.Forward(x, y, 1, training: true, ref r);
            for (int i = 0; i < width; i++)
            {
                sum[i] += y[i];
                if (y[i] == 0f) zeros++;
                else Assert.Equal(x[i] / (1 - rate), y[i], 5);
            }
            foreach (var m in layer.LastMask[..width]) Assert.True(m == 0f || Math.Abs(m - 1 / (1 - rate)) < 1e-6);
        }
        // sd of y is |x|·√(rate/(1 − rate)) ≈ 0.65|x|; over 4000 draws the mean's sd is ≈ 0.0104|x|: 6 % is ~6σ.
        for (int i = 0; i < width; i++) Assert.InRange(sum[i] / draws / x[i], 0.94, 1.06);
        // 160 000 Bernoulli(0.3) draws: sd of the fraction ≈ 0.0011.
        Assert.InRange(zeros / (double)(width * draws), 0.29, 0.31);
    }

    [Fact]
    public void Dropout_MasksDifferPerExampleAndPerStream()
    {
        var layer = new DropoutLayer(50, 0.5f);
        var x = Enumerable.Repeat(1f, 100).ToArray();
        var y1 = new float[100]; var y2 = new float[100];
        var r1 = new RandomStream(1); var r2 = new RandomStream(2);
        layer.Forward(x, y1, 2, true, ref r1);
        Assert.NotEqual(y1[..50], y1[50..]);
        layer.Forward(x, y2, 2, true, ref r2);
        Assert.NotEqual(y1, y2);
    }

    [Fact]
    public void Dropout_IsTheIdentityAtInference()
    {
        var layer = new DropoutLayer(8, 0.6f);
        var x = GradCheck.Random(3 * 8, 2);
        var y = new float[x.Length];
        var r = new RandomStream(3);
        var before = r;
        layer.Forward(x, y, 3, training: false, ref r);
        Assert.Equal(x, y);
        Assert.Equal(before.NextUInt64(), r.NextUInt64()); // no randomness consumed
    }

    [Fact]
    public void Dropout_RejectsRatesOutsideZeroToOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropoutLayer(3, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropoutLayer(3, -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropoutLayer(3, float.NaN));
    }

    [Fact]
    public void GaussianNoise_TrainingAddsNoiseOfSigma_InferenceIsIdentity()
    {
        const int n = 20000;
        var layer = new GaussianNoiseLayer(n, 0.5f);
        var x = GradCheck.Random(n, 4);
        var y = new float[n];
        var r = new RandomStream(5);
        layer.Forward(x, y, 1, training: true, ref r);
        double s = 0, s2 = 0;
        for (int i = 0; i < n; i++) { double e = y[i] - x[i]; s += e; s2 += e * e; }
        Assert.InRange(s / n, -0.02, 0.02);
        Assert.InRange(Math.Sqrt(s2 / n), 0.48, 0.52);
        layer.Forward(x, y, 1, training: false, ref r);
        Assert.Equal(x, y);
        Assert.True(layer.IsTrainingOnly);
    }

    // ---------------------------------------------------------------- batch norm

    [Fact]
    public void BatchNorm_TrainingUsesBatchStatistics()
    {
        const int d = 3, batch = 16;
        var layer = new BatchNormLayer(d, "bn");
        float[] gamma = { 0.5f, 2f, 1.3f }, beta = { 1f, -3f, 0.25f };
        gamma.CopyTo(layer.Gamma.Value); beta.CopyTo(layer.Beta.Value);
        // Units with very different offsets and scales.
        var x = GradCheck.Random(batch * d, 10, -1f, 1f);
        for (int r = 0; r < batch; r++) { x[r * d] = x[r * d] * 5 + 10; x[r * d + 2] *= 0.3f; }
        var y = new float[batch * d];
        var rs = new RandomStream(1);
        layer.Forward(x, y, batch, training: true, ref rs);
        for (int j = 0; j < d; j++)
        {
            double mean = 0, var = 0;
            for (int r = 0; r < batch; r++) mean += y[r * d + j];
            mean /= batch;
            for (int r = 0; r < batch; r++) var += (y[r * d + j] - mean) * (y[r * d + j] - mean);
            var /= batch; // biased, as batch normalization uses
            Assert.Equal(beta[j], mean, 4);
            Assert.InRange(var / (gamma[j] * gamma[j]), 0.995, 1.001);
        }
    }

    [Fact]
    public void BatchNorm_InferenceUsesRunningAverages()
    {
        const int d = 3, batch = 4;
        var layer = new BatchNormLayer(d, "bn");
        float[] gamma = { 0.5f, 2f, 1.3f }, beta = { 1f, -3f, 0.25f }, mu = { 0.3f, -1f, 4f }, sigma2 = { 2f, 0.25f, 9f };
        gamma.CopyTo(layer.Gamma.Value); beta.CopyTo(layer.Beta.Value);
        var x = GradCheck.Random(batch * d, 11, -3f, 3f);
        var y = new float[batch * d];
        var rs = new RandomStream(1);
        layer.Forward(x, y, batch, training: false, ref rs); // with the initial μ = 0, σ² = 1 (builds the cache)
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(gamma[i % d] * x[i] / Math.Sqrt(1 + layer.Epsilon) + beta[i % d], y[i], 4);

        mu.CopyTo(layer.RunningMean, 0); sigma2.CopyTo(layer.RunningVariance, 0);
        layer.InvalidateInferenceCache();
        layer.Forward(x, y, batch, training: false, ref rs);
        for (int i = 0; i < x.Length; i++)
        {
            int j = i % d;
            Assert.Equal(gamma[j] * (x[i] - mu[j]) / Math.Sqrt(sigma2[j] + layer.Epsilon) + beta[j], y[i], 4);
        }
        // A single example can be scored at inference, and the output does not depend on the rest of the batch.
        var single = new float[d];
        layer.Forward(x.AsSpan(d, d), single, 1, training: false, ref rs);
        Assert.Equal(y.AsSpan(d, d).ToArray(), single);
    }

    [Fact]
    public void BatchNorm_RunningAveragesUpdateWithMomentum()
    {
        const int d = 2, batch = 5;
        const float m = 0.8f;
        var layer = new BatchNormLayer(d, "bn", momentum: m);
        Assert.Equal(new float[d], layer.RunningMean);
        Assert.Equal(new[] { 1f, 1f }, layer.RunningVariance);
        double[] runMean = { 0, 0 }, runVar = { 1, 1 };
        var y = new float[batch * d];
        var rs = new RandomStream(1);
        for (int step = 0; step < 3; step++)
        {
            var x = GradCheck.Random(batch * d, 20 + (ulong)step, -2f, 4f);
            layer.Forward(x, y, batch, training: true, ref rs);
            for (int j = 0; j < d; j++)
            {
                double mean = 0, ss = 0;
                for (int r = 0; r < batch; r++) mean += x[r * d + j];
                mean /= batch;
                for (int r = 0; r < batch; r++) ss += (x[r * d + j] - mean) * (x[r * d + j] - mean);
                runMean[j] = m * runMean[j] + (1 - m) * mean;
                runVar[j] = m * runVar[j] + (1 - m) * ss / (batch - 1); // unbiased, as documented
                Assert.Equal(runMean[j], layer.RunningMean[j], 4);
                Assert.Equal(runVar[j], layer.RunningVariance[j], 4);
            }
        }
    }

    [Fact]
    public void BatchNorm_TrainingForwardInvalidatesTheInferenceCache()
    {
        const int d = 2;
        var layer = new BatchNormLayer(d, "bn", momentum: 0f); // running stats = last batch's
        var x = new float[] { 0f, 10f, 2f, 20f, 4f, 30f };
        var y = new float[6];
        var rs = new RandomStream(1);
        layer.Forward(x, y, 3, training: false, ref rs);
        layer.Forward(x, y, 3, training: true, ref rs);
        layer.Forward(x, y, 3, training: false, ref rs);
        // Unbiased variance of {0, 2, 4} = 4, mean 2: x = 4 → (4 − 2)/√(4 + ϵ) ≈ 1.
        Assert.Equal(1.0, y[4], 4);
        Assert.Equal(0.0, y[2], 4);
    }

    [Fact]
    public void BatchNorm_TrainingOnABatchOfOneThrows()
    {
        var layer = new BatchNormLayer(3, "bn");
        var y = new float[3];
        var rs = new RandomStream(1);
        Assert.Throws<InvalidOperationException>(() => layer.Forward(new float[] { 1, 2, 3 }, y, 1, training: true, ref rs));
        layer.Forward(new float[] { 1, 2, 3 }, y, 1, training: false, ref rs); // fine at inference
    }

    // ---------------------------------------------------------------- network plumbing

    [Fact]
    public void Mlp_Create_LayoutFollowsTheSpec()
    {
        var spec = new NetworkSpec(4, new[] { 6, 5 }, 3, Activation.Relu, BatchNormalization: true, InputDropoutRate: 0.1f, HiddenDropoutRate: 0.2f, InputNoiseStdDev: 0.3f);
        var rs = new RandomStream(1);
        var net = MultilayerPerceptron.Create(spec, WeightInitializerFactory.Create(WeightInitialization.HeNormal, 1f, 1), ref rs);
        var kinds = net.Layers.Select(l => l.GetType().Name).ToArray();
        Assert.Equal(new[]
        {
            "GaussianNoiseLayer", "DropoutLayer",
            "DenseLayer", "BatchNormLayer", "ActivationLayer", "DropoutLayer",
            "DenseLayer", "BatchNormLayer", "ActivationLayer", "DropoutLayer",
            "DenseLayer",
        }, kinds);
        Assert.Equal(4, net.InputSize);
        Assert.Equal(3, net.OutputSize);
        Assert.Equal(7, net.InferenceLayers.Length); // noise skipped, dropout kept (identity at inference)
        Assert.Throws<ArgumentException>(() => new MultilayerPerceptron(new Layer[] { new DenseLayer(2, 3, "a"), new DenseLayer(4, 1, "b") }));
    }

    [Fact]
    public void Mlp_PredictEqualsInferenceForward()
    {
        var spec = new NetworkSpec(4, new[] { 6, 5 }, 3, Activation.Tanh, BatchNormalization: true, HiddenDropoutRate: 0.2f);
        var rs = new RandomStream(2);
        var net = MultilayerPerceptron.Create(spec, WeightInitializerFactory.Create(WeightInitialization.XavierUniform, 1f, 1), ref rs);
        var x = GradCheck.Random(7 * 4, 3, -2f, 2f);
        var r = new RandomStream(4);
        net.Forward(x, 7, training: true, ref r); // moves the running statistics
        var expected = net.Forward(x, 7, training: false, ref r).ToArray();
        var output = new float[7 * 3];
        var a = new float[7 * net.MaxWidth]; var b = new float[7 * net.MaxWidth];
        net.Predict(x, output, 7, a, b);
        Assert.Equal(expected, output);
    }

    // ---------------------------------------------------------------- label smoothing

    [Theory]
    [InlineData(LabelSmoothingForm.Lecture, 5, 0.1f)]
    [InlineData(LabelSmoothingForm.Uniform, 5, 0.1f)]
    [InlineData(LabelSmoothingForm.Lecture, 2, 0.3f)]
    [InlineData(LabelSmoothingForm.Uniform, 3, 0.25f)]
    public void LabelSmoothing_RowsSumToOneWithTheDocumentedValues(LabelSmoothingForm form, int k, float eps)
    {
        for (int c = 0; c < k; c++)
        {
            var t = Enumerable.Repeat(42f, k).ToArray(); // stale content must be overwritten
            LabelSmoothing.Fill(t, c, eps, form);
            Assert.Equal(1.0, t.Sum(v => (double)v), 6);
            double onTrue = form == LabelSmoothingForm.Lecture ? 1 - eps : 1 - eps + eps / (double)k;
            double offTrue = form == LabelSmoothingForm.Lecture ? eps / (double)(k - 1) : eps / (double)k;
            for (int j = 0; j < k; j++) Assert.Equal(j == c ? onTrue : offTrue, t[j], 6);
        }
    }

    [Theory]
    [InlineData(LabelSmoothingForm.Lecture)]
    [InlineData(LabelSmoothingForm.Uniform)]
    public void LabelSmoothing_ZeroEpsilonIsOneHot(LabelSmoothingForm form)
    {
        var t = new float[] { 5f, 5f, 5f, 5f };
        LabelSmoothing.Fill(t, 2, 0f, form);
        Assert.Equal(new[] { 0f, 0f, 1f, 0f }, t);
    }
}
