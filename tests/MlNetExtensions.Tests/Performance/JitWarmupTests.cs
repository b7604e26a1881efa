using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Performance;

/// <summary>The background JIT warm-up compiles the step's methods without failing, and respects a one-thread cap.</summary>
public class JitWarmupTests
{
    [Fact]
    public void PreparesTheAggressivelyOptimizedMethodsOfTheTrainingCode()
    {
        int count = JitWarmup.PrepareAll(typeof(JitWarmup).Assembly);
        Assert.True(count >= 30, $"only {count} methods prepared");
    }

    [Fact]
    public void DoesNotStartAThreadWhenCappedAtOneThread()
    {
        Assert.False(JitWarmup.StartOnce(maxThreads: 1));
    }
}
