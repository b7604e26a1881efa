namespace MlNetExtensions.Trainers.Schedules;

/// <summary>Builds the schedule that <see cref="ScheduleSettings"/> describe.</summary>
internal static class LearningRateScheduleFactory
{
    /// <summary>
    /// Validates <paramref name="settings"/> and returns their schedule, wrapped in a
    /// <see cref="WarmupSchedule"/> when <see cref="ScheduleSettings.WarmupIterations"/> is positive.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public static LearningRateSchedule Create(ScheduleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        LearningRateSchedule schedule = settings.Kind switch
        {
            LearningRateScheduleKind.Constant => new ConstantSchedule(settings.InitialRate),
            LearningRateScheduleKind.LinearDecay => new LinearDecaySchedule(settings.InitialRate, settings.FinalRate, settings.DecayIterations),
            LearningRateScheduleKind.StepDecay => new StepDecaySchedule(settings.InitialRate, settings.Gamma, settings.DecayIterations),
            LearningRateScheduleKind.ExponentialDecay => new ExponentialDecaySchedule(settings.InitialRate, settings.Gamma, settings.DecayIterations),
            LearningRateScheduleKind.Cosine => new CosineSchedule(settings.InitialRate, settings.FinalRate, settings.DecayIterations),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), $"Unknown {nameof(LearningRateScheduleKind)} {settings.Kind}"),
        };
        return settings.WarmupIterations > 0 ? new WarmupSchedule(schedule, settings.WarmupIterations) : schedule;
    }
}
