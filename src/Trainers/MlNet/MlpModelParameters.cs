using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>The weights and biases of one dense layer, copied out for inspection.</summary>
public sealed class DenseLayerWeights
{
    internal DenseLayerWeights(int inputSize, int outputSize, float[] weights, float[] bias)
    {
        InputSize = inputSize; OutputSize = outputSize; Weights = weights; Bias = bias;
    }

    /// <summary>Fan-in m.</summary>
    public int InputSize { get; }

    /// <summary>Fan-out n (units).</summary>
    public int OutputSize { get; }

    /// <summary>W, row-major [InputSize × OutputSize]: W[i·OutputSize + j] connects input i to unit j.</summary>
    public IReadOnlyList<float> Weights { get; }

    /// <summary>b, one per unit.</summary>
    public IReadOnlyList<float> Bias { get; }
}

/// <summary>The learned parameters and running statistics of one batch-normalization layer.</summary>
public sealed class BatchNormalizationStatistics
{
    internal BatchNormalizationStatistics(float[] gamma, float[] beta, float[] mean, float[] variance)
    {
        Gamma = gamma; Beta = beta; RunningMean = mean; RunningVariance = variance;
    }

    /// <summary>Scale γ per unit.</summary>
    public IReadOnlyList<float> Gamma { get; }

    /// <summary>Shift β per unit.</summary>
    public IReadOnlyList<float> Beta { get; }

    /// <summary>Running mean used at inference.</summary>
    public IReadOnlyList<float> RunningMean { get; }

    /// <summary>Running (unbiased) variance used at inference.</summary>
    public IReadOnlyList<float> RunningVariance { get; }
}

/// <summary>
/// A trained multilayer perceptron: its layer sizes, weights, biases, batch-normalization statistics,
/// the feature (and, for regression, label) standardization learned from the training data, the
/// options it was trained with, and the training history. Everything here is saved with the model.
/// </summary>
public sealed class MlpModelParameters
{
    /// <param name="network">The trained network.</param>
    /// <param name="preprocessing">The input preprocessing learned at Fit.</param>
    /// <param name="labelShift">Per output, the value added after the scale (the label's training mean; 0 when not standardized).</param>
    /// <param name="labelScale">Per output, the factor applied to the network's output (the label's training standard deviation; 1 when not standardized).</param>
    /// <param name="options">The options trained with, as text.</param>
    /// <param name="history">The training history.</param>
    internal MlpModelParameters(MultilayerPerceptron network, InputPreprocessing preprocessing,
        float[] labelShift, float[] labelScale, IReadOnlyDictionary<string, string> options, TrainingHistory history)
    {
        if (preprocessing.OutputCount != network.InputSize)
            throw new ArgumentException($"The preprocessing gives {preprocessing.OutputCount} inputs; the network takes {network.InputSize}.");
        if (labelShift.Length != network.OutputSize || labelScale.Length != network.OutputSize)
            throw new ArgumentException($"The label standardization has {labelShift.Length} shifts and {labelScale.Length} scales; the network has {network.OutputSize} outputs.");
        Network = network;
        Preprocessing = preprocessing;
        LabelShift = labelShift;
        LabelScale = labelScale;
        Options = options;
        History = history;
        Members = Array.Empty<MlpEnsembleMember>();
    }

    /// <summary>
    /// A bagged ensemble (<see cref="MlpTrainerOptionsBase.NumberOfModels"/> ≥ 2): <paramref name="members"/>' networks
    /// share the preprocessing and label standardization, and their outputs are combined as <paramref name="combination"/> says.
    /// </summary>
    /// <param name="members">The members, at least two, of the same input and output sizes, in their order.</param>
    /// <param name="combination">How the members' outputs are averaged.</param>
    /// <param name="preprocessing">The shared input preprocessing.</param>
    /// <param name="labelShift">The shared label shifts (see the single-network constructor).</param>
    /// <param name="labelScale">The shared label scales.</param>
    /// <param name="options">The options trained with, as text.</param>
    /// <param name="history">The ensemble's history: one record per member (see <see cref="History"/>).</param>
    internal MlpModelParameters(IReadOnlyList<MlpEnsembleMember> members, EnsembleCombination combination, InputPreprocessing preprocessing,
        float[] labelShift, float[] labelScale, IReadOnlyDictionary<string, string> options, TrainingHistory history)
        : this(members[0].Network, preprocessing, labelShift, labelScale, options, history)
    {
        if (members.Count < 2) throw new ArgumentException($"An ensemble has at least 2 members, not {members.Count}.", nameof(members));
        for (int i = 0; i < members.Count; i++)
        {
            var n = members[i].Network;
            if (n.InputSize != Network.InputSize || n.OutputSize != Network.OutputSize)
                throw new ArgumentException($"Member {i} has {n.InputSize} inputs and {n.OutputSize} outputs; member 0 has {Network.InputSize} and {Network.OutputSize}.", nameof(members));
            members[i].JoinEnsemble(this);
        }
        Members = members.ToArray();
        Combination = combination;
    }

