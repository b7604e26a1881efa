using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

public class MulticlassTrainerTests
{
    private static (MLContext Ml, IDataView Train, IDataView Test) Digits()
    {
        var ml = new MLContext(seed: 1);
        return (ml, TestData.Load(ml, "digits_train.csv"), TestData.Load(ml, "digits_test.csv"));
    }

    [Fact]
    public void DigitsReachesTargetAccuracy_AndMapsKeysBackToStrings()
    {
        var (ml, train, test) = Digits();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
            {
                LabelColumnName = "LabelKey", HiddenLayerSizes = new[] { 256, 128 }, NumberOfEpochs = 40, BatchSize = 32, LearningRate = 0.001f, HiddenDropoutRate = 0.2f, Seed = 7,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored, labelColumnName: "LabelKey");
        Assert.True(metrics.MicroAccuracy >= 0.97, $"digits test accuracy {metrics.MicroAccuracy:F4} < 0.97");

        var labels = scored.GetColumn<string>("Label").ToArray();
        var predicted = scored.GetColumn<string>("PredictedLabelValue").ToArray();
        double agreement = labels.Zip(predicted).Count(p => p.First == p.Second) / (double)labels.Length;
        Assert.Equal(metrics.MicroAccuracy, agreement, 6);
        var slotNames = default(VBuffer<ReadOnlyMemory<char>>);
        scored.Schema["Score"].GetSlotNames(ref slotNames);
        Assert.Equal(10, slotNames.Length);
    }
}
