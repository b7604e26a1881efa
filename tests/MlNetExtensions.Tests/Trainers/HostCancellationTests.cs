using System.Reflection;
using Microsoft.ML;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>ML.NET's own cancellation, <c>MLContext.CancelExecution()</c>, stops a running Fit like the options' token.</summary>
public class HostCancellationTests
{
    /// <summary>
    /// What Microsoft.ML.Experimental's public <c>mlContext.CancelExecution()</c> extension calls (the method is internal
    /// on <see cref="MLContext"/>; AutoML uses it). Named by string here, in a test, so a rename fails this test loudly.
    /// </summary>
    private static void CancelExecution(MLContext ml)
    {
        var method = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        Assert.NotNull(method);
        method!.Invoke(ml, null);
    }

    [Fact]
    public void CancelExecution_FromAnotherThread_StopsFitAndKeepsTheBestWeights()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.Load(ml, "digits_train.csv")).Transform(TestData.Load(ml, "digits_train.csv"));
        using var twoEpochs = new ManualResetEventSlim();
        using var cancelled = new ManualResetEventSlim();
        int seen = 0;
        var trainer = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = new[] { 64 }, NumberOfEpochs = 2000, Seed = 1,
            // After epoch 2 the training thread waits until the other thread has cancelled: the stop is then in epoch 3.
            Progress = new SynchronousProgress(_ =>
            {
                if (Interlocked.Increment(ref seen) != 2) return;
                twoEpochs.Set();
                Assert.True(cancelled.Wait(TimeSpan.FromMinutes(2)));
            }),
        });
        var canceller = new Thread(() => { if (twoEpochs.Wait(TimeSpan.FromMinutes(2))) { CancelExecution(ml); cancelled.Set(); } }) { IsBackground = true };
        canceller.Start();
        var model = trainer.Fit(data);
        canceller.Join();
        var history = model.Model.History;
        Assert.Equal(StopReason.Cancelled, history.StopReason);
        Assert.Equal(2, history.Epochs.Count); // epoch 3 was stopped at its first minibatch
        Assert.InRange(history.BestEpoch, 1, history.Epochs.Count);
        Assert.True(ml.MulticlassClassification.Evaluate(model.Transform(data)).MicroAccuracy > 0.5);

        // The context stays cancelled (ML.NET's semantics): a new Fit on it refuses to start.
        var again = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 1 });
        var refused = Assert.Throws<OperationCanceledException>(() => again.Fit(data));
        Assert.Contains("CancelExecution", refused.Message);
    }

    [Fact]
    public void AContextNeverCancelled_TrainsAsUsual()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Load(ml, "breast_cancer_train.csv", Microsoft.ML.Data.DataKind.Boolean);
        var model = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 3, Seed = 1 }).Fit(data);
        Assert.Equal(3, model.Model.History.Epochs.Count);
        Assert.NotEqual(StopReason.Cancelled, model.Model.History.StopReason);
    }

    private sealed class SynchronousProgress(Action<EpochRecord> report) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => report(value);
    }
}