    /// <summary>
    /// The members of a bagged ensemble (<see cref="MlpTrainerOptionsBase.NumberOfModels"/> ≥ 2), in order; empty for a
    /// single network. The network accessors of the model (<see cref="LayerSizes"/>, <see cref="Activation"/>,
    /// <see cref="DenseLayers"/>, <see cref="BatchNormalizationLayers"/>) describe member 0 (the members share the architecture).
    /// </summary>
    public IReadOnlyList<MlpEnsembleMember> Members { get; }

    /// <summary>Whether the model is a bagged ensemble of several networks.</summary>
    public bool IsEnsemble => Members.Count > 0;

    /// <summary>How an ensemble averages its members' outputs (meaningless for a single network).</summary>
    internal EnsembleCombination Combination { get; }

    internal MultilayerPerceptron Network { get; }
    internal InputPreprocessing Preprocessing { get; }
    /// <summary>Per output, the shift of the label de-standardization (output·scale + shift); zeros when the label is not standardized.</summary>
    internal float[] LabelShift { get; }

    /// <summary>Per output, the scale of the label de-standardization; ones when the label is not standardized.</summary>
    internal float[] LabelScale { get; }

    /// <summary>Whether the outputs are de-standardized (some shift ≠ 0 or some scale ≠ 1).</summary>
    internal bool HasLabelStandardization => !Standardization.IsIdentity(LabelShift, LabelScale);

    /// <summary>Number of slots of the features column.</summary>
    public int InputSize => Preprocessing.InputCount;

    /// <summary>Number of outputs (classes for multiclass, 1 for binary and regression, K for K-output regression).</summary>
    public int OutputSize => Network.OutputSize;

    /// <summary>
    /// Widths from input to output: the network's inputs (the features' slots, then one missing-value indicator per slot in
    /// <see cref="MissingValueIndicatorSlots"/>), each hidden layer, outputs.
    /// </summary>
    public IReadOnlyList<int> LayerSizes =>
        new[] { Network.InputSize }.Concat(Network.InferenceLayers.OfType<DenseLayer>().Select(d => d.OutputSize)).ToArray();

    /// <summary>The hidden layers' non-linearity.</summary>
    public Activation Activation =>
        Network.InferenceLayers.OfType<ActivationLayer>().Select(a => a.Function).DefaultIfEmpty(Activation.Identity).First();

    /// <summary>Copies of every dense layer's weights and biases, input side first.</summary>
    public IReadOnlyList<DenseLayerWeights> DenseLayers =>
        Network.InferenceLayers.OfType<DenseLayer>()
            .Select(d => new DenseLayerWeights(d.InputSize, d.OutputSize, d.Weights.Value.ToArray(), d.Bias.Value.ToArray()))
            .ToArray();

    /// <summary>Copies of every batch-normalization layer's γ, β and running statistics (empty without batch normalization).</summary>
    public IReadOnlyList<BatchNormalizationStatistics> BatchNormalizationLayers =>
        Network.InferenceLayers.OfType<BatchNormLayer>()
            .Select(b => new BatchNormalizationStatistics(b.Gamma.Value.ToArray(), b.Beta.Value.ToArray(),
                (float[])b.RunningMean.Clone(), (float[])b.RunningVariance.Clone()))
            .ToArray();

    /// <summary>
    /// Per slot, what the preprocessing does with it (learned from the training rows; all <see cref="InputSlotKind.Raw"/>
    /// when normalization is off).
    /// </summary>
    public IReadOnlyList<InputSlotKind> FeatureKinds => Preprocessing.Kinds;

