using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// <c>multioutput</c>: K separate single-output Mlp regressions against one K-output Mlp (the same default options and
/// seed), Fit seconds side by side and each output's test R², on two real multi-target tasks: penguins (bill depth, flipper
/// length and body mass from species, island, sex and bill length; 274 training rows) and satellite (the centre pixel's four
/// spectral bands from its eight neighbours' 32 values; 5,148 training rows, automatic early stopping on a hold-out).
/// </summary>
internal sealed class MultiOutputBenchmark : IBenchmark
{
    /// <inheritdoc/>
    public string Name => "multioutput";

    /// <inheritdoc/>
    public string Description => "K separate Mlp regressions vs one K-output MlpMultiOutput: Fit seconds and test R² [--repeat N]";

    /// <summary>One task: featurized training and test data, the K target columns and their concatenation "Targets".</summary>
    private sealed record Workload(string Name, IDataView Train, IDataView Test, string[] Targets);

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        int repeat = 3;
        int at = Array.IndexOf(args, "--repeat");
        if (at >= 0 && at + 1 < args.Length) repeat = int.Parse(args[at + 1], CultureInfo.InvariantCulture);
        Console.WriteLine($"machine: {BenchData.Machine()}");
        Console.WriteLine($"Fit seconds: the median of {repeat} runs (each after an untimed warm-up Fit); R² on the test rows.");
        var ml = new MLContext(seed: 0);
        foreach (var w in new[] { Penguins(ml), Satellite(ml) })
        {
            ml.Regression.Trainers.MlpMultiOutput(new MlpMultiOutputRegressionTrainer.Options { LabelColumnName = "Targets", NumberOfEpochs = 2, Seed = 1 }).Fit(w.Train);
            ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { LabelColumnName = w.Targets[0], NumberOfEpochs = 2, Seed = 1 }).Fit(w.Train);
            var separateSeconds = new List<double>();
            var jointSeconds = new List<double>();
            double[] separateR2 = new double[w.Targets.Length], jointR2 = Array.Empty<double>();
            string separateEpochs = "", jointEpochs = "";
            for (int run = 0; run < repeat; run++)
            {
                var clock = Stopwatch.StartNew();
                var singles = w.Targets
                    .Select(t => ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { LabelColumnName = t, Seed = 1 }).Fit(w.Train))
                    .ToArray();
                separateSeconds.Add(clock.Elapsed.TotalSeconds);
                clock.Restart();
                var joint = ml.Regression.Trainers.MlpMultiOutput(new MlpMultiOutputRegressionTrainer.Options { LabelColumnName = "Targets", Seed = 1 }).Fit(w.Train);
                jointSeconds.Add(clock.Elapsed.TotalSeconds);
                for (int k = 0; k < w.Targets.Length; k++) separateR2[k] = ml.Regression.Evaluate(singles[k].Transform(w.Test), w.Targets[k]).RSquared;
                jointR2 = ml.Regression.EvaluateMultiOutput(joint.Transform(w.Test), "Targets").PerOutput.Select(m => m.RSquared).ToArray();
                separateEpochs = string.Join(" + ", singles.Select(s => s.Model.History.Epochs.Count));
                jointEpochs = joint.Model.History.Epochs.Count.ToString(CultureInfo.InvariantCulture);
            }
            double separate = Median(separateSeconds), together = Median(jointSeconds);
            Console.WriteLine();
            Console.WriteLine($"{w.Name}: K = {w.Targets.Length}, {w.Train.GetRowCount()} training rows");
            Console.WriteLine($"  Fit: {w.Targets.Length} separate models {separate:F2} s, one {w.Targets.Length}-output model {together:F2} s ({together / separate:P0} of the time); epochs {separateEpochs} vs {jointEpochs}");
            for (int k = 0; k < w.Targets.Length; k++)
                Console.WriteLine($"  {w.Targets[k],-14} R² separate {separateR2[k]:F4}  joint {jointR2[k]:F4}  ({jointR2[k] - separateR2[k]:+0.0000;-0.0000})");
        }
        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string TabularPath(string file) => Path.Combine(BenchData.DataDirectory(), "tabular", file);

    private static Workload Penguins(MLContext ml)
    {
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Separators = [','], HasHeader = true, AllowQuoting = true, MissingRealsAsNaNs = true,
            Columns =
            [
                new TextLoader.Column("Species", DataKind.String, 0), new TextLoader.Column("Island", DataKind.String, 1),
                new TextLoader.Column("BillLength", DataKind.Single, 2), new TextLoader.Column("BillDepth", DataKind.Single, 3),
                new TextLoader.Column("FlipperLength", DataKind.Single, 4), new TextLoader.Column("BodyMass", DataKind.Single, 5),
                new TextLoader.Column("Sex", DataKind.String, 6),
            ],
        });
        string[] targets = ["BillDepth", "FlipperLength", "BodyMass"];
        IDataView Load(string part) => ml.Data.FilterRowsByMissingValues(loader.Load(TabularPath($"penguins_{part}.csv")), ["BillLength", .. targets]);
        var train = Load("train");
        var featurizer = ml.Transforms.Categorical.OneHotEncoding([new("SpeciesCode", "Species"), new("IslandCode", "Island"), new("SexCode", "Sex")])
            .Append(ml.Transforms.Concatenate("Features", "BillLength", "SpeciesCode", "IslandCode", "SexCode"))
            .Append(ml.Transforms.Concatenate("Targets", targets))
            .Fit(train);
        return new Workload("penguins", Cache(ml, featurizer.Transform(train)), Cache(ml, featurizer.Transform(Load("test"))), targets);
    }

    private static Workload Satellite(MLContext ml)
    {
        // x_1 .. x_36: a 3 × 3 pixel neighbourhood, 4 spectral bands per pixel; the centre pixel is x_17 .. x_20.
        string[] targets = ["x_17", "x_18", "x_19", "x_20"];
        var columns = new List<TextLoader.Column> { new("Features", DataKind.Single, [new TextLoader.Range(1, 16), new TextLoader.Range(21, 36)]) };
        columns.AddRange(targets.Select((t, i) => new TextLoader.Column(t, DataKind.Single, 17 + i)));
        var loader = ml.Data.CreateTextLoader(columns.ToArray(), separatorChar: ',', hasHeader: true);
        var concatenate = ml.Transforms.Concatenate("Targets", targets);
        var train = loader.Load(TabularPath("satellite_train.csv"));
        var fitted = concatenate.Fit(train);
        return new Workload("satellite", Cache(ml, fitted.Transform(train)), Cache(ml, fitted.Transform(loader.Load(TabularPath("satellite_test.csv")))), targets);
    }

    /// <summary>The data in memory, so that the timings are of training, not of parsing the CSV again.</summary>
    private static IDataView Cache(MLContext ml, IDataView data)
    {
        var cached = ml.Data.Cache(data);
        using (var cursor = cached.GetRowCursor(cached.Schema)) while (cursor.MoveNext()) { }
        return cached;
    }
}
