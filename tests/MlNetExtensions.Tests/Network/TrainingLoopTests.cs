using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;
using MlNetExtensions.Trainers.Schedules;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Network;

public class TrainingLoopTests
{
    private const int Classes = 3, Features = 2;

    /// <summary>Three Gaussian clusters in the plane; <paramref name="flipFraction"/> of the labels are moved to the next class.</summary>
    private static DenseDataset Clusters(int n, ulong seed, double flipFraction = 0, bool contradict = false)
    {
        var r = new RandomStream(seed);
        var x = new float[n * Features];
        var t = new float[n * Classes];
        float[][] centers = { new[] { 0f, 1.5f }, new[] { -1.3f, -0.8f }, new[] { 1.3f, -0.8f } };
        for (int i = 0; i < n; i++)
        {
            int c = i % Classes;
            x[i * 2] = centers[c][0] + r.NextGaussian(0f, 0.7f);
            x[i * 2 + 1] = centers[c][1] + r.NextGaussian(0f, 0.7f);
            int label = contradict || r.NextDouble() < flipFraction ? (c + 1) % Classes : c;
            t[i * Classes + label] = 1f;
        }
        return new DenseDataset(x, Features, t, Classes, null, n);
    }

    private static double Accuracy(ReadOnlyMemory<float> outputs, DenseDataset data)
    {
        var o = outputs.Span;
        int correct = 0, k = data.TargetCount;
        for (int r = 0; r < data.Count; r++)
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(o.Slice(r * k, k)) == System.Numerics.Tensors.TensorPrimitives.IndexOfMax(data.Targets.AsSpan(r * k, k)))
                correct++;
        return correct / (double)data.Count;
    }

    private static TrainingSettings Settings(
        NetworkSpec? network = null, OptimizerKind optimizer = OptimizerKind.Adam, float learningRate = 0.02f, Func<Loss>? loss = null,
        int epochs = 20, int batchSize = 16, bool shuffle = true, ulong seed = 1, int maxThreads = 1, int patience = 3,
        ValidationDataReuse reuse = ValidationDataReuse.None, int continueCap = 100, float weightNoise = 0f,
        float l1 = 0f, float l2 = 0f, float maxNorm = 0f, float clip = 0f,
        CancellationToken cancellation = default, IProgress<EpochRecord>? progress = null, Func<bool>? hostCancelled = null)
        => new()
        {
            Network = network ?? new NetworkSpec(Features, new[] { 8 }, Classes, Activation.Tanh),
            CreateLoss = loss ?? (() => new SoftmaxCrossEntropyLoss(Classes)),
            CreateOptimizer = () => OptimizerFactory.Create(new OptimizerSettings(optimizer, learningRate)),
            Schedule = LearningRateScheduleFactory.Create(new ScheduleSettings(LearningRateScheduleKind.Constant, learningRate, 1, learningRate, 0.5f, 0)),
            Initializer = WeightInitializerFactory.Create(WeightInitialization.XavierUniform, 1f, 1),
            Metric = Accuracy,
            Epochs = epochs, BatchSize = batchSize, Shuffle = shuffle, Seed = seed, MaxThreads = maxThreads,
            EarlyStoppingPatience = patience, Reuse = reuse, ContinueEpochCap = continueCap, WeightNoiseStdDev = weightNoise,
            L1 = l1, L2 = l2, MaxNorm = maxNorm, GradientClipNorm = clip,
            Cancellation = cancellation, Progress = progress, HostCancelled = hostCancelled,
        };

    private static TrainingResult Train(TrainingSettings s, DenseDataset train, DenseDataset? validation = null)
        => new MlpTrainingLoop(s).Run(new FixedEpochData(train), validation);

    private static void AssertBitIdentical(MultilayerPerceptron a, MultilayerPerceptron b)
    {
        Assert.Equal(a.Parameters.Count, b.Parameters.Count);
        for (int k = 0; k < a.Parameters.Count; k++)
            Assert.Equal(a.Parameters[k].Value.ToArray().Select(BitConverter.SingleToInt32Bits), b.Parameters[k].Value.ToArray().Select(BitConverter.SingleToInt32Bits));
        var bnA = a.Layers.OfType<BatchNormLayer>().ToArray(); var bnB = b.Layers.OfType<BatchNormLayer>().ToArray();
        for (int i = 0; i < bnA.Length; i++)
        {
            Assert.Equal(bnA[i].RunningMean.Select(BitConverter.SingleToInt32Bits), bnB[i].RunningMean.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(bnA[i].RunningVariance.Select(BitConverter.SingleToInt32Bits), bnB[i].RunningVariance.Select(BitConverter.SingleToInt32Bits));
        }
    }

    private static void AssertFinite(MultilayerPerceptron net)
    {
        foreach (var p in net.Parameters) Assert.All(p.Value.ToArray(), v => Assert.True(float.IsFinite(v), $"{p.Name} has {v}"));
    }

    private static readonly NetworkSpec Stochastic =
        new(Features, new[] { 8, 6 }, Classes, Activation.Tanh, BatchNormalization: true, InputDropoutRate: 0.1f, HiddenDropoutRate: 0.2f, InputNoiseStdDev: 0.1f);

    // ---------------------------------------------------------------- (a) determinism

    [Fact]
    public void SameSeed_GivesBitIdenticalWeights_AndAnotherSeedDoesNot()
    {
        var train = Clusters(90, 1); var val = Clusters(30, 2);
        TrainingSettings S(ulong seed) => Settings(Stochastic, epochs: 6, seed: seed, weightNoise: 0.01f, l1: 1e-4f, l2: 1e-3f, maxNorm: 3f, clip: 5f);
        var a = Train(S(7), train, val);
        var b = Train(S(7), train, val);
        AssertBitIdentical(a.Network, b.Network);
        Assert.Equal(a.History.Epochs.Select(e => e.TrainingLoss), b.History.Epochs.Select(e => e.TrainingLoss));
        var c = Train(S(8), train, val);
        Assert.NotEqual(a.Network.Parameters[0].Value.ToArray(), c.Network.Parameters[0].Value.ToArray());
    }

    [Fact]
    public void OneOrTwoThreads_GiveBitIdenticalWeights()
    {
        var train = Clusters(90, 3); var val = Clusters(30, 4);
        var one = Train(Settings(Stochastic, epochs: 6, maxThreads: 1, weightNoise: 0.01f), train, val);
        var two = Train(Settings(Stochastic, epochs: 6, maxThreads: 2, weightNoise: 0.01f), train, val);
        AssertBitIdentical(one.Network, two.Network);
    }

    [Fact]
    public void Training_LearnsTheClusters()
    {
        var train = Clusters(150, 5); var val = Clusters(60, 6);
        var result = Train(Settings(epochs: 25, patience: 25), train, val);
        var records = result.History.Epochs;
        Assert.True(records[^1].TrainingLoss < records[0].TrainingLoss * 0.8, $"{records[0].TrainingLoss} → {records[^1].TrainingLoss}");
        Assert.True(records[result.History.BestEpoch - 1].ValidationMetric > 0.8);
    }

    [Fact]
    public void HostCancelled_IsCheckedOncePerMinibatch_AndATrailingBatchOfOneIsFoldedUnderBatchNorm()
    {
        var train = Clusters(33, 7); // batches of 16: 16 + 16 + 1 → 16 + 17 with batch norm
        int calls = 0;
        var spec = new NetworkSpec(Features, new[] { 4 }, Classes, Activation.Tanh, BatchNormalization: true);
        var result = Train(Settings(spec, epochs: 3, hostCancelled: () => { calls++; return false; }), train);
        Assert.Equal(3 * 2, calls);
        Assert.Equal(StopReason.MaximumEpochs, result.History.StopReason);
        Assert.Equal(3, result.History.BestEpoch);
        calls = 0;
        Train(Settings(epochs: 3, hostCancelled: () => { calls++; return false; }), train);
        Assert.Equal(3 * 3, calls);
        // Cancelled by the host in epoch 3 (its 7th batch): stops there, keeps the best of epochs 1–2.
        calls = 0;
        var stopped = Train(Settings(epochs: 10, hostCancelled: () => ++calls >= 7), train);
        Assert.Equal(StopReason.Cancelled, stopped.History.StopReason);
        Assert.Equal(2, stopped.History.Epochs.Count);
    }

    // ---------------------------------------------------------------- (b) early stopping

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EarlyStopping_RestoresTheBestEpoch(bool batchNorm)
    {
        // Validation labels are noisy versions of the training labels: the validation loss first falls, then rises
        // as the network grows confident on the clean training labels.
        var train = Clusters(120, 10); var val = Clusters(60, 11, flipFraction: 0.3);
        var spec = new NetworkSpec(Features, new[] { 16 }, Classes, Activation.Tanh, BatchNormalization: batchNorm);
        const int patience = 4;
        var s = Settings(spec, optimizer: OptimizerKind.Sgd, learningRate: 0.01f, epochs: 80, patience: patience);
        var loop = new MlpTrainingLoop(s);
        var result = loop.Run(new FixedEpochData(train), val);
        var h = result.History;
        var records = h.Epochs;
        Assert.All(records, r => Assert.Equal("train", r.Phase));
        Assert.Equal(StopReason.EarlyStopping, h.StopReason);
        Assert.True(h.BestEpoch > 1 && h.BestEpoch < records.Count, $"best {h.BestEpoch}, last {records.Count}: " + string.Join(" ", records.Select(r => $"{r.TrainingLoss:F3}/{r.ValidationLoss:F3}")));
        Assert.Equal(h.BestEpoch + patience, records.Count);
        Assert.Contains($"kept the weights of epoch {h.BestEpoch}", h.StopMessage);
        // The best epoch is the first minimum of the recorded validation losses.
        double min = records.Min(r => r.ValidationLoss!.Value);
        Assert.Equal(min, records[h.BestEpoch - 1].ValidationLoss);
        Assert.All(records.Take(h.BestEpoch - 1), r => Assert.True(r.ValidationLoss > min));
        // The returned network is the best epoch's: its validation loss is the recorded one.
        var (valLoss, valMetric) = loop.Evaluate(result.Network, new SoftmaxCrossEntropyLoss(Classes), val);
        Assert.Equal(records[h.BestEpoch - 1].ValidationLoss!.Value, valLoss, 12);
        Assert.Equal(records[h.BestEpoch - 1].ValidationMetric!.Value, valMetric, 12);
        Assert.NotEqual(records[^1].ValidationLoss!.Value, valLoss, 6);
    }

    [Fact]
    public void EarlyStopping_CanMonitorTheMetric()
    {
        var train = Clusters(90, 12); var val = Clusters(45, 13, contradict: true);
        var s = Settings(epochs: 40, patience: 3);
        var monitored = new TrainingSettings
        {
            Network = s.Network, CreateLoss = s.CreateLoss, CreateOptimizer = s.CreateOptimizer, Schedule = s.Schedule, Initializer = s.Initializer,
            Metric = s.Metric, Epochs = s.Epochs, BatchSize = s.BatchSize, EarlyStoppingPatience = 3, Monitor = EarlyStoppingMonitor.ValidationMetric,
        };
        var result = Train(monitored, train, val);
        var records = result.History.Epochs;
        Assert.Equal(StopReason.EarlyStopping, result.History.StopReason);
        Assert.Contains("validation metric", result.History.StopMessage);
        double max = records.Max(r => r.ValidationMetric!.Value);
        Assert.Equal(max, records[result.History.BestEpoch - 1].ValidationMetric);
    }

    // ---------------------------------------------------------------- (c) validation-data reuse

    [Fact]
    public void RetrainSameEpochs_RetrainsFromScratchForBestEpochEpochs()
    {
        var train = Clusters(90, 20); var val = Clusters(45, 21, flipFraction: 0.45);
        var spec = new NetworkSpec(Features, new[] { 12 }, Classes, Activation.Tanh);
        var s = Settings(spec, learningRate: 0.05f, epochs: 40, patience: 3, shuffle: false, reuse: ValidationDataReuse.RetrainSameEpochs);
        var result = Train(s, train, val);
        var h = result.History;
        Assert.Equal(StopReason.EarlyStopping, h.StopReason);
        Assert.True(h.BestEpoch >= 1);
        var retrain = h.Epochs.Where(r => r.Phase == "retrain").ToArray();
        Assert.Equal(Enumerable.Range(1, h.BestEpoch), retrain.Select(r => r.Epoch));
        Assert.All(retrain, r => Assert.Null(r.ValidationLoss));
        Assert.Equal(h.Epochs.Count - retrain.Length, h.Epochs.Count(r => r.Phase == "train"));
        Assert.Contains($"for {h.BestEpoch} epochs", h.StopMessage);

        // Without shuffling or stochastic layers the retrain is exactly a fresh run on training + validation data for BestEpoch epochs.
        var reference = Train(Settings(spec, learningRate: 0.05f, epochs: h.BestEpoch, shuffle: false), train.Concat(val));
        AssertBitIdentical(reference.Network, result.Network);
        Assert.Equal(reference.History.Epochs.Select(r => r.TrainingLoss), retrain.Select(r => r.TrainingLoss));
    }

    [Theory]
    [InlineData(0.0, 100)]
    [InlineData(0.45, 100)]
    [InlineData(1.0, 3)]
    public void ContinueToTrainingLoss_ContinuesUntilBelowTheBestTrainingLossOrTheCap(double flip, int cap)
    {
        // flip 0: the validation rows repeat the first training rows (same seed), so continuing must reach ε quickly;
        // 0.45: noisy validation labels, either outcome; 1.0: contradicting labels never get there.
        var train = Clusters(90, 30);
        var val = flip == 0 ? Clusters(45, 30) : Clusters(45, 31, flipFraction: flip);
        var spec = new NetworkSpec(Features, new[] { 12 }, Classes, Activation.Tanh);
        var s = Settings(spec, learningRate: 0.05f, epochs: 40, patience: 3, reuse: ValidationDataReuse.ContinueToTrainingLoss, continueCap: cap);
        var result = Train(s, train, val);
        var h = result.History;
        Assert.Equal(StopReason.EarlyStopping, h.StopReason);
        // ε of the lecture's algorithm: the training-set loss at the kept weights (the same run without reuse, deterministic).
        var plain = Settings(spec, learningRate: 0.05f, epochs: 40, patience: 3);
        var loop = new MlpTrainingLoop(plain);
        var kept = loop.Run(new FixedEpochData(train), val).Network;
        double target = loop.Evaluate(kept, new SoftmaxCrossEntropyLoss(Classes), train).Loss;
        var cont = h.Epochs.Where(r => r.Phase == "continue").ToArray();
        Assert.NotEmpty(cont);
        Assert.Equal(Enumerable.Range(1, cont.Length), cont.Select(r => r.Epoch));
        // It stopped at the first epoch whose validation loss is below the target, or at the cap.
        Assert.All(cont[..^1], r => Assert.True(r.ValidationLoss >= target));
        if (cont[^1].ValidationLoss < target)
            Assert.Contains("until the validation loss fell below", h.StopMessage);
        else
        {
            Assert.Equal(cap, cont.Length);
            Assert.Contains($"cap of {cap} epochs", h.StopMessage);
        }
        if (flip < 0.1) Assert.True(cont[^1].ValidationLoss < target, $"expected the continue phase to reach the target on clean data: {cont[^1].ValidationLoss} vs {target} after {cont.Length} epochs, first {cont[0].ValidationLoss}");
        else if (flip >= 1) Assert.Equal(cap, cont.Length); // fully contradicting validation labels cannot fall that low
        AssertFinite(result.Network);
    }

    [Fact]
    public void ContinueToTrainingLoss_StartsFromTheBestWeights()
    {
        // The continue phase starts from the best epoch's weights (not from scratch): its first epoch's training loss is
        // far below that of the first epoch of the main run, which started from the initialization.
        var train = Clusters(90, 40); var val = Clusters(45, 41, flipFraction: 0.2);
        var spec = new NetworkSpec(Features, new[] { 12 }, Classes, Activation.Tanh);
        var s = Settings(spec, optimizer: OptimizerKind.Sgd, learningRate: 0.05f, epochs: 30, patience: 3, reuse: ValidationDataReuse.ContinueToTrainingLoss, continueCap: 1);
        var result = Train(s, train, val);
        var h = result.History;
        var firstTrain = h.Epochs.First(r => r.Phase == "train");
        var firstCont = h.Epochs.First(r => r.Phase == "continue");
        Assert.True(h.BestEpoch > 1, $"best epoch {h.BestEpoch}");
        Assert.True(firstCont.TrainingLoss < 0.8 * firstTrain.TrainingLoss, $"continue {firstCont.TrainingLoss} vs first train epoch {firstTrain.TrainingLoss}");
    }

    // ---------------------------------------------------------------- (d) divergence

    private static DenseDataset Regression(int n, ulong seed)
    {
        var r = new RandomStream(seed);
        var x = new float[n * 2]; var t = new float[n];
        for (int i = 0; i < n; i++)
        {
            x[i * 2] = r.NextSingle(-3f, 3f); x[i * 2 + 1] = r.NextSingle(-3f, 3f);
            t[i] = 5 * x[i * 2] - 4 * x[i * 2 + 1] + 10;
        }
        return new DenseDataset(x, 2, t, 1, null, n);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HugeLearningRate_Diverges_NamesTheEpoch_AndKeepsFiniteWeights(bool withValidation)
    {
        var spec = new NetworkSpec(2, new[] { 8 }, 1, Activation.Identity);
        string? logged = null;
        var baseSettings = Settings(spec, optimizer: OptimizerKind.Sgd, learningRate: 5f, loss: () => new SquaredErrorLoss(), epochs: 30, patience: 30,
            reuse: ValidationDataReuse.RetrainSameEpochs);
        var s = new TrainingSettings
        {
            Network = baseSettings.Network, CreateLoss = baseSettings.CreateLoss, CreateOptimizer = baseSettings.CreateOptimizer,
            Schedule = baseSettings.Schedule, Initializer = baseSettings.Initializer, Metric = (_, _) => 0, Epochs = 30, BatchSize = 8,
            EarlyStoppingPatience = 30, Reuse = ValidationDataReuse.RetrainSameEpochs,
            Log = m => { if (m.Contains("NaN")) logged = m; },
        };
        var result = Train(s, Regression(64, 50), withValidation ? Regression(20, 51) : null);
        var h = result.History;
        Assert.Equal(StopReason.Diverged, h.StopReason);
        int divergedEpoch = h.Epochs.Count + 1;
        Assert.Contains($"in epoch {divergedEpoch} (train)", h.StopMessage);
        Assert.Contains($"Kept the weights of epoch {h.BestEpoch}", h.StopMessage);
        Assert.Equal(h.StopMessage, logged);
        Assert.DoesNotContain(h.Epochs, r => r.Phase != "train"); // no reuse phase after divergence
        Assert.All(h.Epochs, r => Assert.True(double.IsFinite(r.TrainingLoss)));
        AssertFinite(result.Network);
        var output = new float[20];
        var a = new float[20 * result.Network.MaxWidth]; var b = new float[20 * result.Network.MaxWidth];
        result.Network.Predict(Regression(20, 52).Features, output, 20, a, b);
        Assert.All(output, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void ModerateLearningRate_DoesNotDiverge()
    {
        var spec = new NetworkSpec(2, new[] { 8 }, 1, Activation.Identity);
        var s = Settings(spec, optimizer: OptimizerKind.Sgd, learningRate: 0.002f, loss: () => new SquaredErrorLoss(), epochs: 10);
        var result = Train(s, Regression(64, 50));
        Assert.Equal(StopReason.MaximumEpochs, result.History.StopReason);
        Assert.Equal(10, result.History.BestEpoch);
        Assert.True(result.History.Epochs[^1].TrainingLoss < result.History.Epochs[0].TrainingLoss);
    }

    // ---------------------------------------------------------------- (e) cancellation

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PreCancelledToken_ReturnsCancelled_WithTheInitialWeights(bool withValidation)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var train = Clusters(60, 60);
        var s = Settings(epochs: 10, cancellation: cts.Token, reuse: ValidationDataReuse.RetrainSameEpochs);
        var result = Train(s, train, withValidation ? Clusters(30, 61) : null);
        var h = result.History;
        Assert.Equal(StopReason.Cancelled, h.StopReason);
        Assert.Empty(h.Epochs);
        Assert.Equal(0, h.BestEpoch);
        Assert.Contains("Cancelled during epoch 1", h.StopMessage);
        // The weights are the initial ones: an uncancelled run of zero updates is not possible, so compare with the same seed's initialization.
        var init = RandomStream.For(s.Seed, 0x1417);
        var fresh = MultilayerPerceptron.Create(s.Network, s.Initializer, ref init);
        AssertBitIdentical(fresh, result.Network);
    }

    private sealed class CancelAfter(int epochs, CancellationTokenSource cts) : IProgress<EpochRecord>
    {
        public int Reports { get; private set; }
        public void Report(EpochRecord value) { if (++Reports == epochs) cts.Cancel(); }
    }

    [Fact]
    public void CancellingDuringTraining_KeepsTheLastCompletedEpoch()
    {
        using var cts = new CancellationTokenSource();
        var progress = new CancelAfter(2, cts);
        var train = Clusters(60, 62);
        var result = Train(Settings(epochs: 10, cancellation: cts.Token, progress: progress), train);
        var h = result.History;
        Assert.Equal(StopReason.Cancelled, h.StopReason);
        Assert.Equal(2, h.Epochs.Count);
        Assert.Equal(2, progress.Reports);
        Assert.Equal(2, h.BestEpoch);
        Assert.Contains("Cancelled during epoch 3; kept the weights of epoch 2", h.StopMessage);
        var reference = Train(Settings(epochs: 2), train);
        AssertBitIdentical(reference.Network, result.Network);
    }
}