    /// <summary>Per slot, the value subtracted before scaling: the training median for a continuous slot, the lower value for a binary one (zeros when normalization is off).</summary>
    public IReadOnlyList<float> FeatureMeans => Preprocessing.Shift;

    /// <summary>Per slot, the factor applied after the shift (1/IQR for a continuous slot, 0 for a constant one; ones when normalization is off).</summary>
    public IReadOnlyList<float> FeatureScales => Preprocessing.Scale;

    /// <summary>Per slot, the raw value that replaces a missing value (NaN): the training median.</summary>
    public IReadOnlyList<float> FeatureFillValues => Preprocessing.Fill;

    /// <summary>The slots that had missing values in training, each with an indicator input after the slots (empty if none).</summary>
    public IReadOnlyList<int> MissingValueIndicatorSlots => Preprocessing.Indicators;

    /// <summary>The options the model was trained with, as name → value text.</summary>
    public IReadOnlyDictionary<string, string> Options { get; }

    /// <summary>
    /// Per-epoch losses, metrics, learning rates and times; the kept epoch and why training stopped. For an ensemble (see
    /// <see cref="Members"/>, where each member's own history is), one record per member, phase "bagging": Epoch is the number
    /// of members so far (1 to k), TrainingLoss member i's out-of-bag loss, ValidationLoss and ValidationMetric those of the
    /// ensemble of the first i members on the validation rows (when there are any), LearningRate and Elapsed member i's last;
    /// BestEpoch is k, StopReason Cancelled or Diverged when a member's was, else MaximumEpochs.
    /// </summary>
    public TrainingHistory History { get; }

    /// <summary>Creates a scorer with its own buffers (one per thread or cursor).</summary>
    internal MlpScorer CreateScorer() => new(this);
}

/// <summary>Scores single rows with a model; owns its scratch buffers, so use one per thread.</summary>
internal sealed class MlpScorer
{
    private readonly MlpModelParameters _model;
    private readonly float[] _input, _a, _b, _memberOutputs;

    public MlpScorer(MlpModelParameters model)
    {
        _model = model;
        _input = new float[model.Preprocessing.OutputCount];
        int width = model.Members.Count == 0 ? model.Network.MaxWidth : model.Members.Max(m => m.Network.MaxWidth);
        _a = new float[width];
        _b = new float[width];
        _memberOutputs = new float[model.Members.Count * model.OutputSize];
    }

    /// <summary>Raw outputs (logits, or the de-standardized regression values) for one row of features.</summary>
    /// <exception cref="InvalidOperationException">A feature is infinite (the message names the slot; the caller adds the row).</exception>
    public void Score(ReadOnlySpan<float> features, Span<float> output)
    {
        var pre = _model.Preprocessing;
        ReadOnlySpan<float> input = features[..pre.InputCount];
        int bad = TrainingDataReader.IndexOfInfinity(input);
        if (bad >= 0) throw new InvalidOperationException($"slot {bad} of the features is {input[bad]}: features must be finite or NaN (missing)");
        // The same transform as the training rows got, so the same bits (identity: the features go in as they are).
        if (!pre.IsIdentity || InputPreprocessing.ContainsNaN(input))
        {
            pre.Transform(input, _input);
            input = _input;
        }

        var members = _model.Members;
        if (members.Count == 0)
        {
            _model.Network.Predict(input, output, 1, _a, _b);
            Destandardize(output);
            return;
        }
        // An ensemble: each member's outputs as it would give them alone, then their average (see EnsembleCombination).
        int o = output.Length;
        for (int m = 0; m < members.Count; m++)
        {
            var memberOutput = _memberOutputs.AsSpan(m * o, o);
            members[m].Network.Predict(input, memberOutput, 1, _a, _b);
            Destandardize(memberOutput);
        }
        EnsembleCombiner.Combine(_model.Combination, _memberOutputs, members.Count, output);
    }

    private void Destandardize(Span<float> output)
    {
        if (!_model.HasLabelStandardization) return;
        float[] scale = _model.LabelScale, shift = _model.LabelShift;
        for (int i = 0; i < output.Length; i++) output[i] = output[i] * scale[i] + shift[i];
    }
}
