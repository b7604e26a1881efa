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
    public void CompilesTheFirstStepBackwardsAndLeavesOutTheReaderAndOtherInstructionSetPaths()
    {
        var order = JitWarmup.Plan(typeof(JitWarmup).Assembly);
        Assert.Equal("ParametersFinite", order[0].Name);
        // The first step's path from its end (the optimizer) back to its start (the first product), then the rest
        // (e.g. inference-only Predict).
        int adam = order.FindIndex(m => m.Name == "UpdateRange");
        int multiply = order.FindIndex(m => m.Name == "Multiply" && m.DeclaringType!.Name == "Gemm");
        int predict = order.FindIndex(m => m.Name == "Predict");
        Assert.True(adam > 0 && multiply > adam && predict > multiply, $"Adam at {adam}, Multiply at {multiply}, Predict at {predict}");
        Assert.DoesNotContain(order, m => m.DeclaringType == typeof(MlNetExtensions.Trainers.TrainingDataReader));
        bool avx512 = System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        bool avx2 = System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported;
        Assert.Equal(avx512, order.Any(m => m.Name == "Avx512_8x32"));
        Assert.Equal(!avx512 && avx2, order.Any(m => m.Name == "RunListsPanelsAvx2"));
        Assert.Equal(avx512, order.Any(m => m.Name == "RunListsWide"));
        Assert.Equal(!avx512 && avx2, order.Any(m => m.Name == "RunListsWideAvx2"));
        Assert.Contains(order, m => m.Name == "Compute" && m.DeclaringType!.Name == "SoftmaxCrossEntropyLoss");
    }

    [Fact]
    public void DoesNotStartAThreadWhenCappedAtOneThread()
    {
        Assert.False(JitWarmup.StartOnce(maxThreads: 1));
    }
}
