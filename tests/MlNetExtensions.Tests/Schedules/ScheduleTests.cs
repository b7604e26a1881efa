using MlNetExtensions.Trainers.Schedules;

namespace MlNetExtensions.Tests.Schedules;

public class ScheduleTests
{
    private const double Tolerance = 1e-7;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1_000_000)]
    public void Constant_IsTheSameAtEveryIteration(long k)
        => Assert.Equal(0.1f, new ConstantSchedule(0.1f).GetRate(k));

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(25, 0.07525)]   // 0.75·0.1 + 0.25·0.001
    [InlineData(50, 0.0505)]    // 0.5·0.1 + 0.5·0.001
    [InlineData(99, 0.00199)]   // 0.01·0.1 + 0.99·0.001
    [InlineData(100, 0.001)]    // k = τ: ε_τ
    [InlineData(1000, 0.001)]   // beyond τ: stays at ε_τ
    public void LinearDecay_InterpolatesToTheFinalRateAtTau(long k, double expected)
        => Assert.Equal(expected, new LinearDecaySchedule(0.1f, 0.001f, 100).GetRate(k), Tolerance);

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(9, 0.1)]      // ⌊9/10⌋ = 0
    [InlineData(10, 0.05)]    // one step
    [InlineData(25, 0.025)]   // ⌊25/10⌋ = 2
    [InlineData(100, 0.1 / 1024)]
    public void StepDecay_MultipliesByGammaEveryStep(long k, double expected)
        => Assert.Equal(expected, new StepDecaySchedule(0.1f, 0.5f, 10).GetRate(k), Tolerance);

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(5, 0.07071067811865475)] // 0.1·0.5^0.5
    [InlineData(10, 0.05)]
    [InlineData(15, 0.035355339059327376)] // 0.1·0.5^1.5
    [InlineData(30, 0.0125)]
    public void ExponentialDecay_DecaysSmoothlyByGammaPerS(long k, double expected)
        => Assert.Equal(expected, new ExponentialDecaySchedule(0.1f, 0.5f, 10).GetRate(k), Tolerance);

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(25, 0.08550179094)] // 0.001 + ½·0.099·(1 + cos(π/4))
    [InlineData(50, 0.0505)]        // 0.001 + ½·0.099
    [InlineData(75, 0.01549820906)] // 0.001 + ½·0.099·(1 − cos(π/4))
    [InlineData(100, 0.001)]        // k = T: ε_min
    [InlineData(500, 0.001)]        // beyond T
    public void Cosine_AnnealsToTheMinimumAtT(long k, double expected)
        => Assert.Equal(expected, new CosineSchedule(0.1f, 0.001f, 100).GetRate(k), Tolerance);

    [Theory]
    [InlineData(0, 0.025)]  // 0.1·1/4
    [InlineData(1, 0.05)]
    [InlineData(2, 0.075)]
    [InlineData(3, 0.1)]    // k = W − 1: the ramp reaches the inner rate
    [InlineData(4, 0.1)]
    [InlineData(1000, 0.1)]
    public void Warmup_RampsLinearlyToTheInnerRate(long k, double expected)
        => Assert.Equal(expected, new WarmupSchedule(new ConstantSchedule(0.1f), 4).GetRate(k), Tolerance);

    [Theory]
    [InlineData(0, 0.025)]    // inner 0.1 · 1/4
    [InlineData(2, 0.0375)]   // inner 0.05 (one halving at k = 2) · 3/4
    [InlineData(4, 0.025)]    // inner 0.025, warm-up over
    public void Warmup_RunsTheInnerScheduleOnTheSameClock(long k, double expected)
        => Assert.Equal(expected, new WarmupSchedule(new StepDecaySchedule(0.1f, 0.5f, 2), 4).GetRate(k), Tolerance);

    [Fact]
    public void Warmup_RejectsNonPositiveLength()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupSchedule(new ConstantSchedule(0.1f), 0));
}
