using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

public class PipelineIntegrationTests
{
    private sealed class IrisRow
    {
        public string Label { get; set; } = "";
        [VectorType(4)] public float[] Features { get; set; } = new float[4];
    }

    private sealed class IrisPrediction
    {
        public string PredictedLabelValue { get; set; } = "";
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    private static IEstimator<ITransformer> IrisPipeline(MLContext ml, int epochs = 20) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = epochs, Seed = 2 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));

    [Fact]
    public void PredictionEngine_MatchesTransform_AndGetOutputSchemaWorks()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "iris_train.csv");
        var pipeline = IrisPipeline(ml);
        var shape = pipeline.GetOutputSchema(MlNetExtensions.Plumbing.SchemaShapes.Of(train.Schema));
        Assert.Contains(shape, c => c.Name == "PredictedLabelValue" && c.ItemType == TextDataViewType.Instance);
        var model = pipeline.Fit(train);
        var rows = ml.Data.CreateEnumerable<IrisRow>(TestData.Load(ml, "iris_test.csv"), reuseRowObject: false).ToArray();
        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        var labels = scored.GetColumn<string>("PredictedLabelValue").ToArray();
        var engine = ml.Model.CreatePredictionEngine<IrisRow, IrisPrediction>(model);
        for (int i = 0; i < rows.Length; i++)
        {
            var p = engine.Predict(rows[i]);
            Assert.Equal(labels[i], p.PredictedLabelValue);
            Assert.Equal(scores[i], p.Score);
            Assert.Equal(1f, p.Score.Sum(), 4);
        }
    }

    [Fact]
    public void PermutationFeatureImportance_Runs()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.Load(ml, "iris_train.csv")).Transform(TestData.Load(ml, "iris_train.csv"));
        var mlp = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 30, Seed = 2 }).Fit(train);
        var pfi = ml.MulticlassClassification.PermutationFeatureImportance(mlp, train, permutationCount: 1);
        Assert.Equal(4, pfi.Length);
        // Petal measurements (features 2 and 3) carry iris; permuting one of them must cost accuracy.
        Assert.True(pfi.Max(m => -m.MicroAccuracy.Mean) > 0.05);
    }

    [Fact]
    public void FitWithValidation_EarlyStopsAndKeepsTheBestEpoch()
    {
        var ml = new MLContext(seed: 1);
        var key = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.Load(ml, "wine_train.csv"));
        var train = key.Transform(TestData.Load(ml, "wine_train.csv"));
        var valid = key.Transform(TestData.Load(ml, "wine_test.csv"));
        var trainer = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = new[] { 64, 64 }, NumberOfEpochs = 300, LearningRate = 0.01f, EarlyStoppingPatience = 5, Seed = 2,
        });
        var model = trainer.Fit(train, valid);
        var history = model.Model.History;
        Assert.Equal(StopReason.EarlyStopping, history.StopReason);
        Assert.True(history.Epochs.Count < 300);
        var best = history.Epochs[history.BestEpoch - 1];
        Assert.Equal(history.Epochs.Min(e => e.ValidationLoss!.Value), best.ValidationLoss!.Value);
        Assert.Equal(history.BestEpoch + 5, history.Epochs.Count);
        var logLoss = ml.MulticlassClassification.Evaluate(model.Transform(valid)).LogLoss;
        Assert.Equal(best.ValidationLoss!.Value, logLoss, 3);
    }

    [Fact]
    public void SoftLabelsFromSmoothLabels_TrainTheMulticlassMlp_WithClassNames()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "iris_train.csv");
        var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(ml.Transforms.SmoothLabels("Soft", "LabelKey", epsilon: 0.1f))
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { LabelColumnName = "Soft", HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 60, LearningRate = 0.01f, Seed = 3 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(TestData.Load(ml, "iris_test.csv"));
        var truth = scored.GetColumn<string>("Label").ToArray();
        var predicted = scored.GetColumn<string>("PredictedLabelValue").ToArray();
        double accuracy = truth.Zip(predicted).Count(p => p.First == p.Second) / (double)truth.Length;
        Assert.True(accuracy >= 0.9, $"accuracy {accuracy}");
        // Smoothed targets cap the confidence: with ε = 0.1 no probability should approach 1 as closely as one-hot training allows.
        Assert.All(scored.GetColumn<float[]>("Score"), s => Assert.True(s.Max() < 0.99f));
    }

    [Fact]
    public void HugeInputs_GiveFiniteProbabilities()
    {
        var ml = new MLContext(seed: 1);
        var model = IrisPipeline(ml).Fit(TestData.Load(ml, "iris_train.csv"));
        var engine = ml.Model.CreatePredictionEngine<IrisRow, IrisPrediction>(model);
        var p = engine.Predict(new IrisRow { Features = new[] { 1e6f, -1e6f, 1e6f, 1e6f } });
        Assert.All(p.Score, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(1f, p.Score.Sum(), 4);
    }
}
