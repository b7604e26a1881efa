namespace MlNetExtensions.Trainers;

/// <summary>
/// Thrown by an MLP trainer's Fit when training produced no usable model: the loss became NaN or infinite before any epoch
/// finished (so there are no trained weights to keep), or the weights that would be returned give non-finite outputs.
/// When the loss diverges only after some epoch finished, Fit does not throw: it keeps the best finite weights, sets
/// <see cref="TrainingHistory.StopReason"/> to <see cref="StopReason.Diverged"/> and logs a warning.
/// </summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What happened and what to try.</param>
    /// <param name="epoch">The 1-based epoch of the "train" phase in which training diverged.</param>
    /// <param name="learningRate">The learning rate of the last update before the divergence was seen.</param>
    public TrainingDivergedException(string message, int epoch, float learningRate) : base(message)
    {
        Epoch = epoch;
        LearningRate = learningRate;
    }

    /// <summary>The 1-based epoch (of the main "train" phase) in which the loss or the weights became NaN or infinite.</summary>
    public int Epoch { get; }

    /// <summary>The learning rate of the last update before the divergence was seen (the scheduled rate, not only ε0).</summary>
    public float LearningRate { get; }
}
