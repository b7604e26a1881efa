namespace MlNetExtensions.Trainers.Schedules;

/// <summary>A constant learning rate: ε_k = ε0 for every iteration k.</summary>
internal sealed class ConstantSchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule with rate <paramref name="rate"/>.</summary>
    public ConstantSchedule(float rate) => Rate = rate;

    /// <summary>The rate ε0.</summary>
    public float Rate { get; }

    /// <inheritdoc/>
    public override float GetRate(long iteration) => Rate;
}
