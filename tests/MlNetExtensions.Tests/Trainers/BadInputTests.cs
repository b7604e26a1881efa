using System.IO.Compression;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

public class BadInputTests
{
    private sealed class Row
    {
        public string Label { get; set; } = "";
        [VectorType(3)] public float[] Features { get; set; } = new float[3];
    }

    private sealed class FloatLabelRow
    {
        public float Label { get; set; }
        [VectorType(3)] public float[] Features { get; set; } = new float[3];
    }

    private sealed class ScalarRow
    {
        public string Label { get; set; } = "";
        public float Scalar { get; set; }
    }

    private static Row[] Rows(int n, Func<int, float[]>? features = null) =>
        Enumerable.Range(0, n).Select(i => new Row { Label = (i % 3).ToString(), Features = features?.Invoke(i) ?? new[] { i % 3f, i * 0.01f, 1f } }).ToArray();

    private static IDataView Keyed(MLContext ml, IEnumerable<Row> rows) =>
        ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(Rows(6))).Transform(ml.Data.LoadFromEnumerable(rows));

    private static MlpMulticlassTrainer Trainer(MLContext ml, Action<MlpMulticlassTrainer.Options>? configure = null)
    {
        var o = new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = 2, Seed = 1 };
        configure?.Invoke(o);
        return ml.MulticlassClassification.Trainers.Mlp(o);
    }

    [Fact]
    public void NaNFeature_ErrorNamesRowColumnAndSlot_OrIsSkippedAndCounted()
    {
        var ml = new MLContext(1);
        var data = Keyed(ml, Rows(30, i => i == 17 ? new[] { 1f, float.NaN, 1f } : new[] { i % 3f, 0f, 1f }));
        var ex = Assert.Throws<InvalidOperationException>(() => Trainer(ml, o => o.MissingValues = MissingValueHandling.Error).Fit(data));
        Assert.Contains("Row 17", ex.Message);
        Assert.Contains("'Features'", ex.Message);
        Assert.Contains("slot 1", ex.Message);

        var model = Trainer(ml, o => o.SkipNonFiniteRows = true).Fit(data);
        Assert.Equal(1, model.Model.History.SkippedRows);
    }

    [Fact]
    public void EmptyTrainingData_IsAClearError()
    {
        var ml = new MLContext(1);
        var ex = Assert.Throws<InvalidOperationException>(() => Trainer(ml).Fit(Keyed(ml, Array.Empty<Row>())));
        Assert.Contains("no rows", ex.Message);
    }

    [Fact]
    public void MissingLabelColumn_WrongLabelType_AndOneClass_AreClearErrors()
    {
        var ml = new MLContext(1);
        var data = Keyed(ml, Rows(9));
        var missing = Assert.ThrowsAny<ArgumentException>(() => Trainer(ml, o => o.LabelColumnName = "Target").Fit(data));
        Assert.Contains("'Target'", missing.Message);

        var floatLabels = ml.Data.LoadFromEnumerable(new[] { new FloatLabelRow { Label = 1, Features = new[] { 1f, 2f, 3f } } });
        var wrongType = Assert.ThrowsAny<ArgumentException>(() => Trainer(ml).Fit(floatLabels));
        Assert.Contains("MapValueToKey", wrongType.Message);

        var oneClass = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(new[] { new Row { Label = "a" } }))
            .Transform(ml.Data.LoadFromEnumerable(new[] { new Row { Label = "a" }, new Row { Label = "a" } }));
        var single = Assert.ThrowsAny<ArgumentException>(() => Trainer(ml).Fit(oneClass));
        Assert.Contains("1 class", single.Message);

        var binaryNumeric = Assert.ThrowsAny<ArgumentException>(() =>
            ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { NumberOfEpochs = 1 }).Fit(floatLabels));
        Assert.Contains("Boolean", binaryNumeric.Message);
    }

    [Fact]
    public void LabelKeyOutsideTheTrainedKeys_NamesTheRow()
    {
        var ml = new MLContext(1);
        // Keys learned from 3 classes; a row whose value was unseen maps to key 0 (missing).
        var mapper = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(Rows(3)));
        var rows = Rows(10).ToList();
        rows[4].Label = "unseen";
        var ex = Assert.Throws<InvalidOperationException>(() => Trainer(ml).Fit(mapper.Transform(ml.Data.LoadFromEnumerable(rows))));
        Assert.Contains("Row 4", ex.Message);
        Assert.Contains("missing", ex.Message);
    }

    [Fact]
    public void FeaturesThatAreNotAKnownSizeVector_AreAClearError()
    {
        var ml = new MLContext(1);
        var rows = Enumerable.Range(0, 6).Select(i => new ScalarRow { Label = (i % 2).ToString(), Scalar = i }).ToArray();
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows)).Transform(ml.Data.LoadFromEnumerable(rows));
        var ex = Assert.ThrowsAny<ArgumentException>(() => Trainer(ml, o => o.FeatureColumnName = "Scalar").Fit(data));
        Assert.Contains("'Scalar'", ex.Message);
        Assert.Contains("Vector<Single, N>", ex.Message);
    }

    [Fact]
    public void ValidationDataWithADifferentSchema_IsRejected()
    {
        var ml = new MLContext(1);
        var train = Keyed(ml, Rows(12));
        var other = ml.Data.LoadFromEnumerable(new[] { new FloatLabelRow { Label = 1, Features = new[] { 1f, 2f, 3f } } });
        var ex = Assert.ThrowsAny<ArgumentException>(() => Trainer(ml).Fit(train, other));
        Assert.Contains("validation", ex.Message);
    }

    [Theory]
    [InlineData("LearningRate")]
    [InlineData("HiddenDropoutRate")]
    [InlineData("HiddenLayerSizes")]
    [InlineData("BatchSize")]
    [InlineData("InputDropoutRate")]
    [InlineData("NumberOfEpochs")]
    public void InvalidOptions_AreRejectedByNameBeforeTraining(string option)
    {
        var ml = new MLContext(1);
        var o = new MlpMulticlassTrainer.Options();
        switch (option)
        {
            case "LearningRate": o.LearningRate = -0.1f; break;
            case "HiddenDropoutRate": o.HiddenDropoutRate = 1f; break;
            case "HiddenLayerSizes": o.HiddenLayerSizes = new[] { 8, 0 }; break;
            case "BatchSize": o.BatchSize = 0; break;
            case "InputDropoutRate": o.InputDropoutRate = 1.5f; break;
            case "NumberOfEpochs": o.NumberOfEpochs = 0; break;
        }
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Mlp(o));
        Assert.Equal(option, ex.ParamName);
        Assert.Contains(option, ex.Message);
    }

    [Fact]
    public void DivergingLoss_AfterAnEpoch_StopsWithAMessage_KeepsFiniteWeights_AndWarns()
    {
        var ml = new MLContext(1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        var train = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        // The rate warms up from 0 to 2 over 50 updates: epoch 1 (12 updates) trains, epoch 2 diverges.
        var model = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
        {
            HiddenLayerSizes = new[] { 32 }, Optimizer = OptimizerKind.Sgd, LearningRate = 2f, WarmupIterations = 50,
            LearningRateSchedule = LearningRateScheduleKind.Constant, NumberOfEpochs = 20, Seed = 1,
        }).Fit(train);
        var history = model.Model.History;
        Assert.Equal(StopReason.Diverged, history.StopReason);
        Assert.Equal(1, history.BestEpoch);
        Assert.Contains("in epoch 2", history.StopMessage);
        Assert.Contains("lower learning rate", history.StopMessage);
        Assert.Contains("Kept the weights of epoch 1", history.StopMessage);
        // The history and the channel agree: the stop is a warning with the history's message.
        Assert.Contains(warnings, w => w.Contains(history.StopMessage, StringComparison.Ordinal));
        Assert.All(model.Transform(train).GetColumn<float>("Score"), s => Assert.True(float.IsFinite(s)));
    }

    [Fact]
    public void TrainingThatEndsNormally_LogsNoWarning()
    {
        var ml = new MLContext(1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        var model = Trainer(ml, o => o.NumberOfEpochs = 3).Fit(Keyed(ml, Rows(30)));
        Assert.Equal(StopReason.MaximumEpochs, model.Model.History.StopReason);
        Assert.Empty(warnings);
    }

    private static string SaveSmallModel(MLContext ml, string dir)
    {
        var train = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        var model = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = 1, Seed = 1 }).Fit(train);
        var path = Path.Combine(dir, "model.zip");
        ml.Model.SaveAtomic(model, train.Schema, path);
        return path;
    }

    private static void RewriteEntry(string path, Func<byte[], byte[]> change)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.Entries.Single(e => e.FullName.EndsWith("Model.key", StringComparison.Ordinal));
        byte[] bytes;
        using (var s = entry.Open()) { using var ms = new MemoryStream(); s.CopyTo(ms); bytes = ms.ToArray(); }
        var name = entry.FullName;
        entry.Delete();
        using var w = zip.CreateEntry(name).Open();
        w.Write(change(bytes));
    }

    [Fact]
    public void TruncatedModelEntry_AndUnknownFormatVersion_GiveClearErrors()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetext-");
        try
        {
            var ml = new MLContext(1);
            var truncated = SaveSmallModel(ml, dir.FullName);
            RewriteEntry(truncated, b => b[..(b.Length * 2 / 3)]);
            var loader = new MLContext();
            var ex = Assert.Throws<FormatException>(() => loader.Model.LoadChecked(truncated, out _));
            Assert.Contains(truncated, ex.Message);
            Assert.Contains("truncated or corrupted", ex.Message);
            File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..100]);
            Assert.Contains("not a model zip", Assert.Throws<FormatException>(() => loader.Model.LoadChecked(truncated, out _)).Message);

            var newer = Path.Combine(dir.FullName, "newer.zip");
            File.Copy(SaveSmallModel(ml, dir.FullName), newer);
            RewriteEntry(newer, b =>
            {
                int at = IndexOf(b, Encoding.ASCII.GetBytes("MLXMLPRG"));
                Assert.True(at >= 0);
                // ModelHeader: signature (8 bytes), then version written and version readable (4 bytes each).
                BitConverter.GetBytes(0x00090001u).CopyTo(b, at + 8);
                BitConverter.GetBytes(0x00090001u).CopyTo(b, at + 12);
                return b;
            });
            var ex2 = Assert.Throws<FormatException>(() => loader.Model.LoadChecked(newer, out _));
            Assert.Contains("version", ex2.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally { dir.Delete(recursive: true); }
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }
}
