using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// The trainers the <c>tabular</c> benchmark compares, all with ML.NET's (or the MLP's) defaults, and how one is measured:
/// <c>Fit</c> on the cached training data under a stopwatch, then the test metric. Each fit gets a fresh
/// <c>MLContext(seed: 0)</c>, so a baseline's result does not depend on which sets ran before it.
/// </summary>
internal static class TabularTrainers
{
    /// <summary>The baseline trainers, in table order.</summary>
    public static readonly string[] Baselines = ["LightGbm", "FastTree", "Sdca"];

    /// <summary>
    /// The baseline <paramref name="name"/> for <paramref name="task"/>: LightGbm; FastTree (multiclass: one-versus-all over FastTree binary);
    /// the task's Sdca (<c>SdcaMaximumEntropy</c> / <c>SdcaLogisticRegression</c> / <c>Sdca</c>) behind <c>ReplaceMissingValues(Mean)</c> and <c>NormalizeMinMax</c>.
    /// </summary>
    public static IEstimator<ITransformer> Baseline(MLContext ml, TabularTask task, string name) => (name, task) switch
    {
        ("LightGbm", TabularTask.Multiclass) => ml.MulticlassClassification.Trainers.LightGbm(),
        ("LightGbm", TabularTask.Binary) => ml.BinaryClassification.Trainers.LightGbm(),
        ("LightGbm", TabularTask.Regression) => ml.Regression.Trainers.LightGbm(),
        ("FastTree", TabularTask.Multiclass) => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree()),
        ("FastTree", TabularTask.Binary) => ml.BinaryClassification.Trainers.FastTree(),
        ("FastTree", TabularTask.Regression) => ml.Regression.Trainers.FastTree(),
        ("Sdca", _) => ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMinMax("Features"))
            .Append(task switch
            {
                TabularTask.Multiclass => (IEstimator<ITransformer>)ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(),
                TabularTask.Binary => ml.BinaryClassification.Trainers.SdcaLogisticRegression(),
                _ => ml.Regression.Trainers.Sdca(),
            }),
        _ => throw new ArgumentException($"Unknown baseline '{name}'."),
    };

    /// <summary>The MLP for <paramref name="task"/>: default options, then <paramref name="overrides"/>, then <c>Seed = seed</c>.</summary>
    public static IEstimator<ITransformer> Mlp(MLContext ml, TabularTask task, MlpOptionOverrides overrides, int seed)
    {
        switch (task)
        {
            case TabularTask.Multiclass:
                var m = new MlpMulticlassTrainer.Options();
                overrides.Apply(m);
                m.Seed = seed;
                return ml.MulticlassClassification.Trainers.Mlp(m);
            case TabularTask.Binary:
                var b = new MlpBinaryTrainer.Options();
                overrides.Apply(b);
                b.Seed = seed;
                return ml.BinaryClassification.Trainers.Mlp(b);
            default:
                var r = new MlpRegressionTrainer.Options();
                overrides.Apply(r);
                r.Seed = seed;
                return ml.Regression.Trainers.Mlp(r);
        }
    }

    /// <summary>
    /// Builds an estimator with <paramref name="create"/>, fits it on <paramref name="train"/> (timed) and scores <paramref name="test"/>;
    /// any exception is caught and recorded as the result's error.
    /// </summary>
    public static TrainerResult Measure(string trainer, int? seed, TabularTask task, Func<MLContext, IEstimator<ITransformer>> create, IDataView train, IDataView test)
    {
        var ml = new MLContext(seed: 0);
        double? fit = null;
        try
        {
            var estimator = create(ml);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var clock = Stopwatch.StartNew();
            var model = estimator.Fit(train);
            fit = clock.Elapsed.TotalSeconds;
            var (score, accuracy) = Evaluate(ml, task, model.Transform(test));
            return new TrainerResult(trainer, seed, score, accuracy, fit, null);
        }
        catch (Exception e)
        {
            return new TrainerResult(trainer, seed, null, null, fit, Describe(e));
        }
    }

    /// <summary>The test metric ×100 (micro-accuracy, AUC, R²) and, for binary, the accuracy ×100.</summary>
    public static (double Score, double? Accuracy) Evaluate(MLContext ml, TabularTask task, IDataView scored)
    {
        switch (task)
        {
            case TabularTask.Multiclass:
                return (100 * ml.MulticlassClassification.Evaluate(scored).MicroAccuracy, null);
            case TabularTask.Binary:
                var b = scored.Schema.GetColumnOrNull("Probability") is null
                    ? ml.BinaryClassification.EvaluateNonCalibrated(scored)
                    : ml.BinaryClassification.Evaluate(scored);
                return (100 * b.AreaUnderRocCurve, 100 * b.Accuracy);
            default:
                return (100 * ml.Regression.Evaluate(scored).RSquared, null);
        }
    }

    /// <summary>
    /// Fits every trainer once on a tiny synthetic set of <paramref name="task"/> (24 rows, 6 finite features), so that JIT compilation and
    /// native-library loading are not charged to the first measured set. Failures are ignored.
    /// </summary>
    public static void WarmUp(TabularTask task, MlpOptionOverrides overrides)
    {
        var ml = new MLContext(seed: 0);
        var rng = new Random(0);
        var rows = Enumerable.Range(0, 24).Select(i => new WarmUpRow
        {
            Class = ((char)('a' + i % 3)).ToString(),
            Flag = i % 2 == 0,
            Value = i % 5,
            Features = Enumerable.Range(0, 6).Select(_ => (float)rng.NextDouble()).ToArray(),
        }).ToArray();
        var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(WarmUpRow));
        schema[nameof(WarmUpRow.Features)].ColumnType = new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, 6);
        IDataView raw = ml.Data.LoadFromEnumerable(rows, schema);
        IEstimator<ITransformer> label = task switch
        {
            TabularTask.Multiclass => ml.Transforms.Conversion.MapValueToKey("Label", nameof(WarmUpRow.Class)),
            TabularTask.Binary => ml.Transforms.CopyColumns("Label", nameof(WarmUpRow.Flag)),
            _ => ml.Transforms.CopyColumns("Label", nameof(WarmUpRow.Value)),
        };
        IDataView data = ml.Data.Cache(label.Fit(raw).Transform(raw));
        foreach (string b in Baselines)
        {
            _ = Measure(b, null, task, m => Baseline(m, task, b), data, data);
        }

        _ = Measure("Mlp", 1, task, m => Mlp(m, task, overrides, 1), data, data);
    }

    /// <summary>A row of the warm-up set.</summary>
    private sealed class WarmUpRow
    {
        public string Class { get; set; } = "";

        public bool Flag { get; set; }

        public float Value { get; set; }

        public float[] Features { get; set; } = [];
    }

    /// <summary>Type and first message line of the innermost informative exception.</summary>
    private static string Describe(Exception e)
    {
        while (e is System.Reflection.TargetInvocationException or AggregateException && e.InnerException is not null)
        {
            e = e.InnerException;
        }

        string first = e.Message.Split('\n', 2)[0].Trim();
        return $"{e.GetType().Name}: {first}";
    }
}
