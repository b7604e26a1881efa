using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>Missing values in the features: imputed inside the model by default, in training and scoring, and saved.</summary>
public class MissingValueTests
{
    private sealed class Row
    {
        public bool Label { get; set; }
        [VectorType(4)] public float[] Features { get; set; } = new float[4];
    }

    private sealed class Scored
    {
        public float Score { get; set; }
        public float Probability { get; set; }
    }

    /// <summary>Slot 0 informative with NaN in a fifth of the rows (more often for positives), slot 1 informative, 2 noise, 3 constant.</summary>
    private static Row[] Rows(int n, int seed, bool withNaN = true)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(i =>
        {
            bool label = random.NextDouble() < 0.5;
            float a = (float)(random.NextDouble() + (label ? 0.6 : 0));
            bool missing = withNaN && random.NextDouble() < (label ? 0.35 : 0.1);
            return new Row
            {
                Label = label,
                Features = new[] { missing ? float.NaN : a * 100f, (float)(random.NextDouble() + (label ? 0.3 : 0)) * 5f, (float)random.NextDouble(), 2f },
            };
        }).ToArray();
    }

    private static MlpBinaryTrainer Trainer(MLContext ml, Action<MlpBinaryTrainer.Options>? configure = null)
    {
        var o = new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 20, Seed = 1 };
        configure?.Invoke(o);
        return ml.BinaryClassification.Trainers.Mlp(o);
    }

    [Fact]
    public void NaNFeatures_AreImputedByDefault_WithAnIndicator_AndScoreFinite()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(Rows(400, 1));
        var model = Trainer(ml).Fit(train);
        Assert.Equal(new[] { 0 }, model.Model.MissingValueIndicatorSlots);
        Assert.Equal(5, model.Model.LayerSizes[0]); // 4 slots + 1 indicator
        Assert.Equal(4, model.Model.InputSize);
        Assert.Equal(InputSlotKind.Constant, model.Model.FeatureKinds[3]);
        // The fill value is the median of the training rows' finite values of slot 0.
        var finite = Rows(400, 1).Select(r => r.Features[0]).Where(float.IsFinite).OrderBy(v => v).ToArray();
        Assert.Equal(finite[(finite.Length - 1) / 2], model.Model.FeatureFillValues[0]);

        var test = Rows(300, 2);
        var scored = ml.Data.CreateEnumerable<Scored>(model.Transform(ml.Data.LoadFromEnumerable(test)), reuseRowObject: false).ToArray();
        Assert.All(scored, s => Assert.True(float.IsFinite(s.Score) && float.IsFinite(s.Probability)));
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test)));
        Assert.True(metrics.AreaUnderRocCurve > 0.8, $"AUC {metrics.AreaUnderRocCurve}");

        // The indicator carries information: the network's output on a NaN row differs from the median-filled row.
        var engine = ml.Model.CreatePredictionEngine<Row, Scored>(model);
        var withNaN = engine.Predict(new Row { Features = new[] { float.NaN, 2f, 0.5f, 2f } }).Score;
        var filled = engine.Predict(new Row { Features = new[] { model.Model.FeatureFillValues[0], 2f, 0.5f, 2f } }).Score;
        Assert.NotEqual(withNaN, filled);
    }

    [Fact]
    public void NaNAtScoring_InAModelTrainedWithoutNaN_IsTheMedianExactly()
    {
        var ml = new MLContext(1);
        foreach (bool normalize in new[] { true, false })
        {
            var model = Trainer(ml, o => o.NormalizeFeatures = normalize).Fit(ml.Data.LoadFromEnumerable(Rows(300, 3, withNaN: false)));
            Assert.Empty(model.Model.MissingValueIndicatorSlots);
            var engine = ml.Model.CreatePredictionEngine<Row, Scored>(model);
            for (int slot = 0; slot < 4; slot++)
            {
                var x = new[] { 60f, 3f, 0.25f, 2f };
                var expected = engine.Predict(new Row { Features = With(x, slot, model.Model.FeatureFillValues[slot]) }).Score;
                var actual = engine.Predict(new Row { Features = With(x, slot, float.NaN) }).Score;
                Assert.True(float.IsFinite(actual));
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual));
            }
        }

        static float[] With(float[] x, int slot, float v) { var c = (float[])x.Clone(); c[slot] = v; return c; }
    }

    [Fact]
    public void ErrorMode_NamesRowColumnAndSlot_SkipRows_CountsThem_AndTheOldOptionIsAnAlias()
    {
        var ml = new MLContext(1);
        var rows = Rows(50, 4, withNaN: false);
        rows[17].Features[2] = float.NaN;
        var data = ml.Data.LoadFromEnumerable(rows);
        var ex = Assert.Throws<InvalidOperationException>(() => Trainer(ml, o => o.MissingValues = MissingValueHandling.Error).Fit(data));
        Assert.Contains("Row 17", ex.Message);
        Assert.Contains("'Features'", ex.Message);
        Assert.Contains("slot 2", ex.Message);
        Assert.Contains("MissingValues", ex.Message);

        var skipped = Trainer(ml, o => o.MissingValues = MissingValueHandling.SkipRows).Fit(data);
        Assert.Equal(1, skipped.Model.History.SkippedRows);
        Assert.Empty(skipped.Model.MissingValueIndicatorSlots);

        var o = new MlpBinaryTrainer.Options();
        Assert.Equal(MissingValueHandling.Impute, o.MissingValues);
        o.SkipNonFiniteRows = true;
        Assert.Equal(MissingValueHandling.SkipRows, o.MissingValues);
        o.SkipNonFiniteRows = false;
        Assert.Equal(MissingValueHandling.Impute, o.MissingValues);
        o.MissingValues = MissingValueHandling.Error;
        o.SkipNonFiniteRows = false;
        Assert.Equal(MissingValueHandling.Error, o.MissingValues);
        Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(ml, o => o.MissingValues = (MissingValueHandling)7));
    }

    [Fact]
    public void Infinity_IsAnErrorNamingRowAndSlot_InTrainingAndScoring()
    {
        var ml = new MLContext(1);
        var rows = Rows(50, 5);
        rows[23].Features[1] = float.PositiveInfinity;
        var ex = Assert.Throws<InvalidOperationException>(() => Trainer(ml).Fit(ml.Data.LoadFromEnumerable(rows)));
        Assert.Contains("Row 23", ex.Message);
        Assert.Contains("slot 1", ex.Message);

        var model = Trainer(ml).Fit(ml.Data.LoadFromEnumerable(Rows(50, 5)));
        var test = Rows(5, 6);
        test[3].Features[2] = float.NegativeInfinity;
        var scoring = Assert.Throws<InvalidOperationException>(() =>
            ml.Data.CreateEnumerable<Scored>(model.Transform(ml.Data.LoadFromEnumerable(test)), reuseRowObject: false).ToArray());
        Assert.Contains("Row 3", scoring.Message);
        Assert.Contains("slot 2", scoring.Message);
    }

    [Fact]
    public void Statistics_ComeFromTheTrainingRowsOnly_NeverTheValidationRows()
    {
        var ml = new MLContext(1);
        var train = Rows(200, 7, withNaN: false);
        // Validation rows on another scale, with NaN where the training rows have none.
        var validation = Rows(100, 8).Select(r => new Row { Label = r.Label, Features = r.Features.Select(v => v * 1000f + 5f).ToArray() }).ToArray();
        var model = Trainer(ml).Fit(ml.Data.LoadFromEnumerable(train), ml.Data.LoadFromEnumerable(validation));
        var alone = InputPreprocessingOf(train);
        Assert.Equal(alone.Shift, model.Model.FeatureMeans);
        Assert.Equal(alone.Scale, model.Model.FeatureScales);
        Assert.Equal(alone.Fill, model.Model.FeatureFillValues);
        Assert.Empty(model.Model.MissingValueIndicatorSlots);

        // With a validation fraction: exactly the statistics of the rows kept for training (the trainer's seeded split),
        // not of all rows.
        var all = Rows(200, 9);
        var split = Trainer(ml, o => o.ValidationFraction = 0.5f).Fit(ml.Data.LoadFromEnumerable(all));
        var (trainRows, validationRows) = MlNetExtensions.Trainers.Training.ValidationSplit.Rows(all.Length, 0.5f, seed: 1);
        Assert.Equal(100, validationRows.Length);
        var kept = InputPreprocessingOf(trainRows.Select(i => all[i]).ToArray());
        Assert.Equal(kept.Shift, split.Model.FeatureMeans);
        Assert.Equal(kept.Scale, split.Model.FeatureScales);
        Assert.Equal(kept.Fill, split.Model.FeatureFillValues);
        Assert.NotEqual(InputPreprocessingOf(all).Shift, split.Model.FeatureMeans);
    }

    private static MlNetExtensions.Trainers.Training.InputPreprocessing InputPreprocessingOf(Row[] rows)
    {
        var x = rows.SelectMany(r => r.Features).ToArray();
        return MlNetExtensions.Trainers.Training.InputPreprocessing.Fit(
            new MlNetExtensions.Trainers.Training.DenseDataset(x, 4, new float[rows.Length], 1, null, rows.Length), normalize: true);
    }

    [Fact]
    public void RowsWithNaN_ScoreBitIdenticallyAfterReloadInANewProcess()
    {
        var ml = new MLContext(3);
        var dir = Directory.CreateTempSubdirectory("mlnetext-nan-");
        try
        {
            // Train and test files with NaN written as TextLoader reads them by default ("NaN"; an empty field would be 0).
            string Write(string name, Row[] rows)
            {
                var path = Path.Combine(dir.FullName, name);
                File.WriteAllLines(path, rows.Select(r => (r.Label ? "1" : "0") + "," +
                    string.Join(",", r.Features.Select(v => float.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture)))));
                return path;
            }
            var testRows = Rows(60, 11);
            testRows[0].Features[1] = float.NaN; // a slot without NaN in training
            var trainPath = Write("train.csv", Rows(300, 10));
            var testPath = Write("test.csv", testRows);
            IDataView Load(string path) => ml.Data.LoadFromTextFile(path, new[]
            {
                new TextLoader.Column("Label", DataKind.Boolean, 0), new TextLoader.Column("Features", DataKind.Single, 1, 4),
            }, separatorChar: ',');
            var train = Load(trainPath);
            var model = Trainer(ml).Fit(train);
            Assert.Equal(new[] { 0 }, model.Model.MissingValueIndicatorSlots); // the loader read "NaN" as NaN
            var path = Path.Combine(dir.FullName, "model.zip");
            ml.Model.SaveAtomic(model, train.Schema, path);
            var expected = ScoredOutput.Lines(model.Transform(Load(testPath)), new[] { "Score", "Probability" }).ToArray();
            Assert.DoesNotContain(expected, l => l.Contains("NaN"));
            var (code, output, error) = ProcessRunner.LoadCheck(path, testPath, "Boolean", "Score,Probability");
            Assert.True(code == 0, error);
            Assert.Equal(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray());
        }
        finally { dir.Delete(recursive: true); }
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("multiclass")]
    [InlineData("regression")]
    public void ModelsOfTheFirstFormat_StillLoad_AndPredictTheSameBits(string kind)
    {
        // Written by commit 5a497b9 (payload revision 1: z-scoring only); expected outputs recorded then.
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "v1-expected.json")))!["models"]![kind]!;
        var ml = new MLContext(0);
        ml.ComponentCatalog.RegisterMlNetExtensions();
        var model = ml.Model.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", (string)expected["file"]!), out _);
        var labelKind = Enum.Parse<DataKind>((string)expected["labelKind"]!);
        var scored = model.Transform(TestData.Load(ml, (string)expected["testFile"]!, labelKind));
        var rows = expected["rows"]!.AsArray();
        using var cursor = scored.GetRowCursor(scored.Schema);
        var score = scored.Schema["Score"];
        int i = 0;
        while (i < rows.Count && cursor.MoveNext())
        {
            var want = rows[i]!;
            if (score.Type is VectorDataViewType)
            {
                var v = default(VBuffer<float>);
                cursor.GetGetter<VBuffer<float>>(score)(ref v);
                Assert.Equal(want["Score"]!.AsArray().Select(n => (int)n!["bits"]!), v.DenseValues().Select(BitConverter.SingleToInt32Bits));
            }
            else
            {
                float s = 0;
                cursor.GetGetter<float>(score)(ref s);
                Assert.Equal((int)want["Score"]!["bits"]!, BitConverter.SingleToInt32Bits(s));
                if (want["Probability"] is { } p)
                {
                    float prob = 0;
                    cursor.GetGetter<float>(scored.Schema["Probability"])(ref prob);
                    Assert.Equal((int)p["bits"]!, BitConverter.SingleToInt32Bits(prob));
                }
            }
            i++;
        }
        Assert.Equal(rows.Count, i);
    }

    /// <summary>A model of payload revision 2 (input preprocessing without log slots, written before revision 3) still
    /// loads and gives the bits recorded when it was written.</summary>
    [Fact]
    public void ModelsOfRevision2_StillLoad_AndPredictTheSameBits()
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "v2-expected.json")))!["models"]!["binary"]!;
        var ml = new MLContext(0);
        ml.ComponentCatalog.RegisterMlNetExtensions();
        var model = ml.Model.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", (string)expected["file"]!), out _);
        var scored = model.Transform(TestData.Load(ml, (string)expected["testFile"]!, DataKind.Boolean));
        var rows = expected["rows"]!.AsArray();
        var score = scored.GetColumn<float>("Score").Take(rows.Count).ToArray();
        var probability = scored.GetColumn<float>("Probability").Take(rows.Count).ToArray();
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal((int)rows[i]!["Score"]!["bits"]!, BitConverter.SingleToInt32Bits(score[i]));
            Assert.Equal((int)rows[i]!["Probability"]!["bits"]!, BitConverter.SingleToInt32Bits(probability[i]));
        }
    }
}
