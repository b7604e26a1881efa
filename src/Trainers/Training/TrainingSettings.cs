using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;
using MlNetExtensions.Trainers.Schedules;

namespace MlNetExtensions.Trainers.Training;

/// <summary>Everything the training loop needs, already validated and turned into objects.</summary>
internal sealed record TrainingSettings
{
    public required NetworkSpec Network { get; init; }
    public required Func<Loss> CreateLoss { get; init; }
    public required Func<Optimizer> CreateOptimizer { get; init; }
    public required LearningRateSchedule Schedule { get; init; }
    public required WeightInitializer Initializer { get; init; }
    /// <summary>The task's validation metric from outputs and targets (higher is better).</summary>
    public required Func<ReadOnlyMemory<float>, DenseDataset, double> Metric { get; init; }
    public int Epochs { get; init; } = 30;
    public int BatchSize { get; init; } = 32;
    public bool Shuffle { get; init; } = true;
    public ulong Seed { get; init; }
    public int MaxThreads { get; init; } = 1;
    public float L1 { get; init; }
    public float L2 { get; init; }
    /// <summary>A trained network whose weights every phase starts from instead of random ones (warm start); null: random.</summary>
    public MultilayerPerceptron? WarmStartFrom { get; init; }
    /// <summary>The pull α‖w − w_ref‖² towards a reference network's weights; null: none.</summary>
    public ParameterTying? Tying { get; init; }
    /// <summary>Adversarial (FGSM) examples trained on alongside every minibatch of the main phase; null: none.</summary>
    public AdversarialTraining? Adversarial { get; init; }
    public float MaxNorm { get; init; }
    public float GradientClipNorm { get; init; }
    public float WeightNoiseStdDev { get; init; }
    public int EarlyStoppingPatience { get; init; } = 10;
    public float EarlyStoppingMinDelta { get; init; }
    public EarlyStoppingMonitor Monitor { get; init; }
    public ValidationDataReuse Reuse { get; init; }
    public int ContinueEpochCap { get; init; } = 100;
    public IProgress<EpochRecord>? Progress { get; init; }
    public Action<string>? Log { get; init; }
    public CancellationToken Cancellation { get; init; }
    /// <summary>Checked once per minibatch with <see cref="Cancellation"/>: whether ML.NET's execution was cancelled (<c>MLContext.CancelExecution()</c>).</summary>
    public Func<bool>? HostCancelled { get; init; }
    /// <summary>Take a checkpoint after every this many finished epochs (counted over all phases); 0 for none.</summary>
    public int CheckpointEveryEpochs { get; init; }
    /// <summary>Receives each checkpoint taken (the trainer writes it to its file); null for none.</summary>
    public Action<TrainingCheckpoint>? SaveCheckpoint { get; init; }
    /// <summary>The checkpoint to continue from (after its epoch), or null to train from the start.</summary>
    public TrainingCheckpoint? Resume { get; init; }
}
