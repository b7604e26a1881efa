using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// The LightGbm / FastTree / Sdca results per set (scores and Fit seconds), written whenever the baselines run and read by
/// <c>--no-baselines</c>: ML.NET's trainers are deterministic on fixed data, so ablations of the MLP need not re-train them.
/// Each set's entry carries a fingerprint of its files; a mismatch is reported as stale.
/// </summary>
internal sealed class BaselineCache
{
    /// <summary>Default location, relative to the repository root.</summary>
    public const string DefaultPath = "benchmarks/tabular-baselines.json";

    private readonly JsonObject _root;

    private BaselineCache(JsonObject root) => _root = root;

    /// <summary>Reads the cache at <paramref name="path"/>; a missing file gives an empty cache.</summary>
    public static BaselineCache Load(string path)
    {
        if (!File.Exists(path))
        {
            return new BaselineCache(new JsonObject { ["sets"] = new JsonObject() });
        }

        var root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object.");
        root["sets"] ??= new JsonObject();
        return new BaselineCache(root);
    }

    /// <summary>
    /// The cached baseline results of set <paramref name="name"/> (marked <see cref="TrainerResult.Cached"/>), or null when the set is
    /// absent; <paramref name="stale"/> is true when the files' fingerprint differs from the one cached.
    /// </summary>
    public IReadOnlyList<TrainerResult>? Get(string name, string fingerprint, out bool stale)
    {
        stale = false;
        if (_root["sets"]![name] is not JsonObject set)
        {
            return null;
        }

        stale = (string?)set["fingerprint"] != fingerprint;
        var results = new List<TrainerResult>();
        foreach (var (trainer, node) in (JsonObject)set["trainers"]!)
        {
            var o = (JsonObject)node!;
            results.Add(new TrainerResult(trainer, null, (double?)o["score"], (double?)o["accuracy"], (double?)o["fit_s"], (string?)o["error"], Cached: true));
        }

        return results;
    }

    /// <summary>Stores (replaces) the baseline results of set <paramref name="name"/>, with the load average they were measured at.</summary>
    public void Put(string name, string fingerprint, IEnumerable<TrainerResult> results, double? loadAverage)
    {
        var trainers = new JsonObject();
        foreach (var r in results)
        {
            trainers[r.Trainer] = new JsonObject
            {
                ["score"] = r.Score,
                ["accuracy"] = r.Accuracy,
                ["fit_s"] = r.FitSeconds is { } s ? Math.Round(s, 4) : null,
                ["error"] = r.Error,
            };
        }

        _root["sets"]![name] = new JsonObject
        {
            ["fingerprint"] = fingerprint,
            ["measured"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["load_average_1min"] = loadAverage,
            ["trainers"] = trainers,
        };
    }

    /// <summary>Writes the cache to <paramref name="path"/>, with the machine and ML.NET version of the last writer.</summary>
    public void Save(string path)
    {
        _root["note"] = "Written by the tabular benchmark (benchmarks/README.md): ML.NET default trainers, scores x100 on the test split (multiclass micro-accuracy, binary AUC, regression R2), Fit seconds.";
        _root["machine"] = BenchData.Machine();
        _root["mlnet"] = TabularBenchmark.MlNetVersion();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, _root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
    }
}
