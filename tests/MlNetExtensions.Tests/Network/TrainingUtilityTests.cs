using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Network;

public class TrainingUtilityTests
{
    [Fact]
    public void ClipGlobalNorm_RescalesAllGradientsTogetherOnlyAboveTheThreshold()
    {
        var a = new Parameter("a", 2, true); var b = new Parameter("b", 1, false);
        new[] { 3f, 0f }.CopyTo(a.Gradient); b.Gradient[0] = 4f; // ‖g‖ = 5
        Penalties.ClipGlobalNorm(new[] { a, b }, 10f);
        Assert.Equal(new[] { 3f, 0f }, a.Gradient.ToArray());
        Assert.Equal(4f, b.Gradient[0]);
        Penalties.ClipGlobalNorm(new[] { a, b }, 1f);
        Assert.Equal(0.6f, a.Gradient[0], 6);
        Assert.Equal(0.8f, b.Gradient[0], 6);
        var zero = new Parameter("z", 2, true);
        Penalties.ClipGlobalNorm(new[] { zero }, 1f);
        Assert.Equal(new float[2], zero.Gradient.ToArray());
    }

    [Fact]
    public void ApplyMaxNorm_RescalesEachUnitsIncomingColumn()
    {
        // W is [fanIn × fanOut] row-major: column j holds unit j's incoming weights.
        var dense = new DenseLayer(2, 2, "d");
        new[] { 3f, 0.1f, 4f, 0.2f }.CopyTo(dense.Weights.Value); // columns (3, 4) norm 5 and (0.1, 0.2)
        dense.Bias.Value[0] = 100f;
        var net = new MultilayerPerceptron(new Layer[] { dense });
        Penalties.ApplyMaxNorm(net, 2f);
        Assert.Equal(1.2f, dense.Weights.Value[0], 5);
        Assert.Equal(1.6f, dense.Weights.Value[2], 5);
        Assert.Equal(0.1f, dense.Weights.Value[1]);
        Assert.Equal(0.2f, dense.Weights.Value[3]);
        Assert.Equal(100f, dense.Bias.Value[0]); // biases untouched
    }

    [Fact]
    public void Penalties_OnlyTouchTheParametersPassed()
    {
        var w = new Parameter("w", 2, true);
        new[] { 1f, -1f }.CopyTo(w.Value);
        Penalties.AddPenaltyGradients(new[] { w }, 0f, 0f);
        Assert.Equal(new float[2], w.Gradient.ToArray());
        Penalties.AddPenaltyGradients(new[] { w }, 0.5f, 0f);
        Assert.Equal(new[] { 0.5f, -0.5f }, w.Gradient.ToArray());
    }

    [Fact]
    public void NetworkSnapshot_RestoresParametersAndRunningStatistics()
    {
        var spec = new NetworkSpec(3, new[] { 4 }, 2, Activation.Tanh, BatchNormalization: true);
        var rs = new RandomStream(1);
        var net = MultilayerPerceptron.Create(spec, WeightInitializerFactory.Create(WeightInitialization.XavierUniform, 1f, 1), ref rs);
        var x = GradCheck.Random(5 * 3, 2, -2f, 2f);
        var r = new RandomStream(3);
        net.Forward(x, 5, true, ref r);
        var output = new float[10]; var a = new float[5 * net.MaxWidth]; var b = new float[5 * net.MaxWidth];
        net.Predict(x, output, 5, a, b);
        var before = output.ToArray();
        var snap = NetworkSnapshot.Capture(net);
        var values = net.Parameters.Select(p => p.Value.ToArray()).ToArray();
        var bn = net.Layers.OfType<BatchNormLayer>().Single();
        var runMean = bn.RunningMean.ToArray(); var runVar = bn.RunningVariance.ToArray();

        foreach (var p in net.Parameters) for (int i = 0; i < p.Length; i++) p.Value[i] += 0.5f;
        net.Forward(x.Select(v => v * 3).ToArray(), 5, true, ref r); // moves the running statistics
        net.Predict(x, output, 5, a, b); // caches the inference scale of the changed statistics
        Assert.NotEqual(before, output);

        snap.Restore(net);
        for (int k = 0; k < values.Length; k++) Assert.Equal(values[k], net.Parameters[k].Value);
        Assert.Equal(runMean, bn.RunningMean);
        Assert.Equal(runVar, bn.RunningVariance);
        net.Predict(x, output, 5, a, b);
        Assert.Equal(before, output); // the stale inference cache was dropped

        // Capture with reuse overwrites the reused snapshot.
        foreach (var p in net.Parameters) p.Value[0] = 7f;
        var again = NetworkSnapshot.Capture(net, snap);
        Assert.Same(snap, again);
        foreach (var p in net.Parameters) p.Value[0] = 0f;
        snap.Restore(net);
        Assert.All(net.Parameters, p => Assert.Equal(7f, p.Value[0]));
    }

    [Fact]
    public void Standardization_FitAndApplyGiveZeroMeanUnitVariance()
    {
        const int rows = 50, cols = 3;
        var v = GradCheck.Random(rows * cols, 5, -1f, 1f);
        for (int r = 0; r < rows; r++) { v[r * cols] = v[r * cols] * 10 + 3; v[r * cols + 2] = 4f; }
        var (shift, scale) = Standardization.Fit(v, rows, cols);
        Assert.Equal(4f, shift[2]);
        Assert.Equal(1f, scale[2]); // constant column
        Standardization.Apply(v, rows, shift, scale);
        for (int c = 0; c < 2; c++)
        {
            double mean = 0, sq = 0;
            for (int r = 0; r < rows; r++) mean += v[r * cols + c];
            mean /= rows;
            for (int r = 0; r < rows; r++) sq += (v[r * cols + c] - mean) * (v[r * cols + c] - mean);
            Assert.Equal(0.0, mean, 5);
            Assert.Equal(1.0, sq / rows, 4);
        }
        for (int r = 0; r < rows; r++) Assert.Equal(0f, v[r * cols + 2]);
        var (s0, s1) = Standardization.Identity(2);
        Assert.Equal(new float[2], s0);
        Assert.Equal(new[] { 1f, 1f }, s1);
    }
}
