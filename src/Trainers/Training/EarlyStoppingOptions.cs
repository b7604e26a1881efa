namespace MlNetExtensions.Trainers;

/// <summary>What to monitor for early stopping.</summary>
public enum EarlyStoppingMonitor
{
    /// <summary>The loss on the validation data (lower is better). The default.</summary>
    ValidationLoss,
    /// <summary>The task's metric on the validation data: accuracy for classification, R² for regression (higher is better).</summary>
    ValidationMetric,
}

/// <summary>What to do with the validation data once early stopping has chosen the number of epochs (the lecture's two strategies).</summary>
public enum ValidationDataReuse
{
    /// <summary>Keep the best weights of the early-stopped run. The default.</summary>
    None,
    /// <summary>Retrain from scratch on training + validation data for the best run's number of epochs.</summary>
    RetrainSameEpochs,
    /// <summary>Retrain from scratch on training + validation data for the best run's number of parameter updates.</summary>
    RetrainSameUpdates,
    /// <summary>
    /// The lecture's second strategy: ε is the training-set loss at the kept weights; continue from them (same optimizer state)
    /// on training + validation data until the validation-set loss falls below ε, or for at most <c>ContinueEpochCap</c> epochs.
    /// </summary>
    ContinueToTrainingLoss,
}
