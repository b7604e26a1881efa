using Microsoft.ML;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Settings shared by the MLP trainers (multiclass, binary, regression, multi-output regression). Every member has a
/// default that trains a reasonable network; its documentation states that default and the values accepted ("Range":
/// [a, b] and (a, b) are closed and open intervals, a float's range never includes NaN or ±∞). The options are checked
/// when the trainer is built and again at every Fit (changing the object in between is allowed); a value outside its
/// range is an ArgumentException (mostly ArgumentOutOfRangeException) naming the option. The few limits that need the
/// data are checked at Fit, as noted.
/// </summary>
public abstract class MlpTrainerOptionsBase
{
    /// <summary>
    /// Name of the label column: a key (or a soft-label vector) for multiclass, Boolean for binary, Single for regression,
    /// a known-size Vector&lt;Single, K&gt; for multi-output regression. Must be non-empty. Default "Label".
    /// </summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Name of the features column, a known-size vector of Single. Must be non-empty. Default "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>
    /// Optional column of per-example weights (Single), multiplying each example's loss. Each weight must be finite and ≥ 0
    /// (a bad weight fails Fit, or skips its row with <see cref="MissingValueHandling.SkipRows"/>) and not every weight may be
    /// 0. Default none (null: every example weighs 1).
    /// </summary>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>
    /// Widths of the hidden layers, input side first; empty for a linear model, never null. Range of each width
    /// [1, int.MaxValue], within the memory check below. Default {128, 64}. The trainer estimates the memory training needs
    /// (parameters with their gradients, optimizer state and best-epoch copy, plus the minibatch buffers) when it is built
    /// (with one input and one output) and at Fit (with the data's sizes), and rejects, naming this option or
    /// <see cref="BatchSize"/>, a network larger than the memory the process may use
    /// (<c>GC.GetGCMemoryInfo().TotalAvailableMemoryBytes</c>) or a weight matrix larger than one .NET array.
    /// </summary>
    public int[] HiddenLayerSizes { get; set; } = { 128, 64 };

    /// <summary>Non-linearity after each hidden layer; any defined member. Default <see cref="Trainers.Activation.Relu"/>.</summary>
    public Activation Activation { get; set; } = Activation.Relu;

    /// <summary>
    /// Weight initialization; null or any defined member. Default null: He uniform for ReLU and leaky ReLU, Xavier/Glorot
    /// uniform for tanh, sigmoid and identity.
    /// </summary>
    public WeightInitialization? WeightInitialization { get; set; }

    /// <summary>
    /// Gain g of orthogonal initialization (WᵀW = g²I) and standard deviation of sparse initialization's non-zero weights
    /// (N(0, g²)); the other schemes ignore it (it is checked all the same). Range (0, ∞). Default 1.
    /// </summary>
    public float InitializationGain { get; set; } = 1f;

    /// <summary>
    /// Non-zero incoming weights per unit for sparse initialization (capped at the layer's fan-in); the other schemes ignore
    /// it. Range [1, int.MaxValue]. Default 15.
    /// </summary>
    public int SparseConnections { get; set; } = 15;

    /// <summary>Update rule; any defined member. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Initial learning rate ε0, the schedule's starting point. Range (0, ∞). Default 0.001 (the lecture's Adam default) for classification. Default 0.002 for regression (measured on the tabular benchmark).</summary>
    public float LearningRate { get; set; } = 0.001f;

    /// <summary>
    /// Momentum α of <see cref="OptimizerKind.Momentum"/>, <see cref="OptimizerKind.Nesterov"/> and
    /// <see cref="OptimizerKind.RmsPropNesterov"/> (the other rules ignore it). Range [0, 1). Default 0.9.
    /// </summary>
    public float Momentum { get; set; } = 0.9f;

