using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// <c>tabular</c>: the MLP's defaults against ML.NET's LightGbm, FastTree and Sdca in the pipeline an ML.NET user already has
/// (<see cref="TabularSuite"/>), on the 11 real tabular sets of <c>data/tabular/</c> and optionally the extra sets of <c>data/</c>.
/// Prints one markdown row per set (test metric ×100, the gap Mlp mean − max(LightGbm, FastTree), Fit seconds, scikit-learn's
/// figures on the same files) and a summary. For ablations: <c>--mlp Name=Value</c> sets MLP options by reflection,
/// <c>--no-baselines</c> reads the baselines from a cache, <c>--json</c> writes every per-seed result.
/// </summary>
internal sealed class TabularBenchmark : IBenchmark
{
    /// <inheritdoc/>
    public string Name => "tabular";

    /// <inheritdoc/>
    public string Description => "MLP defaults vs LightGbm/FastTree/Sdca on real tabular sets [--sets a,b] [--data-dir DIR] [--extra|--only-extra] [--seeds 1,2,3] [--mlp Name=Value]... [--no-baselines] [--baseline-cache FILE] [--json FILE] [--label TEXT] [--baseline-runs N] [--no-warmup]";

    private const string Usage = """
        usage: tabular [options]
          --sets a,b,c          sets to run (default: the 11 tabular sets); names: {0}
          --data-dir DIR        run the sets of DIR instead (every <name>.schema.json with <name>_train.csv and
                                <name>_test.csv, the format of data/tabular/); their baseline cache defaults to
                                DIR/tabular-baselines.json and the scikit-learn figures to DIR/sklearn-anchors.jsonl
          --extra               also run the extra sets ({1})
          --only-extra          run only the extra sets
          --seeds 1,2,3         MLP seeds (Options.Seed), default 1,2,3
          --mlp Name=Value      set an MLP option by reflection (repeatable); --mlp help lists the names
          --no-baselines        do not train LightGbm/FastTree/Sdca; read them from the baseline cache
          --baseline-cache FILE baseline cache (default: <repo>/benchmarks/tabular-baselines.json); written whenever baselines run
          --json FILE           write every per-set, per-seed result as JSON
          --label TEXT          a name for this configuration (header and JSON)
          --baseline-runs N     fit each baseline N times and keep the fastest Fit (default 1; the scores are deterministic)
          --no-warmup           skip the JIT warm-up fits on a tiny synthetic set
        """;

    private sealed record SetOutcome(TabularSuite.Prepared Data, List<TrainerResult> Mlp, List<TrainerResult> Baselines, string? BaselineNote, double? LoadAverage)
    {
        public TabularSet Set => Data.Set;

        public List<TrainerResult> MlpOk => Mlp.Where(r => !r.Threw).ToList();

        public double? MlpMean => MlpOk.Count > 0 ? MlpOk.Average(r => r.Score!.Value) : null;

        public double? MlpWorst => MlpOk.Count == Mlp.Count && Mlp.Count > 0 ? Mlp.Min(r => r.Score!.Value) : null;

        public double? MlpAccuracyMean => MlpOk.Count > 0 && MlpOk.All(r => r.Accuracy.HasValue) ? MlpOk.Average(r => r.Accuracy!.Value) : null;

        public double? MlpAccuracyWorst => MlpWorst is null ? null : Mlp.MinBy(r => r.Score!.Value)!.Accuracy;

        public double? MlpFitMean => Mlp.All(r => r.FitSeconds.HasValue) && Mlp.Count > 0 ? Mlp.Average(r => r.FitSeconds!.Value) : null;

        public bool MlpThrew => Mlp.Any(r => r.Threw);

        public TrainerResult? Baseline(string name) => Baselines.FirstOrDefault(r => r.Trainer == name);

        /// <summary>Mlp mean − max(LightGbm, FastTree), over the trees that did not throw.</summary>
        public double? Gap
        {
            get
            {
                double?[] trees = [Baseline("LightGbm")?.Score, Baseline("FastTree")?.Score];
                return MlpMean is { } m && trees.Any(t => t.HasValue) ? m - trees.Where(t => t.HasValue).Max() : null;
            }
        }
    }

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        // The ablations' automatic-epoch knobs (ablate.py): read here, by the benchmark, never by the library.
        Trainers.AutomaticEpochs.Configure(Environment.GetEnvironmentVariable("MLNETEXT_AUTO"));
        var overrides = new MlpOptionOverrides();
        List<string>? sets = null;
        bool extra = false, onlyExtra = false, baselines = true, warmUp = true;
        int[] seeds = [1, 2, 3];
        string? cachePath = null;
        string? dataDir = null;
        string? jsonPath = null;
        string label = "defaults";
        int baselineRuns = 1;
        try
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--sets": sets = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(); break;
                    case "--data-dir": dataDir = Path.GetFullPath(Next()); break;
                    case "--extra": extra = true; break;
                    case "--only-extra": onlyExtra = true; break;
                    case "--seeds": seeds = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                    case "--mlp":
                        string setting = Next();
                        if (setting is "help" or "?" or "list")
                        {
                            Console.WriteLine("MLP options settable with --mlp Name=Value:");
                            Console.WriteLine(MlpOptionOverrides.ValidNames());
                            return 0;
                        }

