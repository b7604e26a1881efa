using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

public class ProgressAndOptionsTests
{
    private sealed class Collect : IProgress<EpochRecord>
    {
        public List<EpochRecord> Records { get; } = new();
        public void Report(EpochRecord value) => Records.Add(value);
    }

    private static (MLContext, IDataView) Iris()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Load(ml, "iris_train.csv");
        return (ml, ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data));
    }

    [Fact]
    public void ProgressReachesTheCallbackAndTheMlNetLog_AndTheHistoryKeepsIt()
    {
        var (ml, data) = Iris();
        var messages = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains(nameof(MlpMulticlassTrainer))) lock (messages) messages.Add(e.Message); };
        var progress = new Collect();
        var model = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 4, Progress = progress, Seed = 1,
            LearningRateSchedule = LearningRateScheduleKind.LinearDecay,
        }).Fit(data);
        Assert.Equal(4, progress.Records.Count);
        Assert.Equal(new[] { 1, 2, 3, 4 }, progress.Records.Select(r => r.Epoch));
        Assert.Equal(progress.Records, model.Model.History.Epochs);
        Assert.True(progress.Records[3].LearningRate < progress.Records[0].LearningRate, "linear decay lowers the rate");
        Assert.True(progress.Records.Zip(progress.Records.Skip(1)).All(p => p.Second.Elapsed >= p.First.Elapsed));
        Assert.Equal(4, messages.Count(m => m.Contains("train epoch")));
        Assert.Contains(messages, m => m.Contains("full 4 epochs"));
        Assert.Equal(StopReason.MaximumEpochs, model.Model.History.StopReason);
    }

    [Fact]
    public void ModelParametersAreInspectable()
    {
        var (ml, data) = Iris();
        var model = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = new[] { 8, 5 }, NumberOfEpochs = 2, BatchNormalization = true, Activation = Activation.Tanh, Seed = 1,
        }).Fit(data);
        var p = model.Model;
        Assert.Equal(new[] { 4, 8, 5, 3 }, p.LayerSizes);
        Assert.Equal(Activation.Tanh, p.Activation);
        Assert.Equal(3, p.DenseLayers.Count);
        Assert.Equal(4 * 8, p.DenseLayers[0].Weights.Count);
        Assert.Equal(2, p.BatchNormalizationLayers.Count);
        Assert.Equal(8, p.BatchNormalizationLayers[0].RunningMean.Count);
        Assert.Equal("Tanh", p.Options["Activation"]);
        Assert.Equal("8,5", p.Options["HiddenLayerSizes"]);
        Assert.Equal(new[] { "Iris-setosa", "Iris-versicolor", "Iris-virginica" }.Length, model.ClassNames!.Count);
    }

    [Fact]
    public void CancellationKeepsTheBestWeightsAndSaysSo()
    {
        var (ml, data) = Iris();
        using var cts = new CancellationTokenSource();
        var progress = new Collect();
        var options = new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 50, Seed = 1, CancellationToken = cts.Token };
        options.Progress = new Progress(r => { if (r.Epoch == 3) cts.Cancel(); });
        var model = ml.MulticlassClassification.Trainers.Mlp(options).Fit(data);
        Assert.Equal(StopReason.Cancelled, model.Model.History.StopReason);
        Assert.Equal(3, model.Model.History.Epochs.Count);
        Assert.Equal(3, model.Model.History.BestEpoch);
    }

    private sealed class Progress(Action<EpochRecord> action) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => action(value);
    }

    [Fact]
    public void BatchSizesFromOneToTheWholeSetTrain_AndBatchNormRejectsBatchSizeOne()
    {
        var (ml, data) = Iris();
        foreach (int batch in new[] { 1, 7, 120, 500 })
        {
            var model = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
            {
                HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, BatchSize = batch, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05f, Seed = 1,
            }).Fit(data);
            Assert.True(double.IsFinite(model.Model.History.Epochs[^1].TrainingLoss));
        }
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { BatchNormalization = true, BatchSize = 1 }));
        Assert.Equal("BatchSize", ex.ParamName);
    }

    [Fact]
    public void ClassWeightsShiftPredictionsTowardTheHeavyClass()
    {
        var (ml, data) = Iris();
        (int Count, double MeanProbability) Class3(float[]? weights)
        {
            var model = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
            {
                HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = 10, LearningRate = 0.01f, Seed = 1, ClassWeights = weights,
                LearningRateSchedule = LearningRateScheduleKind.Constant, L2Regularization = 0, Beta2 = 0.999f, // the settings this was written for
            }).Fit(data);
            var scored = model.Transform(data);
            return (scored.GetColumn<uint>("PredictedLabel").Count(k => k == 3), scored.GetColumn<float[]>("Score").Average(s => s[2]));
        }
        var heavy = Class3(new[] { 1f, 1f, 20f });
        var plain = Class3(null);
        Assert.True(heavy.Count > plain.Count, $"class 3 predicted {heavy.Count} times with weight 20, {plain.Count} without");
        Assert.True(heavy.MeanProbability > plain.MeanProbability + 0.1);
    }

    [Fact]
    public void SameSeedGivesBitIdenticalWeightsWhateverTheThreadCount()
    {
        var (ml, data) = Iris();
        float[] Weights(int threads) => ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = new[] { 64, 32 }, NumberOfEpochs = 3, BatchSize = 64, HiddenDropoutRate = 0.2f, Seed = 9, NumberOfThreads = threads,
        }).Fit(data).Model.DenseLayers.SelectMany(d => d.Weights).ToArray();
        Assert.Equal(Weights(1), Weights(1));
        Assert.Equal(Weights(1), Weights(2));
    }
}

