using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Training;
using MlNetExtensions.Randomness;
using MlNetExtensions;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>Warm start (<c>Fit(trainData, modelParameters)</c>) and parameter tying (<see cref="MlpTrainerOptionsBase.ParameterTyingStrength"/>).</summary>
public class WarmStartTests
{
    private static MlpBinaryTrainer.Options Options(int epochs, float learningRate = 0.001f, float tying = 0f) => new()
    {
        HiddenLayerSizes = new[] { 16, 8 }, NumberOfEpochs = epochs, LearningRate = learningRate, ParameterTyingStrength = tying, Seed = 5,
    };

    private static float[] AllWeights(MlpModelParameters model) => model.DenseLayers.SelectMany(l => l.Weights.Concat(l.Bias)).ToArray();

    private static double Distance(MlpModelParameters a, MlpModelParameters b)
    {
        var x = a.DenseLayers.SelectMany(l => l.Weights).ToArray();
        var y = b.DenseLayers.SelectMany(l => l.Weights).ToArray();
        return Math.Sqrt(x.Zip(y, (p, q) => (double)(p - q) * (p - q)).Sum());
    }

    [Fact]
    public void AWarmStart_BeginsFromTheReferenceWeights_AndKeepsItsPreprocessing()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var reference = ml.BinaryClassification.Trainers.Mlp(Options(20)).Fit(train).Model;
        // Other data (half the rows) so that preprocessing learned afresh would differ; a learning rate so small that the
        // weights cannot move by more than ~1e-9 per step: the result is the reference, whatever the data.
        var half = ml.Data.TakeRows(train, 200);
        var warm = ml.BinaryClassification.Trainers.Mlp(Options(1, learningRate: 1e-9f)).Fit(half, reference).Model;
        var cold = ml.BinaryClassification.Trainers.Mlp(Options(1, learningRate: 1e-9f)).Fit(half).Model;

