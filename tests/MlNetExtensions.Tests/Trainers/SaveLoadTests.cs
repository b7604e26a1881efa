using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

public class SaveLoadTests
{
    internal static void AssertSameInNewProcess(MLContext ml, ITransformer model, IDataView train, string testFile, string labelKind, string columns)
    {
        var dir = Directory.CreateTempSubdirectory("mlnetext-");
        try
        {
            var path = Path.Combine(dir.FullName, "model.zip");
            ml.Model.SaveAtomic(model, train.Schema, path);
            Assert.Empty(Directory.GetFiles(dir.FullName, "*.tmp"));
            var test = TestData.Load(ml, testFile, Enum.Parse<DataKind>(labelKind));
            var expected = ScoredOutput.Lines(model.Transform(test), columns.Split(',')).ToArray();
            var (code, output, error) = ProcessRunner.LoadCheck(path, TestData.PathOf(testFile), labelKind, columns);
            Assert.True(code == 0, error);
            var actual = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            Assert.Equal(expected, actual);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void Multiclass_WithBatchNormAndStringLabels_IsBitIdenticalInANewProcess()
    {
        var ml = new MLContext(seed: 3);
        var train = TestData.Load(ml, "iris_train.csv");
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
            {
                HiddenLayerSizes = new[] { 16, 8 }, NumberOfEpochs = 5, BatchNormalization = true, HiddenDropoutRate = 0.1f, Seed = 1,
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"))
            .Fit(train);
        AssertSameInNewProcess(ml, model, train, "iris_test.csv", "String", "Score,PredictedLabel,PredictedLabelValue");
    }

    [Fact]
    public void Binary_IsBitIdenticalInANewProcess()
    {
        var ml = new MLContext(seed: 3);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var model = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 3, Seed = 1 }).Fit(train);
        AssertSameInNewProcess(ml, model, train, "breast_cancer_test.csv", "Boolean", "Score,Probability,PredictedLabel");
    }

    [Fact]
    public void WarmStartedAndTied_IsBitIdenticalInANewProcess()
    {
        var ml = new MLContext(seed: 3);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var options = new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 3, Seed = 1 };
        var reference = ml.BinaryClassification.Trainers.Mlp(options).Fit(train);
        options.ParameterTyingStrength = 0.1f;
        options.LearningRate = 0.0005f;
        var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(ml.Data.TakeRows(train, 200), reference.Model);
        AssertSameInNewProcess(ml, model, train, "breast_cancer_test.csv", "Boolean", "Score,Probability,PredictedLabel");
    }

    [Fact]
    public void AdversariallyTrained_IsBitIdenticalInANewProcess()
    {
        var ml = new MLContext(seed: 3);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var options = new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 3, Seed = 1, AdversarialEpsilon = 0.3f, HiddenDropoutRate = 0.1f };
        var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(train);
        AssertSameInNewProcess(ml, model, train, "breast_cancer_test.csv", "Boolean", "Score,Probability,PredictedLabel");
    }

    [Fact]
    public void Regression_IsBitIdenticalInANewProcess()
    {
        var ml = new MLContext(seed: 3);
        var train = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        var model = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 3, Seed = 1 }).Fit(train);
        AssertSameInNewProcess(ml, model, train, "diabetes_test.csv", "Single", "Score");
    }

    [Fact]
    public void LoadWithoutRegistration_FailsWithAMessage_AndTruncatedFileFailsClearly()
    {
        var ml = new MLContext(seed: 3);
        var train = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        var model = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = 1, Seed = 1 }).Fit(train);
        var dir = Directory.CreateTempSubdirectory("mlnetext-");
        try
        {
            var path = Path.Combine(dir.FullName, "model.zip");
            ml.Model.SaveAtomic(model, train.Schema, path);
            var (code, _, error) = ProcessRunner.LoadCheck(path, TestData.PathOf("diabetes_test.csv"), "Single", "Score", register: false);
            Assert.NotEqual(0, code);
            Assert.Contains("LOAD FAILED", error);

            var bytes = File.ReadAllBytes(path);
            var truncated = Path.Combine(dir.FullName, "truncated.zip");
            File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
            var loader = new MLContext();
            loader.ComponentCatalog.RegisterMlNetExtensions();
            var ex = Record.Exception(() => loader.Model.Load(truncated, out _));
            Assert.NotNull(ex);
        }
        finally { dir.Delete(recursive: true); }
    }
}
