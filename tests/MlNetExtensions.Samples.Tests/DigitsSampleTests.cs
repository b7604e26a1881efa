using Digits;
using Microsoft.ML;
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