    /// <summary>
    /// Decay rate ρ of the squared-gradient average of <see cref="OptimizerKind.RmsProp"/> and
    /// <see cref="OptimizerKind.RmsPropNesterov"/> (the other rules ignore it). Range [0, 1). Default 0.9.
    /// </summary>
    public float Rho { get; set; } = 0.9f;

    /// <summary>First-moment decay ρ1 of Adam and AdamW (the other rules ignore it). Range [0, 1). Default 0.9.</summary>
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>
    /// Second-moment decay ρ2 of Adam and AdamW (the other rules ignore it). Range [0, 1). Default 0.95 (the lecture's is
    /// 0.999; 0.95, as in RealMLP, measured better on the tabular benchmark: benchmarks/README.md, "Tabular defaults").
    /// </summary>
    public float Beta2 { get; set; } = 0.95f;

    /// <summary>
    /// The small constant δ of the adaptive rules (AdaGrad, RMSProp, RMSProp + Nesterov, Adam, AdamW; SGD and the momentum
    /// rules ignore it). Range (0, ∞), or null. Default null: the lecture's value for the rule (AdaGrad 1e-7, the RMSProp
    /// rules 1e-6, Adam and AdamW 1e-8).
    /// </summary>
    public float? Epsilon { get; set; }

    /// <summary>
    /// Decoupled weight decay λ of AdamW (θ ← θ − ελθ on weights; the other rules ignore it). Range [0, ∞). Default 0.01.
    /// </summary>
    public float WeightDecay { get; set; } = 0.01f;

    /// <summary>
    /// Learning-rate schedule; any defined member. Default <see cref="LearningRateScheduleKind.Cosine"/> (from ε0 to 0 over
    /// the run; with early stopping the run is the most epochs allowed). Measured better than a constant rate on the tabular
    /// benchmark.
    /// </summary>
    public LearningRateScheduleKind LearningRateSchedule { get; set; } = LearningRateScheduleKind.Cosine;

    /// <summary>
    /// Iterations (parameter updates) of the schedule: τ for linear decay, the step s for step and exponential decay, T for
    /// cosine (the constant schedule ignores it). Range [0, long.MaxValue], 0 meaning automatic. Default 0: the whole run for
    /// linear decay and cosine, one epoch for step and exponential decay.
    /// </summary>
    public long DecayIterations { get; set; }

    /// <summary>
    /// Final rate ε_τ of linear decay and ε_min of cosine (the other schedules ignore it, but it is checked). Range
    /// [0, <see cref="LearningRate"/>], or null. Default null: 0.01·ε0 (linear decay) and 0 (cosine).
    /// </summary>
    public float? FinalLearningRate { get; set; }

    /// <summary>
    /// Factor γ of step and exponential decay (the other schedules ignore it, but it is checked). Range (0, 1]. Default 0.5.
    /// </summary>
    public float DecayFactor { get; set; } = 0.5f;

    /// <summary>
    /// Iterations of linear warm-up at the start (any schedule); 0 turns it off. Range [0, long.MaxValue]. Default 0.
    /// </summary>
    public long WarmupIterations { get; set; }

    /// <summary>
    /// Passes over the training data. Range [1, int.MaxValue], or null. Default null: automatic. With at least 1,000
    /// training rows and no validation data (<see cref="ValidationData"/>, <see cref="ValidationFraction"/>), a fifth of them
    /// is held out and training stops early on it (at most 200 epochs, <see cref="EarlyStoppingPatience"/>, the best epoch's
    /// weights kept); with validation data, at most 200 epochs with early stopping; with n &lt; 1,000 rows, every row is
    /// trained on for about max(400, 1,000·(n/1,000)^0.75) parameter updates (507 at 404 rows, 400 from 295 rows down), or
    /// at least 800 when the data are narrow (at most 0.1 network inputs per row that vary over the training rows: a slot
    /// with one value in every row does not count), as whole epochs (at least 30, at most 200). Set a number to train exactly that many epochs on the rows given.
    /// </summary>
    public int? NumberOfEpochs { get; set; }

