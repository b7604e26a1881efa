using System.Globalization;

namespace MlNetExtensions.Trainers.Schedules;

/// <summary>The learning-rate schedule as the trainer options carry it. Iterations are 0-based update counts.</summary>
/// <param name="Kind">Which schedule.</param>
/// <param name="InitialRate">The rate ε0 at iteration 0 (before warm-up scaling); finite and &gt; 0.</param>
/// <param name="DecayIterations">
/// τ for <see cref="LearningRateScheduleKind.LinearDecay"/>, s for <see cref="LearningRateScheduleKind.StepDecay"/>
/// and <see cref="LearningRateScheduleKind.ExponentialDecay"/>, T for <see cref="LearningRateScheduleKind.Cosine"/>;
/// at least 1 for those kinds, ignored by <see cref="LearningRateScheduleKind.Constant"/>.
/// </param>
/// <param name="FinalRate">ε_τ for linear decay, ε_min for cosine, in [0, <paramref name="InitialRate"/>]; ignored otherwise.</param>
/// <param name="Gamma">The factor γ of step and exponential decay, in (0, 1]; ignored otherwise.</param>
/// <param name="WarmupIterations">The linear warm-up length W (0 for none); see <see cref="WarmupSchedule"/>.</param>
internal sealed record ScheduleSettings(
    LearningRateScheduleKind Kind,
    float InitialRate,
    long DecayIterations,
    float FinalRate,
    float Gamma,
    long WarmupIterations)
{
    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of its range.
    /// Settings the kind ignores are not checked.
    /// </summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentOutOfRangeException(nameof(Kind), $"{nameof(Kind)} is not a known {nameof(LearningRateScheduleKind)}, got {(int)Kind}");
        if (!(float.IsFinite(InitialRate) && InitialRate > 0f))
            throw new ArgumentOutOfRangeException(nameof(InitialRate), $"{nameof(InitialRate)} must be a finite number > 0, got {Format(InitialRate)}");
        if (Kind != LearningRateScheduleKind.Constant && DecayIterations < 1)
            throw new ArgumentOutOfRangeException(nameof(DecayIterations), $"{nameof(DecayIterations)} must be at least 1 for {Kind}, got {DecayIterations}");
        if (Kind is LearningRateScheduleKind.LinearDecay or LearningRateScheduleKind.Cosine
            && !(FinalRate >= 0f && FinalRate <= InitialRate))
            throw new ArgumentOutOfRangeException(nameof(FinalRate), $"{nameof(FinalRate)} must be in [0, {nameof(InitialRate)} = {Format(InitialRate)}] for {Kind}, got {Format(FinalRate)}");
        if (Kind is LearningRateScheduleKind.StepDecay or LearningRateScheduleKind.ExponentialDecay
            && !(Gamma > 0f && Gamma <= 1f))
            throw new ArgumentOutOfRangeException(nameof(Gamma), $"{nameof(Gamma)} must be in (0, 1] for {Kind}, got {Format(Gamma)}");
        if (WarmupIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(WarmupIterations), $"{nameof(WarmupIterations)} must be at least 0, got {WarmupIterations}");
    }

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);
}
