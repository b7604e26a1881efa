namespace MlNetExtensions.Trainers.Schedules;

/// <summary>A learning-rate schedule: the rate ε_k for iteration k = 0, 1, 2, … (one iteration is one parameter update).</summary>
internal abstract class LearningRateSchedule
{
    /// <summary>The learning rate for iteration <paramref name="iteration"/> (0-based).</summary>
    public abstract float GetRate(long iteration);
}