public class LabelHandlingTests
{
    private sealed class ShortRow
    {
        public short Label { get; set; }
        [VectorType(2)] public float[] Features { get; set; } = new float[2];
    }

    [Fact]
    public void NumericKeyValues_MapBackToTheOriginalNumbers_AfterSaveAndLoad()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 60).Select(i => new ShortRow { Label = (short)(10 * (i % 3) + 7), Features = new[] { i % 3f, 1f } }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 40, LearningRate = 0.02f, Seed = 1 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedValue", "PredictedLabel"))
            .Fit(data);
        var predicted = model.Transform(data).GetColumn<short>("PredictedValue").ToArray();
        Assert.Equal(rows.Select(r => r.Label), predicted);

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loader = new MLContext();
        loader.ComponentCatalog.RegisterMlNetExtensions();
        var reloaded = loader.Model.Load(stream, out _);
        Assert.Equal(predicted, reloaded.Transform(data).GetColumn<short>("PredictedValue").ToArray());
    }

    [Fact]
    public void LectureSmoothingThatWouldOutweighTheTrueClass_IsRejected()
    {
        var ml = new MLContext(seed: 1);
        var data = TestData.Load(ml, "iris_train.csv");
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            LabelSmoothing = 0.7f, NumberOfEpochs = 1,
        }).Fit(keyed));
        Assert.Equal("LabelSmoothing", ex.ParamName);
        // The uniform form never flips: 1 − ε + ε/K stays the largest.
        ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            LabelSmoothing = 0.7f, LabelSmoothingForm = LabelSmoothingForm.Uniform, NumberOfEpochs = 1,
        }).Fit(keyed);
    }

    [Fact]
    public void ValidationMetricUsesThePlainLabels_EvenWithSmoothingAndClassWeights()
    {
        var ml = new MLContext(seed: 1);
        var key = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.Load(ml, "wine_train.csv"));
        var train = key.Transform(TestData.Load(ml, "wine_train.csv"));
        var valid = key.Transform(TestData.Load(ml, "wine_test.csv"));
        var model = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 3, LabelSmoothing = 0.2f, ClassWeights = new[] { 1f, 1f, 0f }, Seed = 1,
        }).Fit(train, valid);
        var last = model.Model.History.Epochs[^1];
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(valid));
        Assert.Equal(metrics.MicroAccuracy, last.ValidationMetric!.Value, 6);
        Assert.Equal(metrics.LogLoss, last.ValidationLoss!.Value, 3);
    }
}

public class ValidationReuseTests
{
    [Fact]
    public void CancellingTheRetrainPhase_KeepsTheEarlyStoppedWeights()
    {
        var ml = new MLContext(seed: 1);
        var key = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.Load(ml, "wine_train.csv"));
        var train = key.Transform(TestData.Load(ml, "wine_train.csv"));
        var valid = key.Transform(TestData.Load(ml, "wine_test.csv"));
        MlpMulticlassTrainer.Options Options(ValidationDataReuse reuse, IProgress<EpochRecord>? progress, CancellationToken token) => new()
        {
            HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 8, Seed = 3, ValidationDataReuse = reuse, Progress = progress, CancellationToken = token,
        };
        var plain = ml.MulticlassClassification.Trainers.Mlp(Options(ValidationDataReuse.None, null, default)).Fit(train, valid);

        using var cts = new CancellationTokenSource();
        var cancelInRetrain = new OnEpoch(r => { if (r.Phase == "retrain" && r.Epoch == 2) cts.Cancel(); });
        var model = ml.MulticlassClassification.Trainers.Mlp(Options(ValidationDataReuse.RetrainSameEpochs, cancelInRetrain, cts.Token)).Fit(train, valid);
        Assert.Equal(StopReason.Cancelled, model.Model.History.StopReason);
        Assert.Contains("did not finish", model.Model.History.StopMessage);
        Assert.Equal(plain.Model.DenseLayers.SelectMany(d => d.Weights), model.Model.DenseLayers.SelectMany(d => d.Weights));
    }

    private sealed class OnEpoch(Action<EpochRecord> action) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => action(value);
    }
}
