namespace MlNetExtensions.Trainers;

/// <summary>Why training ended.</summary>
public enum StopReason
{
    /// <summary>The epoch budget was used up.</summary>
    MaximumEpochs,
    /// <summary>The monitored value did not improve for the patience number of epochs.</summary>
    EarlyStopping,
    /// <summary>
    /// The training loss or the weights became NaN or infinite after at least one epoch had finished (in the main phase, or
    /// in a phase reusing the validation data): the weights of <see cref="TrainingHistory.BestEpoch"/> were kept and the
    /// trainer logged <see cref="TrainingHistory.StopMessage"/> as a warning on the ML.NET channel. The model is usable but
    /// trained less than asked: consider a lower learning rate or gradient clipping. (When no epoch finished, Fit throws
    /// <see cref="TrainingDivergedException"/> instead of returning a model.)
    /// </summary>
    Diverged,
    /// <summary>
    /// The CancellationToken in the options was cancelled after at least one epoch had finished: the best weights so far
    /// were kept and the trainer logged a warning. (Cancelled before any epoch finished, Fit throws OperationCanceledException.)
    /// </summary>
    Cancelled,
    /// <summary>Continuing on training + validation data reached the training loss of the early-stopping point.</summary>
    TargetLossReached,
}

/// <summary>One epoch of training, as reported to progress callbacks and kept in the history.</summary>
public sealed class EpochRecord
{
    /// <summary>Creates a record.</summary>
    public EpochRecord(int epoch, string phase, double trainingLoss, double? validationLoss, double? validationMetric, float learningRate, TimeSpan elapsed)
    {
        Epoch = epoch; Phase = phase; TrainingLoss = trainingLoss; ValidationLoss = validationLoss;
        ValidationMetric = validationMetric; LearningRate = learningRate; Elapsed = elapsed;
    }

    /// <summary>1-based epoch number within its phase.</summary>
    public int Epoch { get; }

    /// <summary>"train" for the main run; "retrain" or "continue" for the runs that reuse the validation data.</summary>
    public string Phase { get; }

    /// <summary>Mean (example-weighted) training loss over the epoch's minibatches, penalties excluded.</summary>
    public double TrainingLoss { get; }

    /// <summary>Mean loss on the validation data at the end of the epoch, if there is validation data.</summary>
    public double? ValidationLoss { get; }

    /// <summary>The task's metric on the validation data (accuracy for classification, R² for regression), if any.</summary>
    public double? ValidationMetric { get; }

    /// <summary>Learning rate used by the epoch's last update.</summary>
    public float LearningRate { get; }

    /// <summary>Wall time since training started.</summary>
    public TimeSpan Elapsed { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Phase} epoch {Epoch}: loss {TrainingLoss:G5}" +
        (ValidationLoss is { } v ? $", validation loss {v:G5}" : "") +
        (ValidationMetric is { } m ? $", validation metric {m:G5}" : "") +
        $", lr {LearningRate:G3}, {Elapsed.TotalSeconds:F2}s";
}

/// <summary>What happened during training: per-epoch records, the epoch whose weights were kept, and why training stopped.</summary>
public sealed class TrainingHistory
{
    /// <summary>Creates a history.</summary>
    public TrainingHistory(IReadOnlyList<EpochRecord> epochs, int bestEpoch, StopReason stopReason, string stopMessage, long skippedRows)
    {
        Epochs = epochs; BestEpoch = bestEpoch; StopReason = stopReason; StopMessage = stopMessage; SkippedRows = skippedRows;
    }

    /// <summary>Every epoch of every phase, in order.</summary>
    public IReadOnlyList<EpochRecord> Epochs { get; }

    /// <summary>The epoch (1-based, of the "train" phase) whose weights were kept; at least 1 in every model a trainer returns (0 only from the internal training loop, when no epoch completed).</summary>
    public int BestEpoch { get; }

    /// <summary>
    /// Why training stopped: the main phase's reason, or <see cref="Trainers.StopReason.Diverged"/> /
    /// <see cref="Trainers.StopReason.Cancelled"/> when a phase reusing the validation data did (its weights are then not
    /// used). Diverged and Cancelled are also logged as warnings, with <see cref="StopMessage"/>.
    /// </summary>
    public StopReason StopReason { get; }

    /// <summary>A sentence explaining the stop.</summary>
    public string StopMessage { get; }

    /// <summary>Rows skipped because of NaN or infinite values (when skipping is enabled).</summary>
    public long SkippedRows { get; }
}