    /// <summary>
    /// Examples per minibatch (1 is pure SGD). Range [1, int.MaxValue], at least 2 with <see cref="BatchNormalization"/>,
    /// within the memory check of <see cref="HiddenLayerSizes"/>. Default 32. A value at or above the number of training rows
    /// trains on all rows at once (batch gradient descent); buffers are sized by the smaller of the two.
    /// </summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Reshuffle the training data every epoch (by the seed). Default true.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>
    /// L1 penalty λ₁ on weights (not biases or batch-norm parameters); 0 turns it off. Range [0, ∞). Default 0.
    /// </summary>
    public float L1Regularization { get; set; }

    /// <summary>
    /// L2 penalty λ₂ on weights, adding ½λ₂‖w‖² to the (mean) loss (not biases or batch-norm parameters); 0 turns it off.
    /// Range [0, ∞), or null. Default null: automatic. Classification then uses 0.001; regression uses
    /// 0.001·(1 + 30·d/n + 3,400·(δ/(1 − δ))/n) for n training rows, d network inputs that vary over them (after the input preprocessing) and
    /// δ the share of the target's variance a nearest-neighbour comparison finds unexplainable (the Delta test, on at most
    /// 1,000 rows), at most 0.03: more penalty for noisy targets and for many inputs per row, 0.001 as the rows grow. Both were measured
    /// on the tabular benchmark (benchmarks/README.md). The automatic value is kept in the model's options
    /// (<c>AutomaticL2Regularization</c>) and, for regression, logged; δ averages the non-constant targets, ignores example
    /// weights, and is noisier for very wide inputs (fewer rows are compared: 50 at 79,000 inputs). A warm start
    /// (<c>Fit(trainData, modelParameters)</c>) keeps its reference's penalty instead. With <see cref="OptimizerKind.AdamW"/>
    /// the penalty adds to the decoupled <see cref="WeightDecay"/>. Set a number to use exactly that penalty.
    /// </summary>
    public float? L2Regularization { get; set; }

    /// <summary>
    /// Parameter tying to a reference model (the lecture's Ω = ‖w − w_ref‖²): adds α‖w − w_ref‖² to the (mean) loss, gradient
    /// 2α(w − w_ref), on connection weights only (not biases or batch-norm parameters), where w_ref are the weights of the
    /// model passed to <c>Fit(trainData, modelParameters)</c>. It keeps a fine-tuned model near the one it starts from, so
    /// that training on new data does not forget the old. Note the factor: <see cref="L2Regularization"/> adds ½λ‖w‖², so
    /// α = λ/2 pulls towards w_ref as hard as λ pulls towards 0. 0 turns it off; a value above 0 needs a reference model
    /// (Fit without one is an error naming this option). Range [0, ∞). Default 0.
    /// </summary>
    public float ParameterTyingStrength { get; set; }

    /// <summary>
    /// Adversarial training (Goodfellow et al. 2014, the fast gradient sign method): ε of the examples
    /// x + ε·sign(∇ₓJ(θ, x, y)) trained on alongside every minibatch, in the units of the features column (the raw values,
    /// before the model's input preprocessing; for pixels scaled to [0, 1], 0.1 is a tenth of the range). Each step then
    /// costs about two. Needs dense minibatches and cannot be combined with <see cref="ValidationDataReuse"/> or data re-read
    /// every epoch (online augmentation). Measure robustness with <c>FgsmExamplesOfMlp</c>. 0 turns it off.
    /// Range [0, ∞). Default 0.
    /// </summary>
    public float AdversarialEpsilon { get; set; }

    /// <summary>
    /// With <see cref="AdversarialEpsilon"/> above 0: w, the adversarial examples' share of the loss,
    /// J̃ = (1 − w)·J(clean) + w·J(adversarial) (the paper's α is 1 − w). Range (0, 1]. Default 0.5 (the paper's value).
    /// </summary>
    public float AdversarialLossWeight { get; set; } = 0.5f;

