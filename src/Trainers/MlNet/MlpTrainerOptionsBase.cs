using Microsoft.ML;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Settings shared by the three MLP trainers. Every field has a default that trains a reasonable network. The options are
/// checked when the trainer is built and again at every Fit (changing the object in between is allowed); errors are
/// ArgumentOutOfRangeException naming the option.
/// </summary>
public abstract class MlpTrainerOptionsBase
{
    /// <summary>Name of the label column. Default "Label".</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>Name of the features column, a known-size vector of Single. Default "Features".</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>Optional column of per-example weights (Single), multiplying each example's loss. Default none.</summary>
    public string? ExampleWeightColumnName { get; set; }

    /// <summary>
    /// Widths of the hidden layers, input side first, each at least 1; empty for a linear model. Default {128, 64}. The
    /// trainer estimates the memory training needs (parameters with their gradients, optimizer state and best-epoch copy,
    /// plus the minibatch buffers) when it is built (with one input and one output) and at Fit (with the data's sizes), and
    /// rejects, naming this option or <see cref="BatchSize"/>, a network larger than the memory the process may use
    /// (<c>GC.GetGCMemoryInfo().TotalAvailableMemoryBytes</c>) or a weight matrix larger than one .NET array.
    /// </summary>
    public int[] HiddenLayerSizes { get; set; } = { 128, 64 };

    /// <summary>Non-linearity after each hidden layer. Default <see cref="Trainers.Activation.Relu"/>.</summary>
    public Activation Activation { get; set; } = Activation.Relu;

    /// <summary>
    /// Weight initialization. Default null: He uniform for ReLU and leaky ReLU, Xavier/Glorot uniform for tanh,
    /// sigmoid and identity.
    /// </summary>
    public WeightInitialization? WeightInitialization { get; set; }

    /// <summary>Gain g of orthogonal initialization (WᵀW = g²I) and scale of sparse initialization. Default 1.</summary>
    public float InitializationGain { get; set; } = 1f;

    /// <summary>Non-zero incoming weights per unit for sparse initialization. Default 15.</summary>
    public int SparseConnections { get; set; } = 15;

    /// <summary>Update rule. Default <see cref="OptimizerKind.Adam"/>.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Adam;

    /// <summary>Initial learning rate ε0. Default 0.001 (the lecture's Adam default).</summary>
    public float LearningRate { get; set; } = 0.001f;

    /// <summary>Momentum α for Momentum, Nesterov and RMSProp+Nesterov. Default 0.9.</summary>
    public float Momentum { get; set; } = 0.9f;

    /// <summary>Decay rate ρ of RMSProp's squared-gradient average. Default 0.9.</summary>
    public float Rho { get; set; } = 0.9f;

    /// <summary>Adam's first-moment decay ρ1. Default 0.9.</summary>
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>
    /// Adam's second-moment decay ρ2, in [0, 1). Default 0.95 (the lecture's is 0.999; 0.95, as in RealMLP, measured better
    /// on the tabular benchmark: benchmarks/README.md, "Tabular defaults").
    /// </summary>
    public float Beta2 { get; set; } = 0.95f;

    /// <summary>
    /// The small constant δ of the adaptive rules. Default null: the lecture's value for the rule
    /// (AdaGrad 1e-7, RMSProp 1e-6, Adam 1e-8).
    /// </summary>
    public float? Epsilon { get; set; }

    /// <summary>Decoupled weight decay λ of AdamW (θ ← θ − ελθ on weights). Default 0.01.</summary>
    public float WeightDecay { get; set; } = 0.01f;

    /// <summary>
    /// Learning-rate schedule. Default <see cref="LearningRateScheduleKind.Cosine"/> (from ε0 to 0 over the run; with early
    /// stopping the run is the most epochs allowed). Measured better than a constant rate on the tabular benchmark.
    /// </summary>
    public LearningRateScheduleKind LearningRateSchedule { get; set; } = LearningRateScheduleKind.Cosine;

    /// <summary>
    /// Iterations (parameter updates) of the schedule: τ for linear decay, the step s for step and exponential
    /// decay, T for cosine. Default 0: the whole run for linear decay and cosine, one epoch for step and exponential decay.
    /// </summary>
    public long DecayIterations { get; set; }

    /// <summary>Final rate ε_τ of linear decay and ε_min of cosine. Default null: 0.01·ε0 (linear decay) and 0 (cosine).</summary>
    public float? FinalLearningRate { get; set; }

    /// <summary>Factor γ of step and exponential decay. Default 0.5.</summary>
    public float DecayFactor { get; set; } = 0.5f;

    /// <summary>Iterations of linear warm-up at the start (any schedule). Default 0.</summary>
    public long WarmupIterations { get; set; }

    /// <summary>
    /// Passes over the training data, at least 1. Default null: automatic. With at least 1,000 training rows and no
    /// validation data (<see cref="ValidationData"/>, <see cref="ValidationFraction"/>), a fifth of them is held out and
    /// training stops early on it (at most 200 epochs, <see cref="EarlyStoppingPatience"/>, the best epoch's weights kept);
    /// with validation data, at most 200 epochs with early stopping; with n &lt; 1,000 rows, every row is trained on for
    /// about max(400, 1,000·(n/1,000)^0.75) parameter updates (507 at 404 rows, 400 from 295 rows down), as whole epochs
    /// (at least 30, at most 200). Set a number to train exactly that many epochs on the rows given.
    /// </summary>
    public int? NumberOfEpochs { get; set; }

