namespace MlNetExtensions.Trainers.Schedules;

/// <summary>
/// The lecture's linear decay (<i>Deep Learning</i>, section 8.3.1):
/// ε_k = (1 − k/τ)ε0 + (k/τ)ε_τ for k ≤ τ, then ε_k = ε_τ.
/// </summary>
internal sealed class LinearDecaySchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule from ε0 down to ε_τ over τ = <paramref name="decayIterations"/> ≥ 1 iterations.</summary>
    public LinearDecaySchedule(float initialRate, float finalRate, long decayIterations)
    {
        InitialRate = initialRate;
        FinalRate = finalRate;
        DecayIterations = decayIterations;
    }

    /// <summary>The rate ε0 at iteration 0.</summary>
    public float InitialRate { get; }

    /// <summary>The rate ε_τ reached at iteration τ and kept afterwards.</summary>
    public float FinalRate { get; }

    /// <summary>The decay length τ in iterations.</summary>
    public long DecayIterations { get; }

    /// <inheritdoc/>
    public override float GetRate(long iteration)
    {
        if (iteration >= DecayIterations) return FinalRate;
        double a = (double)iteration / DecayIterations;         // α = k/τ
        return (float)((1.0 - a) * InitialRate + a * FinalRate); // ε_k = (1 − α)ε0 + αε_τ
    }
}