        Assert.Equal(reference.FeatureMeans, warm.FeatureMeans);
        Assert.Equal(reference.FeatureScales, warm.FeatureScales);
        Assert.Equal(reference.FeatureFillValues, warm.FeatureFillValues);
        Assert.NotEqual(reference.FeatureMeans, cold.FeatureMeans); // the half's own statistics differ
        var r = AllWeights(reference);
        var w = AllWeights(warm);
        Assert.Equal(r.Length, w.Length);
        Assert.All(r.Zip(w), p => Assert.True(Math.Abs(p.First - p.Second) < 1e-6f, $"{p.First} vs {p.Second}"));
        // The warm start's first epoch has the loss of a trained model, the cold one of an untrained one.
        Assert.True(warm.History.Epochs[0].TrainingLoss < 0.5 * cold.History.Epochs[0].TrainingLoss,
            $"warm {warm.History.Epochs[0].TrainingLoss}, cold {cold.History.Epochs[0].TrainingLoss}");
        Assert.StartsWith("weights ", warm.Options["WarmStart"]);
        Assert.Equal("Binary", warm.Options["Task"]);
        Assert.False(cold.Options.ContainsKey("WarmStart"));
    }

    [Fact]
    public void Tying_LimitsTheDriftFromTheReference_WhenFineTuningOnOtherRows()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var first = ml.Data.TakeRows(train, 230);
        var second = ml.Data.SkipRows(train, 230);
        var reference = ml.BinaryClassification.Trainers.Mlp(Options(20)).Fit(first).Model;
        var free = ml.BinaryClassification.Trainers.Mlp(Options(30, learningRate: 0.003f)).Fit(second, reference).Model;
        var tied = ml.BinaryClassification.Trainers.Mlp(Options(30, learningRate: 0.003f, tying: 0.5f)).Fit(second, reference).Model;
        double freeDrift = Distance(free, reference), tiedDrift = Distance(tied, reference);
        Assert.True(tiedDrift > 0, "the tied model did not train at all");
        Assert.True(tiedDrift < 0.5 * freeDrift, $"drift with tying {tiedDrift:G4}, without {freeDrift:G4}");
    }

    [Fact]
    public void TheTyingGradient_Is2AlphaTimesTheDifference_AndTheValueAlphaTimesItsSquaredNorm()
    {
        var spec = new NetworkSpec(5, new[] { 4 }, 2, Activation.Relu);
        var init = new MlNetExtensions.Trainers.Initialization.HeNormalInitializer();
        var r1 = RandomStream.For(1, 1);
        var r2 = RandomStream.For(2, 1);
        var reference = MultilayerPerceptron.Create(spec, init, ref r1);
        var network = MultilayerPerceptron.Create(spec, init, ref r2);
        var weights = network.Parameters.Where(p => p.IsWeight).ToArray();
        var refWeights = reference.Parameters.Where(p => p.IsWeight).ToArray();
        const float alpha = 0.3f;
        var tying = new ParameterTying(reference, alpha);
        foreach (var p in weights) p.Gradient.Fill(0.25f);
        double expectedValue = 0;
        for (int k = 0; k < weights.Length; k++)
            for (int i = 0; i < weights[k].Length; i++)
                expectedValue += alpha * Math.Pow(weights[k].Value[i] - refWeights[k].Value[i], 2);
        Assert.Equal(expectedValue, tying.Value(weights), 5);
        tying.AddGradients(weights);
        for (int k = 0; k < weights.Length; k++)
            for (int i = 0; i < weights[k].Length; i++)
                Assert.Equal(0.25 + 2 * alpha * (weights[k].Value[i] - refWeights[k].Value[i]), weights[k].Gradient[i], 5);
        // Only the connection weights: biases keep their gradients.
        Assert.All(network.Parameters.Where(p => !p.IsWeight), p => Assert.All(p.Gradient.ToArray(), g => Assert.Equal(0f, g)));
    }

    [Fact]
    public void AReferenceOfAnotherShape_IsRefused_NamingWhatDiffers()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var reference = ml.BinaryClassification.Trainers.Mlp(Options(1)).Fit(train).Model;

        var o = Options(1); o.HiddenLayerSizes = new[] { 16, 4 };
        var e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(o).Fit(train, reference));
        Assert.Contains("HiddenLayerSizes is [16, 4]", e.Message);
        Assert.Contains("[16, 8]", e.Message);

        o = Options(1); o.Activation = Activation.Tanh;
        e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(o).Fit(train, reference));
        Assert.Contains("Activation is Tanh", e.Message);

        o = Options(1); o.BatchNormalization = true;
        e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(o).Fit(train, reference));
        Assert.Contains("BatchNormalization is true", e.Message);

        var narrower = ml.Data.LoadFromTextFile(TestData.PathOf("breast_cancer_train.csv"), new[]
        {
            new TextLoader.Column("Label", DataKind.Boolean, 0), new TextLoader.Column("Features", DataKind.Single, 1, 10),
        }, separatorChar: ',');
        e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(Options(1)).Fit(narrower, reference));
        Assert.Contains("'Features' has 10 slots", e.Message);
        Assert.Contains("trained on 30", e.Message);

        // Dropout is training-only: it may differ.
        o = Options(1); o.HiddenDropoutRate = 0.2f;
        _ = ml.BinaryClassification.Trainers.Mlp(o).Fit(train, reference);
    }

    [Fact]
    public void AMulticlassReferenceWithOtherClasses_IsRefused_NamingTheLabel()
    {
        var ml = new MLContext(seed: 1);
        var iris = TestData.Load(ml, "iris_train.csv");
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(iris).Transform(iris);
        var options = new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 1, Seed = 1 };
        var reference = ml.MulticlassClassification.Trainers.Mlp(options).Fit(keyed).Model;
        var two = ml.Data.FilterByCustomPredicate<LabelRow>(iris, r => r.Label == "2");
        var twoKeyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(two).Transform(two);
        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Mlp(options).Fit(twoKeyed, reference));
        Assert.Contains("label column 'Label' gives", e.Message);
        Assert.Contains("has 3", e.Message);
    }

    private sealed class LabelRow { public string Label { get; set; } = ""; }

    [Fact]
    public void TyingWithoutAReference_OrNegative_IsRefusedNamingTheOption()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(Options(1, tying: 0.1f)).Fit(train));
        Assert.Equal(nameof(MlpTrainerOptionsBase.ParameterTyingStrength), e.ParamName);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp(Options(1, tying: -1f)));
        Assert.Equal(nameof(MlpTrainerOptionsBase.ParameterTyingStrength), bad.ParamName);
    }

    [Fact]
    public void AWarmStartFromALoadedModel_IsTheSameBitsAsFromTheModelInMemory()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var fitted = ml.BinaryClassification.Trainers.Mlp(Options(5)).Fit(train);
        var dir = Directory.CreateTempSubdirectory("mlnetext-");
        try
        {
            var path = Path.Combine(dir.FullName, "model.zip");
            ml.Model.SaveAtomic(fitted, train.Schema, path);
            var loaded = (MlpBinaryPredictionTransformer)new MLContext(seed: 9).Model.LoadChecked(path, out _);
            var fromMemory = ml.BinaryClassification.Trainers.Mlp(Options(3, tying: 0.05f)).Fit(train, fitted.Model).Model;
            var fromFile = ml.BinaryClassification.Trainers.Mlp(Options(3, tying: 0.05f)).Fit(train, loaded.Model).Model;
            Assert.Equal(AllWeights(fromMemory), AllWeights(fromFile));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void AReferenceOfAnotherTask_IsRefused()
    {
        var ml = new MLContext(seed: 1);
        var asNumbers = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Single);
        var regression = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 16, 8 }, NumberOfEpochs = 1, Seed = 1 }).Fit(asNumbers).Model;
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var e = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(Options(1)).Fit(train, regression));
        Assert.Contains("is a Regression model and this trainer trains Binary models", e.Message);
        var binary = ml.BinaryClassification.Trainers.Mlp(Options(1)).Fit(train).Model;
        var o = new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 16, 8 }, NumberOfEpochs = 1, Seed = 1 };
        e = Assert.Throws<ArgumentException>(() => ml.Regression.Trainers.Mlp(o).Fit(asNumbers, binary));
        Assert.Contains("is a Binary model and this trainer trains Regression models", e.Message);
    }

    [Fact]
    public void ClassesInAnotherOrder_AreRefused_NamingBothOrders()
    {
        var ml = new MLContext(seed: 1);
        var iris = TestData.Load(ml, "iris_train.csv");
        var options = new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 1, Seed = 1 };
        var reference = ml.MulticlassClassification.Trainers.Mlp(options).Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(iris).Transform(iris)).Model;
        var byOccurrence = ml.Transforms.Conversion.MapValueToKey("Label").Fit(iris).Transform(iris);
        _ = ml.MulticlassClassification.Trainers.Mlp(options).Fit(byOccurrence, reference); // the same order: accepted
        // The same classes, keyed in another order (MapValueToKey keys by first occurrence).
        var rows = ml.Data.CreateEnumerable<IrisRow>(iris, reuseRowObject: false).OrderByDescending(r => r.Label).ToList();
        var descending = ml.Data.LoadFromEnumerable(rows, ml.Data.LoadFromEnumerable(rows).Schema);
        var keyedDescending = ml.Transforms.Conversion.MapValueToKey("Label").Fit(descending).Transform(descending);
        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.Trainers.Mlp(options).Fit(keyedDescending, reference));
        Assert.Contains("[\"2\",\"1\",\"0\"]", e.Message);
        Assert.Contains("[\"0\",\"1\",\"2\"]", e.Message);
    }

    private sealed class IrisRow
    {
        public string Label { get; set; } = "";
        [VectorType(4)] public float[] Features { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void ACheckpointOfAWarmStart_ResumesOnlyWithTheSameReference()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var a = ml.BinaryClassification.Trainers.Mlp(Options(3)).Fit(train).Model;
        var bOptions = Options(3); bOptions.Seed = 6;
        var b = ml.BinaryClassification.Trainers.Mlp(bOptions).Fit(train).Model; // same data, so the same preprocessing as a
        var dir = Directory.CreateTempSubdirectory("mlnetext-");
        try
        {
            var path = Path.Combine(dir.FullName, "run.ckpt");
            var o = Options(4, tying: 0.05f); o.CheckpointPath = path; o.CheckpointEveryEpochs = 2;
            var full = ml.BinaryClassification.Trainers.Mlp(o).Fit(train, a).Model;
            var resume = Options(4, tying: 0.05f); resume.ResumeFromCheckpoint = path;
            var e = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.Mlp(resume).Fit(train, b));
            Assert.Contains("WarmStart", e.Message);
            var same = ml.BinaryClassification.Trainers.Mlp(resume).Fit(train, a).Model;
            Assert.Equal(AllWeights(full), AllWeights(same));
        }
        finally { dir.Delete(recursive: true); }
    }
}
