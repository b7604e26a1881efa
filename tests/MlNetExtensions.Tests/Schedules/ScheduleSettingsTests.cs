using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Schedules;

namespace MlNetExtensions.Tests.Schedules;

public class ScheduleSettingsTests
{
    private static ScheduleSettings Settings(LearningRateScheduleKind kind, long warmup = 0)
        => new(kind, InitialRate: 0.1f, DecayIterations: 100, FinalRate: 0.001f, Gamma: 0.5f, WarmupIterations: warmup);

    [Theory]
    [InlineData(LearningRateScheduleKind.Constant, typeof(ConstantSchedule))]
    [InlineData(LearningRateScheduleKind.LinearDecay, typeof(LinearDecaySchedule))]
    [InlineData(LearningRateScheduleKind.StepDecay, typeof(StepDecaySchedule))]
    [InlineData(LearningRateScheduleKind.ExponentialDecay, typeof(ExponentialDecaySchedule))]
    [InlineData(LearningRateScheduleKind.Cosine, typeof(CosineSchedule))]
    public void Create_BuildsTheScheduleOfTheKind_WrappedInWarmupOnlyWhenAsked(LearningRateScheduleKind kind, Type expected)
    {
        Assert.IsType(expected, LearningRateScheduleFactory.Create(Settings(kind)));
        var warm = Assert.IsType<WarmupSchedule>(LearningRateScheduleFactory.Create(Settings(kind, warmup: 10)));
        Assert.IsType(expected, warm.Inner);
        Assert.Equal(10, warm.WarmupIterations);
    }

    [Theory]
    [InlineData(LearningRateScheduleKind.Constant, 0.1, 0.1, 0.1)]
    [InlineData(LearningRateScheduleKind.LinearDecay, 0.1, 0.0505, 0.001)]
    [InlineData(LearningRateScheduleKind.StepDecay, 0.1, 0.1, 0.05)]
    [InlineData(LearningRateScheduleKind.ExponentialDecay, 0.1, 0.07071067811865475, 0.05)]
    [InlineData(LearningRateScheduleKind.Cosine, 0.1, 0.0505, 0.001)]
    public void Create_PassesTheSettingsThrough(LearningRateScheduleKind kind, double at0, double at50, double at100)
    {
        var schedule = LearningRateScheduleFactory.Create(Settings(kind));
        Assert.Equal(at0, schedule.GetRate(0), 1e-7);
        Assert.Equal(at50, schedule.GetRate(50), 1e-7);
        Assert.Equal(at100, schedule.GetRate(100), 1e-7);
    }

    [Fact]
    public void Create_WithWarmup_ScalesTheFirstIterations()
    {
        var schedule = LearningRateScheduleFactory.Create(Settings(LearningRateScheduleKind.Cosine, warmup: 10));
        Assert.Equal(0.01, schedule.GetRate(0), 1e-7); // 0.1 · 1/10
        Assert.Equal(0.001 + 0.5 * 0.099 * (1 + Math.Cos(Math.PI * 4 / 100)), schedule.GetRate(4) / 0.5, 1e-7); // · 5/10
        Assert.Equal(0.0505, schedule.GetRate(50), 1e-7);
    }

    [Fact]
    public void Validate_NamesTheSettingAndTheValue()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>((Settings(LearningRateScheduleKind.StepDecay) with { Gamma = 1.5f }).Validate);
        Assert.Equal("Gamma", ex.ParamName);
        Assert.StartsWith("Gamma must be in (0, 1] for StepDecay, got 1.5", ex.Message);
    }

    [Theory]
    [InlineData(LearningRateScheduleKind.Constant, "InitialRate", 0)]
    [InlineData(LearningRateScheduleKind.Constant, "InitialRate", double.NaN)]
    [InlineData(LearningRateScheduleKind.Cosine, "InitialRate", -1)]
    [InlineData(LearningRateScheduleKind.LinearDecay, "DecayIterations", 0)]
    [InlineData(LearningRateScheduleKind.StepDecay, "DecayIterations", -5)]
    [InlineData(LearningRateScheduleKind.ExponentialDecay, "DecayIterations", 0)]
    [InlineData(LearningRateScheduleKind.Cosine, "DecayIterations", 0)]
    [InlineData(LearningRateScheduleKind.LinearDecay, "FinalRate", -0.001)]
    [InlineData(LearningRateScheduleKind.LinearDecay, "FinalRate", 0.2)] // above the initial rate
    [InlineData(LearningRateScheduleKind.Cosine, "FinalRate", double.NaN)]
    [InlineData(LearningRateScheduleKind.StepDecay, "Gamma", 0)]
    [InlineData(LearningRateScheduleKind.ExponentialDecay, "Gamma", 1.01)]
    [InlineData(LearningRateScheduleKind.Constant, "WarmupIterations", -1)]
    public void Validate_RejectsOutOfRangeValuesByName(LearningRateScheduleKind kind, string name, double value)
    {
        var valid = Settings(kind);
        valid.Validate();
        var settings = name switch
        {
            "InitialRate" => valid with { InitialRate = (float)value },
            "DecayIterations" => valid with { DecayIterations = (long)value },
            "FinalRate" => valid with { FinalRate = (float)value },
            "Gamma" => valid with { Gamma = (float)value },
            "WarmupIterations" => valid with { WarmupIterations = (long)value },
            _ => throw new ArgumentException(name),
        };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(settings.Validate);
        Assert.Equal(name, ex.ParamName);
        Assert.StartsWith($"{name} must be", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateScheduleFactory.Create(settings));
    }

    [Fact]
    public void Validate_IgnoresSettingsTheKindDoesNotUse()
    {
        new ScheduleSettings(LearningRateScheduleKind.Constant, 0.1f, DecayIterations: 0, FinalRate: -1f, Gamma: 7f, WarmupIterations: 0).Validate();
        new ScheduleSettings(LearningRateScheduleKind.Cosine, 0.1f, DecayIterations: 10, FinalRate: 0f, Gamma: 0f, WarmupIterations: 0).Validate();
    }

    [Fact]
    public void Validate_RejectsUnknownKind()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(Settings((LearningRateScheduleKind)42).Validate);
        Assert.Equal("Kind", ex.ParamName);
    }
}
