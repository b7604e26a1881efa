using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Adversarial training (Goodfellow et al. 2014): every minibatch is also trained on its fast-gradient-sign examples, the
/// objective being J̃(θ, x, y) = (1 − w)·J(θ, x, y) + w·J(θ, x + ε·sign(∇ₓJ(θ, x, y)), y) with w the adversarial loss
/// weight (the paper's α is 1 − w; it used 0.5). The clean pass gives ∇ₓJ along with the parameters' gradients; the
/// adversarial examples are made from the raw rows (see <see cref="FastGradientSign"/>), preprocessed as the clean ones were,
/// and run forward and back; the parameters' gradients are then the same mix of the two passes.
/// </summary>
internal sealed class AdversarialTraining
{
    private readonly DenseDataset _raw;
    private readonly InputPreprocessing _preprocessing;
    private float[] _inputGradient = Array.Empty<float>();
    private float[] _batch = Array.Empty<float>();
    private readonly float[] _perturbed;
    private float[][]? _clean;
    private BatchNormLayer[] _batchNorms = Array.Empty<BatchNormLayer>();
    private MultilayerPerceptron? _batchNormsOf;

    /// <summary>
    /// Trains with examples of size <paramref name="epsilon"/> (raw feature units, &gt; 0) weighted
    /// <paramref name="lossWeight"/> (in (0, 1]); <paramref name="raw"/> holds the training rows before
    /// <paramref name="preprocessing"/>, row for row as the training set the loop reads.
    /// </summary>
    public AdversarialTraining(float epsilon, float lossWeight, DenseDataset raw, InputPreprocessing preprocessing)
    {
        if (!(epsilon > 0f) || !float.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be finite and > 0.");
        if (!(lossWeight > 0f && lossWeight <= 1f)) throw new ArgumentOutOfRangeException(nameof(lossWeight), lossWeight, "The adversarial loss weight must be in (0, 1].");
        if (raw.FeatureCount != preprocessing.InputCount) throw new ArgumentException($"The raw rows have {raw.FeatureCount} features, the preprocessing takes {preprocessing.InputCount}.", nameof(raw));
        Epsilon = epsilon;
        LossWeight = lossWeight;
        _raw = raw;
        _preprocessing = preprocessing;
        _perturbed = new float[preprocessing.InputCount];
    }

    /// <summary>ε, in the raw features' units.</summary>
    public float Epsilon { get; }

    /// <summary>w, the adversarial examples' share of the loss.</summary>
    public float LossWeight { get; }

    /// <summary>A buffer for ∂J/∂(network input) of <paramref name="count"/> rows, for the clean backward pass to fill.</summary>
    public Span<float> InputGradient(int count)
    {
        int size = count * _preprocessing.OutputCount;
        if (_inputGradient.Length < size) _inputGradient = new float[size];
        return _inputGradient.AsSpan(0, size);
    }

    /// <summary>
    /// After the clean forward and backward pass of the rows <paramref name="rows"/> of the training set (the latter
    /// having filled <see cref="InputGradient"/>): builds their adversarial examples, runs them forward and back, and leaves
    /// (1 − w)·clean + w·adversarial gradients in <paramref name="parameters"/>. Returns the adversarial examples' loss
    /// (summed as <see cref="Loss.Compute"/> sums), NaN or infinite if it diverged (the gradients are then not to be used).
    /// </summary>
    public double Step(MultilayerPerceptron network, Loss loss, IReadOnlyList<Parameter> parameters, ReadOnlySpan<int> rows,
        ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, Span<float> outputGradient, ref RandomStream random)
    {
        int count = rows.Length, d = _preprocessing.InputCount, inputs = _preprocessing.OutputCount;
        _clean ??= parameters.Select(p => new float[p.Length]).ToArray();
        for (int k = 0; k < parameters.Count; k++) parameters[k].Gradient.CopyTo(_clean[k]);
        if (_batch.Length < count * inputs) _batch = new float[count * inputs];
        var raw = _raw.Features;
        for (int r = 0; r < count; r++)
        {
            FastGradientSign.Perturb(_preprocessing, raw.AsSpan(rows[r] * d, d), _inputGradient.AsSpan(r * inputs, inputs), Epsilon, _perturbed);
            _preprocessing.Transform(_perturbed, _batch.AsSpan(r * inputs, inputs));
        }
        var x = _batch.AsSpan(0, count * inputs);
        // The perturbed batch trains the weights but is no sample of the data: batch normalization normalizes it with its own
        // statistics and leaves the running ones (what inference uses) to the clean batches.
        if (!ReferenceEquals(_batchNormsOf, network)) { _batchNorms = network.Layers.OfType<BatchNormLayer>().ToArray(); _batchNormsOf = network; }
        foreach (var bn in _batchNorms) bn.UpdatesRunningStatistics = false;
        scoped ReadOnlySpan<float> outputs;
        try { outputs = network.Forward(x, count, training: true, ref random); }
        finally { foreach (var bn in _batchNorms) bn.UpdatesRunningStatistics = true; }
        double adversarialLoss = loss.Compute(outputs, targets, weights, count, outputGradient);
        if (!double.IsFinite(adversarialLoss)) return adversarialLoss;
        network.Backward(x, outputGradient, count);
        float w = LossWeight, c = 1f - LossWeight;
        for (int k = 0; k < parameters.Count; k++)
        {
            var g = parameters[k].Gradient;
            var clean = _clean[k];
            for (int i = 0; i < g.Length; i++) g[i] = c * clean[i] + w * g[i];
        }
        return adversarialLoss;
    }
}
