using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>
/// The trainers with every option at its default, as a user swapping Mlp() into an existing pipeline meets them
/// (figures from the tabular benchmark, benchmarks/README.md: these are floors below what it measured).
/// </summary>
public class DefaultsTests
{
    [Fact]
    public void Digits_WithDefaults_ReachesAccuracy097()
    {
        var ml = new MLContext(seed: 1);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label");
        var train = TestData.Load(ml, "digits_train.csv");
        var model = keys.Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { Seed = 1 })).Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(TestData.Load(ml, "digits_test.csv")));
        Assert.True(metrics.MicroAccuracy >= 0.97, $"digits accuracy {metrics.MicroAccuracy:F4} < 0.97 with defaults");
        // 1,437 rows: the automatic hold-out with early stopping, the best epoch kept.
        var history = model.LastTransformer.Model.History;
        Assert.All(history.Epochs, e => Assert.NotNull(e.ValidationLoss));
        Assert.InRange(history.BestEpoch, 1, history.Epochs.Count);
    }

    [Fact]
    public void BreastCancer_WithDefaults_ReachesAuc099()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { Seed = 1 }).Fit(TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean));
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(TestData.Load(ml, "breast_cancer_test.csv", DataKind.Boolean)));
        Assert.True(metrics.AreaUnderRocCurve >= 0.99, $"AUC {metrics.AreaUnderRocCurve:F4} < 0.99 with defaults");
        // 455 rows: no hold-out, about 1,000 updates in batches of 32 (15 per epoch: 67 epochs).
        Assert.Equal(AutomaticEpochs.FixedEpochs(455, 32), model.Model.History.Epochs.Count);
        Assert.All(model.Model.History.Epochs, e => Assert.Null(e.ValidationLoss));
    }

    /// <summary>The user's pipeline on a CSV with missing values: TextLoader (MissingRealsAsNaNs), no normalizer, no imputation.</summary>
    [Fact]
    public void Pima_WithMissingValues_AndDefaults_BeatsTheTreesFigure()
    {
        var ml = new MLContext(seed: 1);
        var columns = new[] { "pregnant", "glucose", "pressure", "triceps", "insulin", "mass", "pedigree", "age" };
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            HasHeader = true, AllowQuoting = true, Separators = new[] { ',' }, MissingRealsAsNaNs = true,
            Columns = new[] { new TextLoader.Column("Label", DataKind.Boolean, 0) }
                .Concat(columns.Select((c, i) => new TextLoader.Column(c, DataKind.Single, i + 1))).ToArray(),
        });
        var pipeline = ml.Transforms.Concatenate("Features", columns).Append(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { Seed = 1 }));
        var model = pipeline.Fit(loader.Load(TestData.PathOf("tabular/pima2_train.csv")));
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(loader.Load(TestData.PathOf("tabular/pima2_test.csv"))));
        // LightGbm's default reaches AUC 0.8285 on this split, FastTree 0.8241 (data/tabular/README figures).
        Assert.True(metrics.AreaUnderRocCurve >= 0.85, $"AUC {metrics.AreaUnderRocCurve:F4} < 0.85 with defaults");
    }

    /// <summary>The automatic epochs are constants of the library: the ablations' knobs reach it only through Configure, which
    /// the benchmark program calls; an MLNETEXT_AUTO variable in the process changes nothing.</summary>
    [Fact]
    public void AutomaticEpochs_IgnoreTheEnvironment_AndConfigureRejectsUnknownKnobs()
    {
        string? before = Environment.GetEnvironmentVariable("MLNETEXT_AUTO");
        try
        {
            Environment.SetEnvironmentVariable("MLNETEXT_AUTO", "updates=5;minepochs=1");
            // 300 rows in batches of 32: 10 per epoch, about 1,000 updates = 100 epochs.
            Assert.Equal(100, AutomaticEpochs.FixedEpochs(300, 32));
            Assert.Equal(1000, AutomaticEpochs.TargetUpdates);
        }
        finally { Environment.SetEnvironmentVariable("MLNETEXT_AUTO", before); }
        Assert.Contains("speed", Assert.Throws<ArgumentException>(() => AutomaticEpochs.Configure("speed=3")).Message);
        Assert.Contains("name=value", Assert.Throws<ArgumentException>(() => AutomaticEpochs.Configure("updates")).Message);
        Assert.Contains("does not parse", Assert.Throws<ArgumentException>(() => AutomaticEpochs.Configure("updates=many")).Message);
        Assert.Equal(100, AutomaticEpochs.FixedEpochs(300, 32)); // a rejected configuration leaves the defaults
    }

    /// <summary>Key labels are smoothed by 0.05 unless LabelSmoothing is set: the default trains the same bits as an explicit
    /// 0.05 and different ones from 0.</summary>
    [Fact]
    public void MulticlassLabelSmoothing_DefaultsTo005_ForKeyLabels()
    {
        float[] Scores(float? smoothing)
        {
            var ml = new MLContext(seed: 1);
            var train = TestData.Load(ml, "digits_train.csv");
            var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.Mlp(
                new MlpMulticlassTrainer.Options { Seed = 1, NumberOfEpochs = 2, LabelSmoothing = smoothing })).Fit(train);
            return model.Transform(TestData.Load(ml, "digits_test.csv")).GetColumn<float[]>("Score").Take(20).SelectMany(v => v).ToArray();
        }
        var byDefault = Scores(null);
        Assert.Equal(Scores(MlpMulticlassTrainer.DefaultLabelSmoothing), byDefault);
        Assert.NotEqual(Scores(0f), byDefault);
        Assert.Equal(0.05f, MlpMulticlassTrainer.DefaultLabelSmoothing);
    }
}
