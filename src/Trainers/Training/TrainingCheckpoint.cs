using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Everything training needs to continue after an epoch as if it had never stopped: where the current phase stands
/// (<see cref="Current"/>), how the main phase ended when the current one reuses the validation data (<see cref="Main"/>),
/// and the epoch records so far. Random draws need no state of their own: every stream is a function of (seed, phase,
/// epoch, minibatch) (<see cref="Randomness.RandomStream.For"/>), so the next epoch's shuffle, dropout masks and noise
/// follow from the position; the learning-rate schedules are functions of the optimizer's step count, which the optimizer
/// state holds. Written to a file by <see cref="TrainingCheckpointFile"/>; knows nothing of ML.NET.
/// </summary>
/// <param name="Current">The phase being trained when the checkpoint was taken.</param>
/// <param name="Main">How the main ("train") phase ended; null while the main phase itself is being trained.</param>
/// <param name="Records">Every epoch record so far, of every phase, in order.</param>
internal sealed record TrainingCheckpoint(PhaseCheckpoint Current, MainPhaseOutcome? Main, EpochRecord[] Records);

/// <summary>Where one phase of training stood at the end of an epoch.</summary>
/// <param name="Phase">The phase: "train", or "retrain" / "continue" for the phases reusing the validation data.</param>
/// <param name="Epoch">The epoch (1-based, of this phase) just finished.</param>
/// <param name="Network">The network's parameters and batch-normalization running statistics (<see cref="NetworkSnapshot"/>).</param>
/// <param name="Best">The kept (best-epoch) snapshot; null when it is the current state (the best epoch is the one just finished).</param>
/// <param name="BestScore">The monitored value at the best epoch (early stopping; +∞ before any).</param>
/// <param name="BestEpoch">The epoch whose weights are kept so far.</param>
/// <param name="SinceBest">Epochs since the best one (early stopping's patience counter).</param>
/// <param name="Optimizer">The optimizer's step count, learning rate and per-parameter state.</param>
/// <param name="Stop">Why the phase stops after this epoch (early stopping, the target loss), or null when it goes on.</param>
/// <param name="StopMessage">The sentence explaining <paramref name="Stop"/>, or null.</param>
internal sealed record PhaseCheckpoint(
    string Phase, int Epoch, float[][] Network, float[][]? Best, double BestScore, int BestEpoch, int SinceBest,
    OptimizerState Optimizer, StopReason? Stop, string? StopMessage);

/// <summary>How the main phase ended, as a checkpoint taken in a phase reusing the validation data carries it.</summary>
/// <param name="BestEpoch">The main phase's kept epoch.</param>
/// <param name="Reason">Why the main phase stopped.</param>
/// <param name="Message">The main phase's stop message.</param>
/// <param name="LastLearningRate">The learning rate of the main phase's last update.</param>
/// <param name="Kept">The early-stopped weights (restored when the reuse phase does not finish).</param>
/// <param name="TargetLoss">The training loss at the kept weights (the continue phase's target ε); NaN for a retrain.</param>
internal sealed record MainPhaseOutcome(int BestEpoch, StopReason Reason, string Message, float LastLearningRate, float[][] Kept, double TargetLoss);
