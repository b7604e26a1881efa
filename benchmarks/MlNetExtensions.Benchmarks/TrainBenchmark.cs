using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// <c>train</c>: the MLP trainer through the public ML.NET API on the reference workload (784-128-64-10,
/// ReLU, Adam 1e-3, batch 128, 30 epochs, mnist10k 8,000 / 2,000) with and without feature normalization,
/// the wide network (784-512-512-10), a tabular set (breast cancer, batch 16) and a rows-scaling check.
/// Reports wall time, samples/s, test accuracy, peak RSS, GC allocations per epoch and the epoch times.
/// <c>--report DIR</c> prints the side-by-side table of the JSON files <c>run-all.sh</c> wrote into DIR.
/// </summary>
internal sealed class TrainBenchmark : IBenchmark
{
    /// <inheritdoc/>
    public string Name => "train";

    /// <inheritdoc/>
    public string Description => "MLP training: reference, normalized, wide, tabular, rows scaling [--only ref,raw,wide,tab,scaling] [--runs N] [--threads T] [--json FILE] [--report DIR]";

    private sealed class EpochLog : IProgress<EpochRecord>
    {
        public List<(double Seconds, long Allocated)> Epochs { get; } = new();

        public void Report(EpochRecord value) => Epochs.Add((value.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true)));
    }

    private sealed record Workload(string Key, string Label, string Data, int Classes, int[] Hidden, int Batch, int Epochs, bool Normalize, int Rows);

    private static readonly Workload[] Workloads =
    [
        new("ref", "reference 784-128-64-10, default options", "mnist10k", 10, [128, 64], 128, 30, true, 0),
        new("raw", "reference, NormalizeFeatures=false", "mnist10k", 10, [128, 64], 128, 30, false, 0),
        new("wide", "wide 784-512-512-10, 10 epochs", "mnist10k", 10, [512, 512], 128, 10, false, 0),
        new("tab", "breast cancer 30-128-64-2, batch 16, 100 epochs", "breast_cancer", 2, [128, 64], 16, 100, true, 0),
        new("scaling", "rows scaling, reference net, 10 epochs", "mnist10k", 10, [128, 64], 128, 10, false, 0),
    ];

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        string[] only = ["ref", "raw", "wide", "tab", "scaling"];
        int runs = 1;
        int? threads = null;
        string? json = null;
        string? ab = null;
        for (int i = 0; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--only": only = args[i + 1].Split(','); break;
                case "--runs": runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--json": json = args[i + 1]; break;
                case "--report": return Report(args[i + 1]);
                case "--ab": ab = args[i + 1]; break;
            }
        }

        if (ab is not null)
        {
            return AlternateSwitch(ab, runs, threads);
        }

        Console.WriteLine($"machine: {BenchData.Machine()}");
        var results = new JsonArray();
        foreach (var w in Workloads.Where(w => only.Contains(w.Key)))
        {
            if (w.Key == "scaling")
            {
                results.Add(Scaling(w, threads));
                continue;
            }

            var train = BenchData.Load(w.Data, "train");
            var test = BenchData.Load(w.Data, "test");
            var times = new List<double>();
            JsonObject? last = null;
            for (int r = 0; r < runs; r++)
            {
                last = TrainOnce(w, train, test, threads, out double seconds);
                times.Add(seconds);
            }

            times.Sort();
            last!["train_s_runs"] = new JsonArray(times.Select(t => (JsonNode)JsonValue.Create(Math.Round(t, 3))!).ToArray());
            last["train_s"] = Math.Round(times[times.Count / 2], 3);
            last["samples_per_s"] = Math.Round((double)train.Count * w.Epochs / times[times.Count / 2]);
            Console.WriteLine($"  {w.Key}: median {times[times.Count / 2]:F3} s over {runs} run(s) ({string.Join(" / ", times.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))})");
            results.Add(last);
        }

        if (json is not null)
        {
            File.WriteAllText(json, results.ToJsonString());
        }

        return 0;
    }

    private static MlpMulticlassTrainer Trainer(MLContext ml, Workload w, int? threads, EpochLog log) =>
        ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = w.Hidden,
            Activation = Activation.Relu,
            Optimizer = OptimizerKind.Adam,
            LearningRate = 1e-3f,
            BatchSize = w.Batch,
            NumberOfEpochs = w.Epochs,
            NormalizeFeatures = w.Normalize,
            Seed = 0,
            NumberOfThreads = threads,
            Progress = log,
        });

    private static JsonObject TrainOnce(Workload w, BenchData train, BenchData test, int? threads, out double seconds)
    {
        var ml = new MLContext(seed: 0);
        var trainView = train.ToDataView(ml, w.Classes);
        var testView = test.ToDataView(ml, w.Classes);
        // The benchmark's own garbage (parsing the CSV files) is collected and its memory returned to the system, so that
        // the peak below is the live data plus what Fit adds. A plain full collection keeps the freed memory committed:
        // on a CPU with a large L3 cache (300 MiB on the Xeon of session 4) the GC's first-generation budget grows with it,
        // and the process then held ~65 MB of dead loading buffers when Fit started.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        bool reset = BenchData.TryResetPeakRss();
        double rssBefore = BenchData.RssMb();
        var log = new EpochLog();
        long alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        int gen0 = GC.CollectionCount(0), gen2 = GC.CollectionCount(2);
        var sw = Stopwatch.StartNew();
        var model = Trainer(ml, w, threads, log).Fit(trainView);
        seconds = sw.Elapsed.TotalSeconds;
        long allocTotal = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        double peak = BenchData.PeakRssMb();
        double accuracy = BenchData.Accuracy(model.Transform(testView));

        // Epoch times from the progress callbacks; allocations between consecutive epochs.
        var epochSeconds = new List<double>();
        var epochAlloc = new List<long>();
        for (int e = 1; e < log.Epochs.Count; e++)
        {
            epochSeconds.Add(log.Epochs[e].Seconds - log.Epochs[e - 1].Seconds);
            epochAlloc.Add(log.Epochs[e].Allocated - log.Epochs[e - 1].Allocated);
        }

        var sortedAlloc = epochAlloc.OrderBy(a => a).ToList();
        long medianAlloc = sortedAlloc.Count > 0 ? sortedAlloc[sortedAlloc.Count / 2] : 0;
        int third = Math.Max(1, epochSeconds.Count / 3);
        double firstThird = epochSeconds.Count > 0 ? Median(epochSeconds.Take(third)) : 0;
        double lastThird = epochSeconds.Count > 0 ? Median(epochSeconds.Skip(epochSeconds.Count - third)) : 0;
        int batches = (train.Count + w.Batch - 1) / w.Batch;
        Console.WriteLine($"{w.Label}: {seconds:F3} s, {train.Count * w.Epochs / seconds:N0} samples/s, accuracy {accuracy:F4}, " +
                          $"peak RSS {peak:F0} MB{(reset ? "" : " (process peak)")} (before Fit {rssBefore:F0} MB), " +
                          $"allocated {allocTotal / 1e6:F1} MB in Fit, {medianAlloc / 1024.0:F1} KiB per epoch (median, {(double)medianAlloc / batches:F0} B per batch), " +
                          $"GCs gen0 {GC.CollectionCount(0) - gen0} gen2 {GC.CollectionCount(2) - gen2}, " +
                          $"epoch ms first third {firstThird * 1e3:F1} / last third {lastThird * 1e3:F1}; " +
                          $"Fit outside the loop {(seconds - (log.Epochs.Count > 0 ? log.Epochs[^1].Seconds : 0)) * 1e3:F0} ms, loop start to end of epoch 1 {(log.Epochs.Count > 0 ? log.Epochs[0].Seconds : 0) * 1e3:F0} ms");
        return new JsonObject
        {
            ["anchor"] = "ours",
            ["workload"] = w.Key,
            ["label"] = w.Label,
            ["threads"] = threads ?? Environment.ProcessorCount,
            ["n_train"] = train.Count,
            ["epochs"] = w.Epochs,
            ["train_s"] = Math.Round(seconds, 3),
            ["samples_per_s"] = Math.Round(train.Count * w.Epochs / seconds),
            ["test_acc"] = Math.Round(accuracy, 4),
            ["peak_rss_mb"] = Math.Round(peak, 1),
            ["rss_before_fit_mb"] = Math.Round(rssBefore, 1),
            ["alloc_fit_mb"] = Math.Round(allocTotal / 1e6, 2),
            ["alloc_per_epoch_bytes_median"] = medianAlloc,
            ["epoch_ms_first_third"] = Math.Round(firstThird * 1e3, 2),
            ["epoch_ms_last_third"] = Math.Round(lastThird * 1e3, 2),
            ["epoch_ms"] = new JsonArray(epochSeconds.Select(s => (JsonNode)JsonValue.Create(Math.Round(s * 1e3, 2))!).ToArray()),
            ["machine"] = BenchData.Machine(),
            ["w1_misalignment_bytes"] = MlNetExtensions.Trainers.Kernels.AlignedFloats.Misalignment(model.Model.Network.Parameters[0].Value),
        };
    }

    /// <summary>
    /// <c>--ab SWITCH</c>: the reference workload <c>--runs</c> times in this process with an internal switch alternately on
    /// and off (first run of each discarded: JIT), then percentiles of the epoch times of each side. Both sides see the same
    /// minutes of a drifting machine, so their ratio is meaningful where single runs are not.
    /// </summary>
    private static int AlternateSwitch(string name, int runs, int? threads)
    {
        Action<bool> set = name switch
        {
            "sparse-input" => on => DiagnosticSwitches.SparseInput = on,
            "scatter-wgrad" => on => DiagnosticSwitches.ScatterWeightGradient = on,
            "wide-lists" => on => DiagnosticSwitches.WideLists = on,
            _ => throw new ArgumentException($"Unknown switch '{name}' (known: sparse-input, scatter-wgrad, wide-lists)."),
        };
        var w = Workloads.Single(x => x.Key == "ref");
        var train = BenchData.Load(w.Data, "train");
        var test = BenchData.Load(w.Data, "test");
        var epochs = new[] { new List<double>(), new List<double>() };
        var fits = new[] { new List<double>(), new List<double>() };
        var misaligned = new int[2];
        for (int r = 0; r < 2 * runs + 2; r++)
        {
            bool on = r % 2 == 0;
            set(on);
            var o = TrainOnce(w, train, test, threads, out double seconds);
            misaligned[on ? 0 : 1] += o["w1_misalignment_bytes"]!.GetValue<int>() != 0 ? 1 : 0;
            if (r < 2) continue;
            epochs[on ? 0 : 1].AddRange(o["epoch_ms"]!.AsArray().Select(x => x!.GetValue<double>()));
            fits[on ? 0 : 1].Add(seconds);
        }

        for (int side = 0; side < 2; side++)
        {
            var e = epochs[side].OrderBy(x => x).ToList();
            double P(double q) => e[(int)(q * (e.Count - 1))];
            Console.WriteLine($"{name} {(side == 0 ? "on " : "off")}: epoch ms p10 {P(0.1):F1} p25 {P(0.25):F1} median {P(0.5):F1} p75 {P(0.75):F1}; Fit s median {Median(fits[side]):F3}; first layer's weights not 64-byte aligned in {misaligned[side]} of {runs + 1} runs");
        }

        return 0;
    }

    private static JsonObject Scaling(Workload w, int? threads)
    {
        var all = BenchData.Load(w.Data, "train");
        var test = BenchData.Load(w.Data, "test");
        var rows = new JsonArray();
        foreach (int n in new[] { 2000, 4000, 8000 })
        {
            var train = all.Take(n);
            var o = TrainOnce(w with { Label = $"{n} rows, 10 epochs" }, train, test, threads, out double seconds);
            double perEpoch = Median(o["epoch_ms"]!.AsArray().Select(x => x!.GetValue<double>()));
            Console.WriteLine($"  {n} rows: {perEpoch:F1} ms per epoch (median), {perEpoch / n * 1000:F2} ms per 1,000 rows, peak RSS {o["peak_rss_mb"]} MB");
            rows.Add(new JsonObject
            {
                ["rows"] = n,
                ["epoch_ms_median"] = Math.Round(perEpoch, 2),
                ["train_s"] = Math.Round(seconds, 3),
                ["peak_rss_mb"] = o["peak_rss_mb"]!.GetValue<double>(),
            });
        }

        return new JsonObject { ["anchor"] = "ours", ["workload"] = "scaling", ["rows"] = rows };
    }

    private static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToList();
        return v.Count == 0 ? 0 : v.Count % 2 == 1 ? v[v.Count / 2] : 0.5 * (v[v.Count / 2 - 1] + v[v.Count / 2]);
    }

    /// <summary>Side-by-side table of the JSON files in <paramref name="dir"/> (ours_*.json, sklearn_*.json, torch_*.json).</summary>
    private static int Report(string dir)
    {
        static IEnumerable<JsonObject> Read(string dir, string pattern)
        {
            foreach (string f in Directory.GetFiles(dir, pattern).OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal))
            {
                var node = JsonNode.Parse(File.ReadAllText(f));
                var objects = node is JsonArray a ? a.OfType<JsonObject>() : node is JsonObject o ? new[] { o } : Enumerable.Empty<JsonObject>();
                foreach (var obj in objects)
                {
                    string rss = Path.ChangeExtension(f, ".rss");
                    if (File.Exists(rss) && double.TryParse(File.ReadAllText(rss).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double kb))
                    {
                        obj["peak_rss_mb"] = Math.Round(kb / 1024.0, 1);
                    }

                    yield return obj;
                }
            }
        }

        var rows = new List<(string Name, List<JsonObject> Runs)>
        {
            ("MlNetExtensions Mlp (default options)", Read(dir, "ours_*.json").Where(o => (string?)o["workload"] == "ref").ToList()),
            ("scikit-learn MLPClassifier", Read(dir, "sklearn_*.json").ToList()),
            ("PyTorch (default threads)", Read(dir, "torch_*.json").ToList()),
        };
        double? oursMedian = null;
        Console.WriteLine($"machine: {BenchData.Machine()}");
        Console.WriteLine("| trainer | runs | train s (each) | median s | samples/s | test accuracy | peak RSS MB | ours faster by |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|");
        foreach (var (name, runs) in rows)
        {
            if (runs.Count == 0)
            {
                Console.WriteLine($"| {name} | 0 | not run (package missing) | | | | | |");
                continue;
            }

            var times = runs.Select(o => o["train_s"]!.GetValue<double>()).ToList();
            double median = Median(times);
            oursMedian ??= median;
            double acc = Median(runs.Select(o => o["test_acc"]!.GetValue<double>()));
            var rss = runs.Where(o => o["peak_rss_mb"] is not null).Select(o => o["peak_rss_mb"]!.GetValue<double>()).ToList();
            double sps = Median(runs.Select(o => o["samples_per_s"]!.GetValue<double>()));
            string ratio = ReferenceEquals(runs, rows[0].Runs) ? "1.00×" : $"{median / oursMedian.Value:F2}×";
            Console.WriteLine($"| {name} | {runs.Count} | {string.Join(" / ", times.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))} | {median:F2} | {sps:N0} | {acc:F4} | {(rss.Count > 0 ? Median(rss).ToString("F0", CultureInfo.InvariantCulture) : "-")} | {ratio} |");
        }

        // Rounds are interleaved (ours, scikit-learn, PyTorch, ours, ...): the ratio within a round compares runs made under the same load.
        var ours = rows[0].Runs.Select(o => o["train_s"]!.GetValue<double>()).ToList();
        foreach (var (name, runs) in rows.Skip(1))
        {
            int n = Math.Min(ours.Count, runs.Count);
            if (n == 0)
            {
                continue;
            }

            var perRound = Enumerable.Range(0, n).Select(i => runs[i]["train_s"]!.GetValue<double>() / ours[i]).ToList();
            Console.WriteLine($"{name}: per round {string.Join(" / ", perRound.Select(r => r.ToString("F2", CultureInfo.InvariantCulture) + "×"))}, median {Median(perRound):F2}×");
        }

        foreach (var o in Read(dir, "ours_*.json").Where(o => (string?)o["workload"] is not ("ref" or "scaling" or null)).GroupBy(o => (string)o["workload"]!))
        {
            var t = Median(o.Select(x => x["train_s"]!.GetValue<double>()));
            Console.WriteLine($"ours {o.Key}: median {t:F2} s, accuracy {o.First()["test_acc"]}, peak RSS {o.First()["peak_rss_mb"]} MB, {o.First()["alloc_per_epoch_bytes_median"]} B allocated per epoch");
        }

        return 0;
    }
}