    /// <summary>
    /// Max-norm constraint on each unit's incoming weight vector after each update; 0 turns it off. Range [0, ∞). Default 0.
    /// </summary>
    public float MaxNorm { get; set; }

    /// <summary>
    /// Rescale the whole gradient when its L2 norm exceeds this; 0 turns clipping off. Range [0, ∞). Default 0.
    /// </summary>
    public float GradientClipNorm { get; set; }

    /// <summary>
    /// Dropout rate on the inputs (the lecture's value when used: 0.2, i.e. keep 0.8); 0 turns it off. Range [0, 1). Default 0.
    /// </summary>
    public float InputDropoutRate { get; set; }

    /// <summary>
    /// Dropout rate on each hidden layer (the lecture's value when used: 0.5); 0 turns it off. Range [0, 1). Default 0.
    /// </summary>
    public float HiddenDropoutRate { get; set; }

    /// <summary>Batch normalization after each hidden dense layer (needs <see cref="BatchSize"/> ≥ 2). Default false.</summary>
    public bool BatchNormalization { get; set; }

    /// <summary>
    /// Weight of the old value in batch normalization's running averages (used with <see cref="BatchNormalization"/> only,
    /// checked always). Range [0, 1). Default 0.9.
    /// </summary>
    public float BatchNormalizationMomentum { get; set; } = 0.9f;

    /// <summary>
    /// Standard deviation of Gaussian noise added to the (preprocessed) network inputs at training time; 0 turns it off.
    /// Range [0, ∞). Default 0.
    /// </summary>
    public float InputNoiseStdDev { get; set; }

    /// <summary>
    /// Standard deviation of Gaussian noise added to the weights for each minibatch at training time; 0 turns it off.
    /// Range [0, ∞). Default 0.
    /// </summary>
    public float WeightNoiseStdDev { get; set; }

    /// <summary>
    /// Scale each feature slot inside the model (learned from the training rows only, saved with it), so raw, unscaled
    /// columns train well: a slot with one value enters as 0, one with two values as 0/1, any other is robust-scaled by its
    /// median and interquartile range and smoothly clipped (x/√(1 + (x/3)²)), keeping its zeros when at least a quarter of its
    /// training values are 0; a slot of values ≥ 0 with a long right tail (skewness above 1, fewer than a quarter zeros) is
    /// scaled so after ln(1 + x/m), m the median of its positive values (see <see cref="InputSlotKind"/>). False passes the
    /// values through unchanged (missing values are
    /// still handled by <see cref="MissingValues"/>). Default true.
    /// </summary>
    public bool NormalizeFeatures { get; set; } = true;

    /// <summary>
    /// Fraction of the training rows held out (deterministically, by seed) as validation data for early stopping; 0 turns
    /// it off. Range [0, 1); at Fit, the rounded number of held-out rows must leave at least one row on each side, and a
    /// positive fraction cannot be combined with validation data (<see cref="ValidationData"/> or Fit's argument). Default 0.
    /// </summary>
    public float ValidationFraction { get; set; }

    /// <summary>
    /// Validation data for early stopping inside a pipeline's single-argument Fit, in the training data's schema (not with
    /// <see cref="ValidationFraction"/> &gt; 0; <c>Fit(train, validation)</c> uses its argument instead). Default none.
    /// </summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>
    /// Epochs without improvement before early stopping (used only with validation data). Range [1, int.MaxValue]. Default 10.
    /// </summary>
    public int EarlyStoppingPatience { get; set; } = 10;

    /// <summary>
    /// Minimum improvement of the monitored value that counts, in its units (loss, or accuracy / R²). Range [0, ∞). Default 0.
    /// </summary>
    public float EarlyStoppingMinDelta { get; set; }

