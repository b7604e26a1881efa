using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

public class BinaryAndRegressionTests
{
    [Fact]
    public void BreastCancer_TestAucAtLeast099()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var test = TestData.Load(ml, "breast_cancer_test.csv", DataKind.Boolean);
        var model = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            HiddenLayerSizes = new[] { 32 }, NumberOfEpochs = 40, BatchSize = 16, L2Regularization = 1e-2f, Seed = 5,
        }).Fit(train);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(test));
        Assert.True(metrics.AreaUnderRocCurve >= 0.99, $"AUC {metrics.AreaUnderRocCurve:F4} < 0.99");
        Assert.Equal(40, model.Model.History.Epochs.Count);
    }

    [Fact]
    public void Diabetes_WithMlNetNormalization_TestRSquaredAtLeast030()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        var test = TestData.Load(ml, "diabetes_test.csv", DataKind.Single);
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
            {
                HiddenLayerSizes = new[] { 32, 16 }, NumberOfEpochs = 40, BatchSize = 16, L2Regularization = 0.1f, Seed = 5,
            }));
        var metrics = ml.Regression.Evaluate(pipeline.Fit(train).Transform(test));
        Assert.True(metrics.RSquared >= 0.30, $"R² {metrics.RSquared:F4} < 0.30");
    }

    [Fact]
    public void Diabetes_OnRawUnscaledColumns_TrainsWell()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        var test = TestData.Load(ml, "diabetes_test.csv", DataKind.Single);
        var model = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
        {
            HiddenLayerSizes = new[] { 32, 16 }, NumberOfEpochs = 40, BatchSize = 16, L2Regularization = 0.1f, Seed = 5,
        }).Fit(train);
        var metrics = ml.Regression.Evaluate(model.Transform(test));
        Assert.True(metrics.RSquared >= 0.30, $"R² {metrics.RSquared:F4} < 0.30 on raw columns");
    }
}
