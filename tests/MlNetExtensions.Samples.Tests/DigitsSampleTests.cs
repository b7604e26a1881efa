using Digits;
using Microsoft.ML;
using MlNetExtensions.Samples;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Samples.Tests;

/// <summary>The main sample's pipeline, as the README's first command runs it.</summary>
public sealed class DigitsSampleTests
{
    [Fact]
    public void AugmentedPipelineReachesTheSampleAccuracyAndAugmentationReachesTheTrainer()
    {
        var mlContext = new MLContext(seed: 1);
        var (train, validation, test) = DigitsData.Load(mlContext);

        var augmented = DigitsModel.Train(mlContext, train, validation, augment: true);
        var plain = DigitsModel.Train(mlContext, train, validation, augment: false);

        var accuracy = DigitsModel.Evaluate(mlContext, augmented, test).MicroAccuracy;
        Assert.True(accuracy >= 0.97, $"test accuracy {accuracy:F4} < 0.97");

        // The augmenter is a direct member of one flat chain, so the trainer sees augmented pixels: the first epoch's
        // training loss differs from the un-augmented run with the same seeds.
        var first = (TrainingHistory h) => h.Epochs.First(e => e.Phase == "train").TrainingLoss;
        Assert.NotEqual(first(DigitsModel.Mlp(plain).Model.History), first(DigitsModel.Mlp(augmented).Model.History));

        // The sample's learning curve shows loss and validation micro-accuracy, and its epoch lines name that metric.
        var history = DigitsModel.Mlp(augmented).Model.History;
        var panels = LearningCurve.Panels(history);
        Assert.Equal(2, panels.Count);
        Assert.Equal(new[] { "training loss", "validation loss" }, panels[0].Series.Select(s => s.Label));
        var curve = Assert.Single(panels[1].Series);
        Assert.Equal("validation micro-accuracy", curve.Label);
        Assert.All(curve.Y, a => Assert.InRange(a, 0.5, 1.0));
        Assert.Single(curve.Marks);   // the kept epoch
        var line = SampleConsole.EpochLine(history.Epochs[0], LearningCurve.MetricName);
        Assert.Contains("validation micro-accuracy 0.", line);
        Assert.DoesNotContain("validation metric", line);
    }

    [Fact]
    public void SavedModelReloadsAndPredictsLikeTheTrainedOne()
    {
        var mlContext = new MLContext(seed: 1);
        var (train, validation, test) = DigitsData.Load(mlContext);
        var model = DigitsModel.Train(mlContext, train, validation, augment: true);
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"digits-{Guid.NewGuid():N}.zip");
        try
        {
            DigitsModel.Save(mlContext, model, train.Schema, path);
            var rows = mlContext.Data.CreateEnumerable<ModelInput>(test, reuseRowObject: false).Take(20).ToList();
            var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
            var reloaded = DigitsModel.Predict(path, rows);
            for (int i = 0; i < rows.Count; i++)
            {
                var expected = engine.Predict(rows[i]);
                Assert.Equal(expected.PredictedLabel, reloaded[i].PredictedLabel);
                Assert.Equal(expected.Score, reloaded[i].Score);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