    /// <summary>What early stopping monitors; any defined member. Default <see cref="Trainers.EarlyStoppingMonitor.ValidationLoss"/>.</summary>
    public EarlyStoppingMonitor EarlyStoppingMonitor { get; set; } = EarlyStoppingMonitor.ValidationLoss;

    /// <summary>
    /// What to do with the validation data after early stopping; any defined member. Default
    /// <see cref="Trainers.ValidationDataReuse.None"/>.
    /// </summary>
    public ValidationDataReuse ValidationDataReuse { get; set; } = ValidationDataReuse.None;

    /// <summary>
    /// Most epochs for <see cref="Trainers.ValidationDataReuse.ContinueToTrainingLoss"/> (ignored otherwise, checked always).
    /// Range [1, int.MaxValue]. Default 100.
    /// </summary>
    public int ContinueEpochCap { get; set; } = 100;

    /// <summary>
    /// Seed of every random choice (initialization, shuffling, the validation split, dropout, noise). Range
    /// [int.MinValue, int.MaxValue] (any int), or null. Default null: drawn from the MLContext's seed.
    /// </summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Bagging (Breiman): the number of member networks, each trained on its own bootstrap sample of the training rows (as
    /// many rows as there are, drawn with replacement, by the seed and the member's number) with its own seed; the model
    /// averages the members' probabilities (classification) or scores (regression) and is saved as one model. The input
    /// preprocessing and label standardization are learned once from the training rows; the validation rows (hold-out split or
    /// <see cref="ValidationData"/>) are those of a single network, every member early-stopping on them. Members train in
    /// parallel, at most <see cref="NumberOfThreads"/> (or the processor count) at once, each on one thread, with the same
    /// results whatever the thread count. Each member's out-of-bag loss and metric are in
    /// <see cref="MlpModelParameters.Members"/>. Not with a warm start from an ensemble, <see cref="CheckpointPath"/>,
    /// <see cref="ResumeFromCheckpoint"/> or data re-read every epoch (<see cref="ReloadDataEachEpoch"/>); an ensemble cannot be
    /// exported to ONNX. Range [1, 100]. Default 1: a single network, trained on all the training rows (no bootstrap).
    /// </summary>
    public int NumberOfModels { get; set; } = 1;

    /// <summary>
    /// Threads for the matrix products; more than the processor count uses every core. Range [1, int.MaxValue], or null.
    /// Default null: all cores, but one for small networks (under about 4 M multiply-adds per minibatch, where handing work to
    /// another core costs more than it saves). Results are bit-identical for a given seed whatever the thread count.
    /// </summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>
    /// What to do with a missing value (NaN) in the features, any defined member: <see cref="MissingValueHandling.Impute"/>
    /// (the training median plus an indicator input, inside the model), <see cref="MissingValueHandling.Error"/> or
    /// <see cref="MissingValueHandling.SkipRows"/>. Default <see cref="MissingValueHandling.Impute"/>. Note that ML.NET's
    /// TextLoader reads an empty numeric field as 0, not NaN, unless its <c>MissingRealsAsNaNs</c> option is set.
    /// </summary>
    public MissingValueHandling MissingValues { get; set; } = MissingValueHandling.Impute;

    /// <summary>
    /// Skip rows with NaN or infinite features or bad labels (counted in the history) instead of failing: the same as
    /// <see cref="MissingValues"/> = <see cref="MissingValueHandling.SkipRows"/>, which this reads and sets (setting it false
    /// goes back to <see cref="MissingValueHandling.Impute"/> from SkipRows). Default false.
    /// </summary>
    public bool SkipNonFiniteRows
    {
        get => MissingValues == MissingValueHandling.SkipRows;
        set => MissingValues = value ? MissingValueHandling.SkipRows
            : MissingValues == MissingValueHandling.SkipRows ? MissingValueHandling.Impute : MissingValues;
    }