                        overrides.Add(setting);
                        break;
                    case "--no-baselines": baselines = false; break;
                    case "--baseline-cache": cachePath = Path.GetFullPath(Next()); break;
                    case "--json": jsonPath = Path.GetFullPath(Next()); break;
                    case "--label": label = Next(); break;
                    case "--no-warmup": warmUp = false; break;
                    case "--baseline-runs": baselineRuns = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)); break;
                    case "-h" or "--help":
                        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, Usage, string.Join(",", TabularSuite.TabularNames), string.Join(",", AvailableExtras())));
                        return 0;
                    default: throw new ArgumentException($"Unknown option '{args[i]}' (tabular --help lists them).");
                }
            }

            if (seeds.Length == 0)
            {
                throw new ArgumentException("--seeds needs at least one seed.");
            }

            if (dataDir is not null)
            {
                if (extra || onlyExtra)
                {
                    throw new ArgumentException("--data-dir cannot be combined with --extra or --only-extra.");
                }

                sets = (sets ?? TabularSuite.NamesIn(dataDir).ToList()).Distinct().ToList();
                foreach (string s in sets)
                {
                    _ = TabularSuite.Describe(s, dataDir);
                }
            }
            else
            {
                var chosen = onlyExtra ? new List<string>() : sets ?? TabularSuite.TabularNames.ToList();
                if (extra || onlyExtra)
                {
                    chosen.AddRange(AvailableExtras().Where(e => !chosen.Contains(e)));
                }

                sets = chosen.Distinct().ToList();
                foreach (string s in sets)
                {
                    _ = TabularSuite.Describe(s);
                }
            }

            cachePath ??= dataDir is null ? RepoRoot.Resolve(BaselineCache.DefaultPath) : Path.Combine(dataDir, "tabular-baselines.json");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        return Execute(sets, dataDir, seeds, overrides, baselines, cachePath, jsonPath, label, warmUp, baselineRuns);
    }

    /// <summary>Extra sets whose files are present (the text set is optional).</summary>
    private static IEnumerable<string> AvailableExtras() =>
        TabularSuite.ExtraNames.Where(n => File.Exists(TabularSuite.Describe(n).TrainPath));

    private static int Execute(List<string> names, string? dataDir, int[] seeds, MlpOptionOverrides overrides, bool runBaselines, string cachePath, string? jsonPath, string label, bool warmUp, int baselineRuns)
    {
        string root = RepoRoot.Find();
        var anchors = SklearnAnchors.Load(Path.Combine(dataDir ?? Path.Combine(root, "data", "tabular"), "sklearn-anchors.jsonl"));
        var cache = BaselineCache.Load(cachePath);
        var ml = new MLContext(seed: 0);
        var outcomes = new List<SetOutcome>();
        var started = DateTime.UtcNow;
        var sets = names.Select(n => dataDir is null ? TabularSuite.Describe(n) : TabularSuite.Describe(n, dataDir)).ToList();
        double? loadStart = LoadAverage();
        if (warmUp)
        {
            foreach (var task in sets.Select(s => s.Task).Distinct())
            {
                Console.Error.WriteLine($"warm-up ({task})...");
                TabularTrainers.WarmUp(task, overrides);
            }
        }

        foreach (var set in sets)
        {
            double? load = LoadAverage();
            var data = TabularSuite.Prepare(ml, set);
            Console.Error.WriteLine($"{set.Name}: {data.TrainRows} / {data.TestRows} rows, {data.FeatureSlots} feature slots (loaded and featurized in {data.PrepareSeconds:F2} s); load average {F(load)}");
            var baselineResults = new List<TrainerResult>();
            string? note = null;
            string fingerprint = TabularSuite.Fingerprint(set);
            if (runBaselines)
            {
                foreach (string b in TabularTrainers.Baselines)
                {
                    var r = TabularTrainers.Measure(b, null, set.Task, m => TabularTrainers.Baseline(m, set.Task, b), data.Train, data.Test);
                    for (int run = 1; run < baselineRuns && !r.Threw; run++)
                    {
                        var again = TabularTrainers.Measure(b, null, set.Task, m => TabularTrainers.Baseline(m, set.Task, b), data.Train, data.Test);
                        r = r with { FitSeconds = Math.Min(r.FitSeconds!.Value, again.FitSeconds ?? double.MaxValue) };
                    }

                    Console.Error.WriteLine($"  {b}: {(r.Threw ? r.Error : Cell(r))}, Fit {F(r.FitSeconds, "F3")} s");
                    baselineResults.Add(r);
                }

                cache.Put(set.Name, fingerprint, baselineResults, load);
                cache.Save(cachePath);
            }
            else
            {
                var cached = cache.Get(set.Name, fingerprint, out bool stale);
                if (cached is null)
                {
                    note = "no cached baselines";
                    Console.Error.WriteLine($"  no cached baselines for {set.Name} in {cachePath}: run once without --no-baselines");
                }
                else
                {
                    baselineResults.AddRange(cached);
                    if (stale)
                    {
                        note = "stale cache";
                        Console.Error.WriteLine($"  warning: the cached baselines of {set.Name} were measured on different files");
                    }
                }
            }

            var mlp = new List<TrainerResult>();
            foreach (int seed in seeds)
            {
                var r = TabularTrainers.Measure("Mlp", seed, set.Task, m => TabularTrainers.Mlp(m, set.Task, overrides, seed), data.Train, data.Test);
                Console.Error.WriteLine($"  Mlp seed {seed}: {(r.Threw ? r.Error : Cell(r))}, Fit {F(r.FitSeconds, "F3")} s");
                mlp.Add(r);
            }

            outcomes.Add(new SetOutcome(data, mlp, baselineResults, note, load));
        }

        double? loadEnd = LoadAverage();
        string report = Report(outcomes, anchors, seeds, overrides, label, runBaselines, cachePath, (loadStart, loadEnd), DateTime.UtcNow - started, dataDir);

        Console.WriteLine(report);
        if (jsonPath is not null)
        {
            var json = Json(outcomes, anchors, seeds, overrides, label, runBaselines, started);
            json["data_dir"] = dataDir;
            File.WriteAllText(jsonPath, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
            Console.WriteLine($"JSON written to {jsonPath}");
        }

        return 0;
    }

    /// <summary>ML.NET's package version (the informational version of Microsoft.ML.Data, without the commit).</summary>
    internal static string MlNetVersion() =>
        (typeof(MLContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "?").Split('+')[0];

    /// <summary>The 1-minute load average (Linux), to tell disturbed timings; null elsewhere.</summary>
    internal static double? LoadAverage()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static string F(double? v, string format = "F2") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>A score cell: the metric, and for binary sets the accuracy in parentheses.</summary>
    private static string Cell(double? score, double? accuracy) =>
        score is null ? "-" : accuracy is { } a ? $"{F(score)} ({F(a, "F1")})" : F(score);

    private static string Cell(TrainerResult? r) => r is null ? "-" : r.Threw ? "throws" : Cell(r.Score, r.Accuracy);

    private static string Report(List<SetOutcome> outcomes, SklearnAnchors anchors, int[] seeds, MlpOptionOverrides overrides, string label, bool ranBaselines, string cachePath, (double? Start, double? End) load, TimeSpan elapsed, string? dataDir)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"## tabular: {label}");
        sb.AppendLine();
        if (dataDir is not null)
        {
            sb.AppendLine($"Sets of {dataDir} (--data-dir).");
        }

        sb.AppendLine($"MLP options: {(overrides.Given.Count == 0 ? "defaults" : string.Join(" ", overrides.Given))}; seeds {string.Join(",", seeds)}; " +
                      $"baselines {(ranBaselines ? "measured in this run" : $"from {Path.GetRelativePath(Directory.GetCurrentDirectory(), cachePath)}")}.");
        sb.AppendLine($"Machine: {BenchData.Machine()}; AVX-512 {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "accelerated" : "not accelerated")} " +
                      $"(Vector512.IsHardwareAccelerated = {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}); ML.NET {MlNetVersion()}; " +
                      $"load average (1 min) {F(load.Start)} at start, {F(load.End)} at end; run took {elapsed.TotalMinutes:F1} min.");
        sb.AppendLine("Test split, ×100: multiclass micro-accuracy, binary AUC (accuracy), regression R². Gap = Mlp mean − max(LightGbm, FastTree). " +
                      "Fit s: Fit on the cached featurized data (Mlp: mean over seeds; baselines: cached or best of --baseline-runs). sk = scikit-learn 1.2.1 defaults on the same files (regression MLP: raw target / scaled target). " +
                      "load: the 1-minute load average when the set started (2 cores; above ~2 the timings, LightGbm's above all, are disturbed).");
        foreach (var group in new[] { ("Tabular sets", outcomes.Where(o => !o.Set.IsExtra).ToList()), ("Extra sets", outcomes.Where(o => o.Set.IsExtra).ToList()) })
        {
            if (group.Item2.Count == 0)
            {
                continue;
            }

            sb.AppendLine();
            sb.AppendLine($"### {group.Item1}");
            sb.AppendLine();
            sb.AppendLine("| set | task | train rows | features | Mlp mean | Mlp worst | LightGbm | FastTree | Sdca | gap | Mlp Fit s | LightGbm Fit s | Mlp/LightGbm time | sk MLP | sk HGB | load |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var o in group.Item2)
            {
                var sk = anchors.For(o.Set.Name);
                string skMlp = sk is null ? "" : o.Set.Task == TabularTask.Regression && sk.MlpScaledTarget is not null
                    ? $"{F(sk.Mlp)} / {F(sk.MlpScaledTarget)}"
                    : Cell(sk.Mlp, sk.MlpAccuracy);
                string skHgb = sk is null ? "" : Cell(sk.Hgb, sk.HgbAccuracy);
                string mean = o.MlpMean is null ? "throws" : Cell(o.MlpMean, o.MlpAccuracyMean) + (o.MlpThrew ? $" ({o.MlpOk.Count} of {o.Mlp.Count} seeds)" : "");
                string worst = o.MlpThrew ? "throws" : Cell(o.MlpWorst, o.MlpAccuracyWorst);
                double? lgbFit = o.Baseline("LightGbm")?.FitSeconds;
                string ratio = o.MlpFitMean is { } mf && lgbFit is { } lf && lf > 0 ? Ratio(mf / lf) : "-";
                string task = o.Set.Task.ToString().ToLowerInvariant();
                sb.AppendLine($"| {o.Set.Name}{(o.BaselineNote is null ? "" : $" ({o.BaselineNote})")} | {task} | {o.Data.TrainRows} | {o.Data.FeatureSlots} | {mean} | {worst} | " +
                              $"{Cell(o.Baseline("LightGbm"))} | {Cell(o.Baseline("FastTree"))} | {Cell(o.Baseline("Sdca"))} | {F(o.Gap)} | " +
                              $"{F(o.MlpFitMean, "F3")} | {F(lgbFit, "F3")} | {ratio} | {skMlp} | {skHgb} | {F(o.LoadAverage, "F1")} |");
            }

            sb.AppendLine();
            sb.AppendLine(Summary(group.Item1, group.Item2));
            foreach (var o in group.Item2)
            {
                foreach (var same in o.Mlp.Concat(o.Baselines).Where(r => r.Threw).GroupBy(r => (r.Trainer, r.Error)))
                {
                    var withSeeds = same.Where(r => r.Seed.HasValue).Select(r => r.Seed!.Value).ToList();
                    string which = withSeeds.Count == 0 ? "" : $" (seed{(withSeeds.Count > 1 ? "s" : "")} {string.Join(",", withSeeds)})";
                    sb.AppendLine($"- {o.Set.Name}: {same.Key.Trainer}{which} throws {same.Key.Error}");
                }
            }
        }

        return sb.ToString();
    }

    private static string Summary(string title, List<SetOutcome> outcomes)
    {
        var withGap = outcomes.Where(o => o.Gap.HasValue).ToList();
        int throws = outcomes.Count(o => o.MlpThrew);
        if (withGap.Count == 0)
        {
            return $"{title}: no gap computed over {outcomes.Count} set(s); Mlp throws on {throws}.";
        }

        var below = withGap.Where(o => o.Gap < -5).Select(o => o.Set.Name).ToList();
        var worst = withGap.MinBy(o => o.Gap!.Value)!;
        var ratios = outcomes.Where(o => o.MlpFitMean.HasValue && o.Baseline("LightGbm")?.FitSeconds > 0)
            .Select(o => o.MlpFitMean!.Value / o.Baseline("LightGbm")!.FitSeconds!.Value).ToList();
        string timing = ratios.Count > 0 ? $"; Fit time Mlp/LightGbm: median {Ratio(Median(ratios))}, total Mlp {F(outcomes.Sum(o => o.MlpFitMean ?? 0), "F1")} s vs LightGbm {F(outcomes.Sum(o => o.Baseline("LightGbm")?.FitSeconds ?? 0), "F1")} s" : "";
        return $"**{title}: mean gap {F(withGap.Average(o => o.Gap!.Value))} over {withGap.Count} of {outcomes.Count} sets" +
               $"{(withGap.Count < outcomes.Count ? " (sets where the Mlp throws on every seed, or without baselines, left out)" : "")}; " +
               $"below −5: {below.Count}{(below.Count > 0 ? " (" + string.Join(", ", below) + ")" : "")}; worst: {worst.Set.Name} ({F(worst.Gap)}); " +
               $"Mlp throws on {throws} set(s){(throws > 0 ? " (" + string.Join(", ", outcomes.Where(o => o.MlpThrew).Select(o => o.Set.Name)) + ")" : "")}**{timing}.";
    }

    private static string Ratio(double r) => F(r, r < 0.095 ? "F2" : "F1") + "×";

    private static double Median(List<double> values)
    {
        var s = values.OrderBy(v => v).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static JsonObject Json(List<SetOutcome> outcomes, SklearnAnchors anchors, int[] seeds, MlpOptionOverrides overrides, string label, bool ranBaselines, DateTime started)
    {
        JsonNode Result(TrainerResult r) => new JsonObject
        {
            ["trainer"] = r.Trainer,
            ["seed"] = r.Seed,
            ["score"] = r.Score,
            ["accuracy"] = r.Accuracy,
            ["fit_s"] = r.FitSeconds,
            ["error"] = r.Error,
            ["cached"] = r.Cached,
        };
        var sets = new JsonArray();
        foreach (var o in outcomes)
        {
            var sk = anchors.For(o.Set.Name);
            sets.Add(new JsonObject
            {
                ["name"] = o.Set.Name,
                ["task"] = o.Set.Task.ToString().ToLowerInvariant(),
                ["extra"] = o.Set.IsExtra,
                ["rows_train"] = o.Data.TrainRows,
                ["rows_test"] = o.Data.TestRows,
                ["features"] = o.Data.FeatureSlots,
                ["mlp"] = new JsonArray(o.Mlp.Select(Result).ToArray()),
                ["mlp_mean"] = o.MlpMean,
                ["mlp_worst"] = o.MlpWorst,
                ["mlp_fit_s_mean"] = o.MlpFitMean,
                ["mlp_throws"] = o.MlpThrew,
                ["baselines"] = new JsonArray(o.Baselines.Select(Result).ToArray()),
                ["baseline_note"] = o.BaselineNote,
                ["load_average_1min"] = o.LoadAverage,
                ["gap"] = o.Gap,
                ["sklearn"] = sk is null ? null : new JsonObject
                {
                    ["mlp"] = sk.Mlp, ["mlp_accuracy"] = sk.MlpAccuracy, ["mlp_scaled_target"] = sk.MlpScaledTarget,
                    ["hgb"] = sk.Hgb, ["hgb_accuracy"] = sk.HgbAccuracy,
                },
            });
        }

        JsonObject Group(bool extra)
        {
            var g = outcomes.Where(o => o.Set.IsExtra == extra).ToList();
            var gaps = g.Where(o => o.Gap.HasValue).ToList();
            return new JsonObject
            {
                ["sets"] = g.Count,
                ["mean_gap"] = gaps.Count > 0 ? gaps.Average(o => o.Gap!.Value) : null,
                ["sets_with_gap"] = gaps.Count,
                ["below_minus_5"] = gaps.Count(o => o.Gap < -5),
                ["worst_set"] = gaps.Count > 0 ? gaps.MinBy(o => o.Gap!.Value)!.Set.Name : null,
                ["worst_gap"] = gaps.Count > 0 ? gaps.Min(o => o.Gap!.Value) : null,
                ["throws"] = g.Count(o => o.MlpThrew),
            };
        }

        return new JsonObject
        {
            ["label"] = label,
            ["started_utc"] = started.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["machine"] = BenchData.Machine(),
            ["avx512_accelerated"] = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated,
            ["mlnet"] = MlNetVersion(),
            ["mlp_overrides"] = new JsonArray(overrides.Given.Select(g => (JsonNode)JsonValue.Create(g)!).ToArray()),
            ["seeds"] = new JsonArray(seeds.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
            ["baselines_measured"] = ranBaselines,
            ["score_scale"] = "x100: multiclass micro-accuracy, binary AUC (accuracy also x100), regression R2, test split",
            ["sets"] = sets,
            ["summary_tabular"] = Group(false),
            ["summary_extra"] = Group(true),
        };
    }
}
