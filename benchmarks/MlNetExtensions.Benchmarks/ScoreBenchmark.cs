using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// <c>score</c>: the reference MLP (784-128-64-10) scored through ML.NET: <c>PredictionEngine</c> single-row
/// median latency (warm) and <c>model.Transform</c> rows/s over one cursor reading the Score column.
/// </summary>
internal sealed class ScoreBenchmark : IBenchmark
{
    /// <inheritdoc/>
    public string Name => "score";

    /// <inheritdoc/>
    public string Description => "MLP scoring: PredictionEngine single-row latency, model.Transform rows/s [--normalize] [--epochs N] [--json FILE]";

    /// <summary>PredictionEngine input.</summary>
    private sealed class Input
    {
        [VectorType(784)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>PredictionEngine output.</summary>
    private sealed class Output
    {
        public float[] Score { get; set; } = Array.Empty<float>();
    }

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        bool normalize = args.Contains("--normalize");
        int epochs = 5;
        string? json = null;
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--epochs")
            {
                epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--json")
            {
                json = args[i + 1];
            }
        }

        Console.WriteLine($"machine: {BenchData.Machine()}");
        var ml = new MLContext(seed: 0);
        var train = BenchData.Load("mnist10k", "train");
        var test = BenchData.Load("mnist10k", "test");
        var model = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = [128, 64], BatchSize = 128, NumberOfEpochs = epochs, NormalizeFeatures = normalize, Seed = 0,
        }).Fit(train.ToDataView(ml, 10));
        Console.WriteLine($"model: 784-128-64-10, {epochs} epochs, NormalizeFeatures={normalize}");

        // Single row, warm.
        var engine = ml.Model.CreatePredictionEngine<Input, Output>(model, ml.Data.LoadFromEnumerable(Array.Empty<Input>()).Schema);
        var inputs = test.Features.Select(f => new Input { Features = f }).ToArray();
        var output = new Output();
        for (int i = 0; i < 20000; i++)
        {
            engine.Predict(inputs[i % inputs.Length], ref output);
        }

        var medians = new List<double>();
        for (int rep = 0; rep < 5; rep++)
        {
            var lat = new double[inputs.Length * 5];
            for (int i = 0; i < lat.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                engine.Predict(inputs[i % inputs.Length], ref output);
                lat[i] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
            }

            Array.Sort(lat);
            medians.Add(lat[lat.Length / 2]);
        }

        medians.Sort();
        double single = medians[medians.Count / 2];
        long a0 = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            engine.Predict(inputs[i % inputs.Length], ref output);
        }

        long perCall = (GC.GetAllocatedBytesForCurrentThread() - a0) / 1000;
        Console.WriteLine($"PredictionEngine single row: median {single:F2} µs (medians of 5 sets of 10,000: {string.Join(" / ", medians.Select(m => m.ToString("F2", CultureInfo.InvariantCulture)))}), {perCall} B allocated per call");

        // Batch: model.Transform over 40,000 rows (the test set repeated), one cursor reading Score.
        var big = test.Repeat(40000).ToDataView(ml, 10);
        var scored = model.Transform(big);
        var rates = new List<double>();
        for (int rep = 0; rep < 6; rep++)
        {
            var sw = Stopwatch.StartNew();
            long n = 0;
            double sink = 0;
            using (var cursor = scored.GetRowCursor(new[] { scored.Schema["Score"] }))
            {
                var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
                VBuffer<float> s = default;
                while (cursor.MoveNext())
                {
                    getter(ref s);
                    sink += s.GetValues()[0];
                    n++;
                }
            }

            double rate = n / sw.Elapsed.TotalSeconds;
            if (rep > 0)
            {
                rates.Add(rate);
            }

            GC.KeepAlive(sink);
        }

        rates.Sort();
        double batchRate = rates[rates.Count / 2];
        Console.WriteLine($"model.Transform, one cursor over 40,000 rows: median {batchRate:N0} rows/s ({string.Join(" / ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))})");

        // The same through an in-memory view cursor alone (what reading the input costs).
        var swIn = Stopwatch.StartNew();
        using (var cursor = big.GetRowCursor(new[] { big.Schema["Features"] }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(big.Schema["Features"]);
            VBuffer<float> s = default;
            while (cursor.MoveNext())
            {
                getter(ref s);
            }
        }

        double inputRate = 40000 / swIn.Elapsed.TotalSeconds;
        Console.WriteLine($"input view alone (reading Features): {inputRate:N0} rows/s");
        if (json is not null)
        {
            File.WriteAllText(json, new JsonObject
            {
                ["anchor"] = "ours",
                ["workload"] = "score",
                ["normalize"] = normalize,
                ["single_row_us_median"] = Math.Round(single, 2),
                ["single_row_alloc_bytes"] = perCall,
                ["transform_rows_per_s"] = Math.Round(batchRate),
                ["input_rows_per_s"] = Math.Round(inputRate),
                ["machine"] = BenchData.Machine(),
            }.ToJsonString());
        }

        return 0;
    }
}