    /// <summary>
    /// Read the training data again every epoch, so stochastic upstream transforms (augmentation, noise) give fresh
    /// values each epoch. Default null: detected (the data is re-read when two reads of its first 64 rows differ; a single
    /// epoch without a reuse phase reads it once).
    /// </summary>
    public bool? ReloadDataEachEpoch { get; set; }

    /// <summary>
    /// Receives a record at the end of every epoch. With <see cref="NumberOfModels"/> ≥ 2, every member's epochs, one call at
    /// a time from the members' threads, in the order they finish (the records carry no member number; each member's own
    /// history is in <see cref="MlpModelParameters.Members"/>). Default none.
    /// </summary>
    public IProgress<EpochRecord>? Progress { get; set; }

    /// <summary>
    /// Stops training at the next minibatch. Default none. Once an epoch has finished, the best weights so far are kept, the
    /// history says so (<see cref="StopReason.Cancelled"/>) and a warning is logged; a token cancelled before Fit starts, or
    /// before the first epoch finishes, makes Fit throw OperationCanceledException (there is no trained model to return).
    /// ML.NET's own mechanism, <c>MLContext.CancelExecution()</c> (Microsoft.ML.Experimental), acts the same way.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>
    /// File to write a training checkpoint to every <see cref="CheckpointEveryEpochs"/> epochs, so that a run killed or
    /// stopped can go on with <see cref="ResumeFromCheckpoint"/>. Each checkpoint replaces the previous one atomically
    /// (written to a temporary file in the same folder, flushed, then renamed): a process killed while writing leaves the
    /// previous whole checkpoint at the path, never a torn one. It holds the phase and epoch reached, the network's
    /// parameters and batch-normalization statistics, the best epoch's weights and the early-stopping counters, the
    /// optimizer's state (moments, velocities, step count, hence the learning-rate schedule's position), the history so far,
    /// and a fingerprint of the options and data; the random draws need no state (each is fixed by the seed and the
    /// position). Must be a file path, not a folder (the folder is created). Checkpoints are also taken in the phases reusing
    /// the validation data (<see cref="ValidationDataReuse"/>). Taking one copies the parameters and the optimizer state
    /// (transient memory about that of the model's training state); a checkpoint that cannot be written (a full disk, no
    /// access) fails Fit with its IOException. Default null: no checkpoints.
    /// </summary>
    public string? CheckpointPath { get; set; }

    /// <summary>
    /// Epochs between checkpoints to <see cref="CheckpointPath"/> (ignored without it, checked always): one is written after
    /// every n-th finished epoch, the epochs of all phases counted together. Range [1, int.MaxValue]. Default 1.
    /// </summary>
    public int CheckpointEveryEpochs { get; set; } = 1;

    /// <summary>
    /// A checkpoint file (written through <see cref="CheckpointPath"/>) to continue training from: Fit reads the data as
    /// usual, checks that the options, the seed and the data are those the checkpoint was written with (the preprocessing
    /// learned from the data included, and with automatic <see cref="NumberOfEpochs"/> the count the rule gave, so that a
    /// checkpoint written under an earlier version's rule is refused), restores the training state and goes on from the epoch after it. The model is then
    /// bit for bit the one the uninterrupted run would have given (the history's elapsed times aside), when the data is read
    /// once; with data re-read every epoch (<see cref="ReloadDataEachEpoch"/>, online augmentation) the upstream transforms
    /// draw their next passes afresh in the new run, so the resumed epochs see other augmented rows than the uninterrupted
    /// run would have (a warning is logged). <see cref="NumberOfThreads"/>, <see cref="Progress"/>,
    /// <see cref="CancellationToken"/> and the checkpoint options may differ; with <see cref="Seed"/> null the checkpoint's
    /// seed is used. A missing file is a FileNotFoundException; a file that is not a checkpoint, is truncated or corrupted
    /// (its CRC-32 is checked), a FormatException naming it; other options or data, an InvalidOperationException naming
    /// what differs. Default null: train from the start.
    /// </summary>
    public string? ResumeFromCheckpoint { get; set; }
}