    /// <summary>
    /// Examples per minibatch, at least 1 (pure SGD). Default 32. A value at or above the number of training rows (up to
    /// int.MaxValue) trains on all rows at once (batch gradient descent); buffers are sized by the smaller of the two.
    /// </summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Reshuffle the training data every epoch. Default true.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>L1 penalty λ₁ on weights (not biases or batch-norm parameters). Default 0.</summary>
    public float L1Regularization { get; set; }

    /// <summary>
    /// L2 penalty λ₂ ≥ 0 on weights, adding ½λ₂‖w‖² to the (mean) loss (not biases or batch-norm parameters). Default 0.001
    /// (measured on the tabular benchmark; 0 turns it off).
    /// </summary>
    public float L2Regularization { get; set; } = 0.001f;

    /// <summary>Max-norm constraint on each unit's incoming weight vector after each update; 0 turns it off. Default 0.</summary>
    public float MaxNorm { get; set; }

    /// <summary>Rescale the whole gradient when its L2 norm exceeds this; 0 turns clipping off. Default 0.</summary>
    public float GradientClipNorm { get; set; }

    /// <summary>Dropout rate on the inputs (the lecture's default when used: 0.2, i.e. keep 0.8). Default 0 (off).</summary>
    public float InputDropoutRate { get; set; }

    /// <summary>Dropout rate on each hidden layer (the lecture's default when used: 0.5). Default 0 (off).</summary>
    public float HiddenDropoutRate { get; set; }

    /// <summary>Batch normalization after each hidden dense layer. Default false.</summary>
    public bool BatchNormalization { get; set; }

    /// <summary>Weight of the old value in batch normalization's running averages. Default 0.9.</summary>
    public float BatchNormalizationMomentum { get; set; } = 0.9f;

    /// <summary>Standard deviation of Gaussian noise added to the (normalized) inputs at training time. Default 0 (off).</summary>
    public float InputNoiseStdDev { get; set; }

    /// <summary>Standard deviation of Gaussian noise added to the weights for each minibatch at training time. Default 0 (off).</summary>
    public float WeightNoiseStdDev { get; set; }

    /// <summary>
    /// Standardize each feature with the training data's mean and standard deviation inside the model (saved with it),
    /// so raw, unscaled columns train well. Default true.
    /// </summary>
    public bool NormalizeFeatures { get; set; } = true;

    /// <summary>Fraction of the training rows held out (deterministically, by seed) as validation data. Default 0.</summary>
    public float ValidationFraction { get; set; }

    /// <summary>Validation data for early stopping inside a pipeline's single-argument Fit. Default none.</summary>
    public IDataView? ValidationData { get; set; }

    /// <summary>Epochs without improvement before early stopping (only with validation data). Default 10.</summary>
    public int EarlyStoppingPatience { get; set; } = 10;

    /// <summary>Minimum improvement of the monitored value that counts. Default 0.</summary>
    public float EarlyStoppingMinDelta { get; set; }

    /// <summary>What early stopping monitors. Default <see cref="Trainers.EarlyStoppingMonitor.ValidationLoss"/>.</summary>
    public EarlyStoppingMonitor EarlyStoppingMonitor { get; set; } = EarlyStoppingMonitor.ValidationLoss;

    /// <summary>What to do with the validation data after early stopping. Default <see cref="Trainers.ValidationDataReuse.None"/>.</summary>
    public ValidationDataReuse ValidationDataReuse { get; set; } = ValidationDataReuse.None;

    /// <summary>Most epochs for <see cref="Trainers.ValidationDataReuse.ContinueToTrainingLoss"/>. Default 100.</summary>
    public int ContinueEpochCap { get; set; } = 100;

    /// <summary>Seed of every random choice (initialization, shuffling, dropout, noise). Default null: drawn from the MLContext's seed.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// Threads for the matrix products. Default null: all cores, but one for small networks (under about 4 M multiply-adds per
    /// minibatch, where handing work to another core costs more than it saves). Results are bit-identical for a given seed
    /// whatever the thread count.
    /// </summary>
    public int? NumberOfThreads { get; set; }

    /// <summary>
    /// What to do with a missing value (NaN) in the features: <see cref="MissingValueHandling.Impute"/> (the training median
    /// plus an indicator input, inside the model), <see cref="MissingValueHandling.Error"/> or
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
    /// values each epoch. Default null: detected (the data is re-read when two reads of its first rows differ).
    /// </summary>
    public bool? ReloadDataEachEpoch { get; set; }

    /// <summary>Receives a record at the end of every epoch. Default none.</summary>
    public IProgress<EpochRecord>? Progress { get; set; }

    /// <summary>
    /// Stops training at the next minibatch. Default none. Once an epoch has finished, the best weights so far are kept, the
    /// history says so (<see cref="StopReason.Cancelled"/>) and a warning is logged; a token cancelled before Fit starts, or
    /// before the first epoch finishes, makes Fit throw OperationCanceledException (there is no trained model to return).
    /// ML.NET's own mechanism, <c>MLContext.CancelExecution()</c> (Microsoft.ML.Experimental), acts the same way.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }
}
