using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>
/// The automatic L2 penalty (<see cref="AutomaticL2"/>): the Delta test's noise fraction on data of known noise, the
/// formula by hand, classification's fixed value, an explicit value used as given, and the statistics taken from the
/// training rows only.
/// </summary>
public class AutomaticL2Tests
{
    /// <summary>y = sin(3x₁) + x₂² + noise of variance σ² on n rows in two dimensions: the signal's variance is about 0.62.</summary>
    private static DenseDataset Smooth(int n, double noiseStdDev, int seed, int targets = 1)
    {
        var random = new Random(seed);
        var x = new float[n * 2];
        var y = new float[n * targets];
        for (int r = 0; r < n; r++)
        {
            double a = random.NextDouble() * 2 - 1, b = random.NextDouble() * 2 - 1;
            x[2 * r] = (float)a; x[2 * r + 1] = (float)b;
            for (int t = 0; t < targets; t++)
                y[r * targets + t] = (float)(Math.Sin(3 * a) + b * b + noiseStdDev * Normal(random));
        }
        return new DenseDataset(x, 2, y, targets, null, n);
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void DeltaTest_ReadsTheNoiseShare_OfTargetsWithKnownNoise()
    {
        // No noise: near 0 (the neighbours' f differ only a little at 1,000 rows in two dimensions).
        Assert.InRange(NoiseEstimate.DeltaFraction(Smooth(1000, 0, 1)), 0, 0.03);
        // Noise variance equal to the signal's (σ² ≈ 0.62): half the variance.
        Assert.InRange(NoiseEstimate.DeltaFraction(Smooth(1000, Math.Sqrt(0.62), 2)), 0.42, 0.58);
        // Pure noise (targets unrelated to the inputs): about 1.
        var random = new Random(3);
        var unrelated = Smooth(1000, 0, 4);
        for (int r = 0; r < unrelated.Count; r++) unrelated.Targets[r] = (float)Normal(random);
        Assert.InRange(NoiseEstimate.DeltaFraction(unrelated), 0.85, 1.15);
        // Several targets: the mean of their fractions (here the same targets twice with different noise draws).
        Assert.InRange(NoiseEstimate.DeltaFraction(Smooth(1000, Math.Sqrt(0.62), 2, targets: 2)), 0.42, 0.58);
        // Degenerate data: too few rows, or a constant target.
        Assert.Equal(0, NoiseEstimate.DeltaFraction(Smooth(2, 1, 5)));
        var constant = Smooth(100, 0, 6);
        Array.Fill(constant.Targets, 3f);
        Assert.Equal(0, NoiseEstimate.DeltaFraction(constant));
    }

    [Fact]
    public void DeltaTest_IsTheSame_OnRowsHeldAsListsOfTheirNonZeros_AndComparesAtMostMaxRows()
    {
        // Mostly-zero rows (one-hot-like): dense and list-only copies of the same rows give the same fraction.
        int n = 300, d = 40;
        var random = new Random(7);
        var x = new float[n * d];
        var y = new float[n];
        for (int r = 0; r < n; r++)
        {
            int hot = random.Next(d);
            x[r * d + hot] = 1;
            if (r % 3 == 0) x[r * d + (hot + 1) % d] = 0.5f;
            y[r] = hot + (float)Normal(random);
        }
        var dense = new DenseDataset(x, d, y, 1, null, n);
        var lists = SparseRows.TryBuild(dense)!;
        Assert.NotNull(lists);
        var listOnly = new DenseDataset(lists, (float[])y.Clone(), 1, null);
        Assert.Null(listOnly.DenseFeatures);
        double fromDense = NoiseEstimate.DeltaFraction(dense);
        Assert.Equal(fromDense, NoiseEstimate.DeltaFraction(listOnly));
        Assert.Null(listOnly.DenseFeatures); // it did not build the dense rows of the whole dataset
        // y is the hot slot's index (variance ≈ 133) plus noise of variance 1: the nearest row shares the slot, δ ≈ 1/134.
        Assert.InRange(fromDense, 0.003, 0.02);

        // The rows compared: all up to 1,000 (for up to 400 inputs), fewer for wide inputs so that rows² × inputs ≤ 4·10⁸.
        Assert.Equal(300, NoiseEstimate.RowsCompared(300, 40));
        Assert.Equal(1000, NoiseEstimate.RowsCompared(5000, 400));
        Assert.Equal(714, NoiseEstimate.RowsCompared(5000, 784));
        Assert.Equal(50, NoiseEstimate.RowsCompared(5000, 79095)); // the memory bound (4·10⁶ values) before the work bound (71)
        Assert.Equal(4, NoiseEstimate.RowsCompared(5000, 1_000_000));
        Assert.Equal(3, NoiseEstimate.RowsCompared(5000, int.MaxValue));
        Assert.True((double)NoiseEstimate.RowsCompared(5000, 784) * NoiseEstimate.RowsCompared(5000, 784) * 784 <= NoiseEstimate.MaxWork);

        // Beyond MaxRows the rows compared are evenly spaced: the same fraction as those rows alone.
        var big = Smooth(2500, 0.5, 8);
        int m = NoiseEstimate.MaxRows;
        var picked = Enumerable.Range(0, m).Select(i => (int)((long)i * big.Count / m)).ToArray();
        var subset = new DenseDataset(picked.SelectMany(r => new[] { big.Features[2 * r], big.Features[2 * r + 1] }).ToArray(), 2,
            picked.Select(r => big.Targets[r]).ToArray(), 1, null, m);
        Assert.Equal(NoiseEstimate.DeltaFraction(subset), NoiseEstimate.DeltaFraction(big));
    }

    [Fact]
    public void Penalty_IsTheDocumentedFormula_ForRegression_AndTheBaseForClassification()
    {
        var set = Smooth(400, 0.6, 9);
        double delta = NoiseEstimate.DeltaFraction(set);
        float expected = (float)(0.001f * (1 + 30.0 * 2 / 400 + 3400.0 * (delta / (1 - delta)) / 400));
        Assert.Equal(expected, AutomaticL2.For(set, regression: true, out double reported));
        Assert.Equal(delta, reported);
        Assert.True(expected > 0.005f, $"a noisy small set gets more than the base: {expected}");
        Assert.Equal(0.001f, AutomaticL2.For(set, regression: false, out double none));
        Assert.True(double.IsNaN(none));
        // Targets that alternate along a line, every row's nearest neighbour holding the other value: δ = 2, clamped at
        // 0.99 (a ratio of 99); on 400 rows the penalty then reaches MaxPenalty.
        DenseDataset Alternating(int n)
        {
            var x = new float[n];
            var y = new float[n];
            for (int r = 0; r < n; r++) { x[r] = r; y[r] = r % 2 == 0 ? 1 : -1; }
            return new DenseDataset(x, 1, y, 1, null, n);
        }
        Assert.Equal(AutomaticL2.MaxPenalty, AutomaticL2.For(Alternating(400), true, out double twoRows));
        Assert.Equal(2.0, twoRows, 6);
        // The ratio's clamp alone, with a noise weight of 1 (knob) so that the penalty stays below its cap.
        try
        {
            AutomaticEpochs.Configure("l2noise=1");
            const double clamped = 0.99;
            Assert.Equal((float)(0.001f * (1 + 30.0 * 1 / 1000 + 1.0 * (clamped / (1 - clamped)) / 1000)), AutomaticL2.For(Alternating(1000), true, out double fraction));
            Assert.Equal(2.0, fraction, 6);
        }
        finally { AutomaticEpochs.Configure(null); }
        // Many inputs per row (wide sparse inputs, d/n = 20): capped at MaxPenalty instead of 0.6.
        var wide = new DenseDataset(new float[100 * 2000], 2000, Enumerable.Range(0, 100).Select(i => (float)(i % 7)).ToArray(), 1, null, 100);
        for (int r = 0; r < 100; r++) wide.Features[r * 2000 + (r * 37) % 2000] = 1;
        Assert.Equal(AutomaticL2.MaxPenalty, AutomaticL2.For(wide, true, out _));
        // Many rows of a clean target: back to about the base.
        Assert.InRange(AutomaticL2.For(Smooth(20000, 0.05, 12), true, out _), 0.001f, 0.00105f);
    }

    [Fact]
    public void DeltaTest_IsUnmovedByALargeOffset_OfUnnormalizedColumns()
    {
        // Raw years or prices (NormalizeFeatures off): the same rows shifted by 10⁴ give the same fraction (the columns are
        // centred before the products; without that, float cancellation picks wrong neighbours and reads δ ≈ 1).
        var set = Smooth(800, 0.5, 14);
        double plain = NoiseEstimate.DeltaFraction(set);
        var shifted = new DenseDataset(set.Features.Select(v => v + 10000f).ToArray(), 2, (float[])set.Targets.Clone(), 1, null, set.Count);
        Assert.InRange(NoiseEstimate.DeltaFraction(shifted), plain - 0.02, plain + 0.02);
        Assert.InRange(plain, 0.2, 0.45);
    }

    [Fact]
    public void AWarmStart_KeepsItsReferencesPenalty_AndOldModelsReadTheirs()
    {
        Assert.Equal(0.001f, AutomaticL2.OfReference(new Dictionary<string, string> { [nameof(MlpTrainerOptionsBase.L2Regularization)] = "0.001" }));
        Assert.Equal(0.02f, AutomaticL2.OfReference(new Dictionary<string, string> { [nameof(MlpTrainerOptionsBase.L2Regularization)] = "", [AutomaticL2.OptionsKey] = "0.02" }));
        Assert.Equal(0.005f, AutomaticL2.OfReference(new Dictionary<string, string> { [nameof(MlpTrainerOptionsBase.L2Regularization)] = "0.005" }));
        Assert.Equal(AutomaticL2.Base, AutomaticL2.OfReference(new Dictionary<string, string>()));

        var ml = new MLContext(seed: 1);
        var train = Diabetes(ml, "diabetes_train.csv");
        var options = new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 1 };
        var reference = ml.Regression.Trainers.Mlp(options).Fit(train).Model;
        string referencePenalty = reference.Options[AutomaticL2.OptionsKey];
        // Fine-tuning on a few rows (whose own rule would give another penalty) keeps the reference's.
        var few = ml.Data.TakeRows(Diabetes(ml, "diabetes_test.csv"), 40);
        var ownRule = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 1 }).Fit(few).Model;
        Assert.NotEqual(referencePenalty, ownRule.Options[AutomaticL2.OptionsKey]);
        var tuned = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 1 }).Fit(few, reference).Model;
        Assert.Equal(referencePenalty, tuned.Options[AutomaticL2.OptionsKey]);
    }

    [Fact]
    public void Configure_TakesTheL2Knobs_AndRejectsBadValues()
    {
        try
        {
            AutomaticEpochs.Configure("l2base=0.002;l2width=0;l2noise=0");
            Assert.Equal(0.002f, AutomaticL2.For(Smooth(400, 0.6, 9), true, out _));
            Assert.Contains("does not parse", Assert.Throws<ArgumentException>(() => AutomaticEpochs.Configure("l2noise=-1")).Message);
        }
        finally { AutomaticEpochs.Configure(null); }
        Assert.Equal(30, AutomaticL2.WidthWeight);
        Assert.Equal(3400, AutomaticL2.NoiseWeight);
        Assert.Equal(0.001f, AutomaticL2.Base);
    }

    private static IDataView Diabetes(MLContext ml, string file) => TestData.Load(ml, file, DataKind.Single);

    [Fact]
    public void Regression_RecordsTheAutomaticPenalty_AnExplicitOneIsUsedAsGiven_AndValidationRowsDoNotMoveIt()
    {
        var ml = new MLContext(seed: 1);
        var train = Diabetes(ml, "diabetes_train.csv");
        var options = new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 1 };
        var auto = ml.Regression.Trainers.Mlp(options).Fit(train).Model;
        float recorded = float.Parse(auto.Options[AutomaticL2.OptionsKey], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("", auto.Options[nameof(MlpTrainerOptionsBase.L2Regularization)]);
        Assert.True(recorded > 0.005f, $"diabetes (noisy, 353 rows) gets more than the base: {recorded}");

        // The same penalty given explicitly trains the same network; no automatic entry then.
        var explicitOptions = new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 1, L2Regularization = recorded };
        var given = ml.Regression.Trainers.Mlp(explicitOptions).Fit(train).Model;
        Assert.DoesNotContain(AutomaticL2.OptionsKey, given.Options.Keys);
        Assert.Equal(auto.DenseLayers.SelectMany(l => l.Weights).ToArray(), given.DenseLayers.SelectMany(l => l.Weights).ToArray());

        // Validation rows (here the test file) are not looked at: the same penalty as without them.
        var withValidation = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 1 })
            .Fit(train, Diabetes(ml, "diabetes_test.csv")).Model;
        Assert.Equal(recorded.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            withValidation.Options[AutomaticL2.OptionsKey]);

        // Classification: 0.001.
        var binary = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 1 })
            .Fit(TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean)).Model;
        Assert.Equal("0.001", binary.Options[AutomaticL2.OptionsKey]);

        // A negative penalty is still refused, naming the option.
        var bad = new MlpRegressionTrainer.Options { L2Regularization = -1 };
        Assert.Contains(nameof(MlpTrainerOptionsBase.L2Regularization), Assert.ThrowsAny<ArgumentException>(() => ml.Regression.Trainers.Mlp(bad).Fit(train)).Message);
    }

    [Fact]
    public void WithAValidationFraction_ThePenaltyIsThatOfTheTrainingPartAlone()
    {
        // The trainer's seeded split of diabetes: the penalty of Fit with ValidationFraction 0.3 must be the penalty of a
        // Fit on exactly the rows it kept for training (the Delta test and the width term see those rows, never the
        // held-out ones), to the last bit.
        var ml = new MLContext(seed: 1);
        var all = Diabetes(ml, "diabetes_train.csv");
        var options = new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 4, ValidationFraction = 0.3f };
        var split = ml.Regression.Trainers.Mlp(options).Fit(all).Model;

        var rows = ml.Data.CreateEnumerable<DiabetesRow>(all, reuseRowObject: false).ToArray();
        var (trainRows, _) = ValidationSplit.Rows(rows.Length, 0.3f, seed: 4);
        var schema = SchemaDefinition.Create(typeof(DiabetesRow));
        schema[nameof(DiabetesRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Features.Length);
        var kept = ml.Data.LoadFromEnumerable(trainRows.Select(i => rows[i]), schema);
        var alone = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 4 }).Fit(kept).Model;
        Assert.Equal(alone.Options[AutomaticL2.OptionsKey], split.Options[AutomaticL2.OptionsKey]);
        Assert.Equal(alone.FeatureMeans, split.FeatureMeans);

        // All rows would give another penalty (more rows, another noise estimate): the check above can fail.
        var everything = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 4 }).Fit(all).Model;
        Assert.NotEqual(everything.Options[AutomaticL2.OptionsKey], split.Options[AutomaticL2.OptionsKey]);
    }

    [Fact]
    public void ConstantSlots_DoNotCountAsInputs_OfTheWidthTerm()
    {
        // Diabetes with 30 constant slots appended: they are 0 after the preprocessing, so the Delta test and the width
        // term see the same data, and the penalty is the same to the last bit (counted, d/n would rise from 10/353 to 40/353).
        var ml = new MLContext(seed: 1);
        var rows = ml.Data.CreateEnumerable<DiabetesRow>(Diabetes(ml, "diabetes_train.csv"), reuseRowObject: false).ToArray();
        var padded = rows.Select(r => new DiabetesRow { Label = r.Label, Features = r.Features.Concat(Enumerable.Repeat(7f, 30)).ToArray() }).ToArray();
        IDataView Load(DiabetesRow[] data)
        {
            var schema = SchemaDefinition.Create(typeof(DiabetesRow));
            schema[nameof(DiabetesRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data[0].Features.Length);
            return ml.Data.LoadFromEnumerable(data, schema);
        }
        string PenaltyOf(DiabetesRow[] data) => ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 2 })
            .Fit(Load(data)).Model.Options[AutomaticL2.OptionsKey];
        string plain = PenaltyOf(rows);
        Assert.Equal(plain, PenaltyOf(padded));
        // Had they counted: a larger width term.
        var smooth = Smooth(400, 0.1, 5);
        float counted = AutomaticL2.For(smooth, true, out _, inputs: 40);
        float uncounted = AutomaticL2.For(smooth, true, out _);
        Assert.Equal(uncounted, AutomaticL2.For(smooth, true, out _, inputs: 2));
        Assert.True(counted > uncounted, $"{counted} vs {uncounted}");
    }

    private sealed class DiabetesRow
    {
        public float Label { get; set; }
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
