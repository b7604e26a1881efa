namespace MlNetExtensions.Trainers.Schedules;

/// <summary>Exponential decay: ε_k = ε0 · γ^(k/s), a smooth decay by the factor γ per s iterations.</summary>
internal sealed class ExponentialDecaySchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule: rate <paramref name="initialRate"/>, decaying by <paramref name="gamma"/> per <paramref name="decayIterations"/> ≥ 1 iterations.</summary>
    public ExponentialDecaySchedule(float initialRate, float gamma, long decayIterations)
    {
        InitialRate = initialRate;
        Gamma = gamma;
        DecayIterations = decayIterations;
    }

    /// <summary>The rate ε0 at iteration 0.</summary>
    public float InitialRate { get; }

    /// <summary>The decay factor γ per s iterations.</summary>
    public float Gamma { get; }

    /// <summary>The iterations s over which the rate is multiplied by γ.</summary>
    public long DecayIterations { get; }

    /// <inheritdoc/>
    public override float GetRate(long iteration)
        => (float)(InitialRate * Math.Pow(Gamma, (double)iteration / DecayIterations)); // ε0 · γ^(k/s)
}
