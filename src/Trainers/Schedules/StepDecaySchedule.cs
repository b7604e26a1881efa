namespace MlNetExtensions.Trainers.Schedules;

/// <summary>Step decay: ε_k = ε0 · γ^⌊k/s⌋, the rate is multiplied by γ every s iterations.</summary>
internal sealed class StepDecaySchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule: rate <paramref name="initialRate"/>, factor <paramref name="gamma"/> every <paramref name="stepIterations"/> ≥ 1 iterations.</summary>
    public StepDecaySchedule(float initialRate, float gamma, long stepIterations)
    {
        InitialRate = initialRate;
        Gamma = gamma;
        StepIterations = stepIterations;
    }

    /// <summary>The rate ε0 for the first s iterations.</summary>
    public float InitialRate { get; }

    /// <summary>The factor γ applied at every step.</summary>
    public float Gamma { get; }

    /// <summary>The step length s in iterations.</summary>
    public long StepIterations { get; }

    /// <inheritdoc/>
    public override float GetRate(long iteration)
        => (float)(InitialRate * Math.Pow(Gamma, iteration / StepIterations)); // ε0 · γ^⌊k/s⌋ (integer division)
}
