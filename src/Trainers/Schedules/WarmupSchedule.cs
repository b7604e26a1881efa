namespace MlNetExtensions.Trainers.Schedules;

/// <summary>
/// A linear warm-up in front of any schedule: ε_k = inner(k) · (k + 1)/W for k &lt; W, then ε_k = inner(k).
/// </summary>
/// <remarks>
/// The ramp starts at inner(0)/W rather than 0, so the very first update already moves the
/// parameters, and reaches the inner schedule's own rate at k = W − 1 (the factor is 1 from there on),
/// so there is no jump at the end of the warm-up. The inner schedule runs on the same clock k: its
/// decay is not delayed by the warm-up.
/// </remarks>
internal sealed class WarmupSchedule : LearningRateSchedule
{
    /// <summary>Wraps <paramref name="inner"/> with a warm-up of <paramref name="warmupIterations"/> ≥ 1 iterations.</summary>
    public WarmupSchedule(LearningRateSchedule inner, long warmupIterations)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(warmupIterations, 1);
        Inner = inner;
        WarmupIterations = warmupIterations;
    }

    /// <summary>The schedule being warmed up.</summary>
    public LearningRateSchedule Inner { get; }

    /// <summary>The warm-up length W in iterations.</summary>
    public long WarmupIterations { get; }

    /// <inheritdoc/>
    public override float GetRate(long iteration)
    {
        float rate = Inner.GetRate(iteration);
        if (iteration >= WarmupIterations) return rate;
        return (float)(rate * ((iteration + 1.0) / WarmupIterations)); // inner(k) · (k + 1)/W
    }
}
