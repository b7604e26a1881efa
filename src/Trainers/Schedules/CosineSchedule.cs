namespace MlNetExtensions.Trainers.Schedules;

/// <summary>
/// Cosine annealing (Loshchilov and Hutter, SGDR, without restarts):
/// ε_k = ε_min + ½(ε0 − ε_min)(1 + cos(πk/T)) for k ≤ T, then ε_k = ε_min.
/// </summary>
internal sealed class CosineSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule from ε0 down to ε_min over T = <paramref name="decayIterations"/> ≥ 1 iterations.</summary>
    public CosineSchedule(float initialRate, float minimumRate, long decayIterations)
    {
        InitialRate = initialRate;
        MinimumRate = minimumRate;
        DecayIterations = decayIterations;
    }

    /// <summary>The rate ε0 at iteration 0.</summary>
    public float InitialRate { get; }

    /// <summary>The rate ε_min reached at iteration T and kept afterwards.</summary>
    public float MinimumRate { get; }

    /// <summary>The annealing length T in iterations.</summary>
    public long DecayIterations { get; }

    /// <inheritdoc/>
    public override float GetRate(long iteration)
    {
        if (iteration >= DecayIterations) return MinimumRate;
        double cosine = Math.Cos(Math.PI * iteration / DecayIterations);                   // cos(πk/T)
        return (float)(MinimumRate + 0.5 * (InitialRate - MinimumRate) * (1.0 + cosine)); // ε_min + ½(ε0 − ε_min)(1 + cos)
    }
}
