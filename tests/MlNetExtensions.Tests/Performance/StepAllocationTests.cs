using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Kernels;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Tests.Performance;

/// <summary>A steady-state training step (forward, loss, backward, Adam) allocates nothing on the calling thread.</summary>
[Collection(GemmSwitches.Name)]
public class StepAllocationTests
{
    [Theory]
    [InlineData(0.2)] // raw-pixel-like inputs: the zero-skipping path
    [InlineData(1.0)] // dense inputs: the packed kernels
    public void SteadyStateStepAllocatesNothing(double density)
    {
        const int batch = 64, d = 784, k = 10;
        var random = RandomStream.For(8, 9);
        var net = MultilayerPerceptron.Create(new NetworkSpec(d, new[] { 128, 64 }, k, Activation.Relu, false, 0, 0, 0, 0.9f),
            WeightInitializerFactory.Create(WeightInitialization.HeUniform, 1f, 15), ref random);
        net.MaxThreads = 1;
        net.Reserve(batch);
        var x = new float[batch * d];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextDouble() < density ? random.NextSingle() : 0f;
        var t = new float[batch * k];
        for (int r = 0; r < batch; r++) t[r * k + r % k] = 1f;
        var g = new float[batch * k];
        var loss = new SoftmaxCrossEntropyLoss(k);
        var adam = new Adam { LearningRate = 1e-3f };
        var parameters = net.Parameters;
        void Step()
        {
            var rs = RandomStream.For(3, 4);
            var o = net.Forward(x, batch, true, ref rs);
            loss.Compute(o, t, ReadOnlySpan<float>.Empty, batch, g);
            net.Backward(x, g, batch);
            adam.Step(parameters);
        }

        for (int i = 0; i < 5; i++) Step();
        // The second layer reads ReLU outputs whose density drifts around the sparse/dense bound as the weights change:
        // a later step may take the other path for the first time and size its (grow-only) buffers then. Both paths
        // warm up here, so the steps below measure the steady state whichever path each product takes.
        try
        {
            DiagnosticSwitches.SparseKernels = false;
            for (int i = 0; i < 3; i++) Step();
        }
        finally
        {
            DiagnosticSwitches.SparseKernels = true;
        }
        for (int i = 0; i < 3; i++) Step();
        // A one-off allocation by the runtime on this thread (seen in about one run of four: ~5 KB, also before any
        // change of ours: tiered JIT's call counting and rejit bookkeeping) must not fail the test; an allocation in the
        // step itself recurs every step, so it shows in every window of 20 steps.
        var windows = new List<long>();
        for (int w = 0; w < 4 && (windows.Count == 0 || windows[^1] != 0); w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) Step();
            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(windows[^1] == 0, $"bytes allocated per window of 20 steps: {string.Join(", ", windows)}");
    }
}
