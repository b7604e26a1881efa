using System.Text.Json;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// scikit-learn 1.2.1's default <c>MLPClassifier</c>/<c>MLPRegressor</c> and <c>HistGradientBoosting</c> figures on the same files,
/// read from <c>data/tabular/sklearn-anchors.jsonl</c> (one JSON object per line: <c>data</c>, <c>model</c>, <c>accuracy</c> / <c>auc</c> / <c>r2</c>).
/// </summary>
internal sealed class SklearnAnchors
{
    /// <summary>One set's anchors, metrics ×100 (binary: AUC, with accuracy beside it).</summary>
    /// <param name="Mlp">Default MLP.</param>
    /// <param name="MlpAccuracy">Binary: the MLP's accuracy.</param>
    /// <param name="MlpScaledTarget">Regression: the MLP on a standardized target.</param>
    /// <param name="Hgb">Default HistGradientBoosting.</param>
    /// <param name="HgbAccuracy">Binary: HistGradientBoosting's accuracy.</param>
    public sealed record Entry(double? Mlp, double? MlpAccuracy, double? MlpScaledTarget, double? Hgb, double? HgbAccuracy);

    private readonly Dictionary<string, Entry> _entries;

    private SklearnAnchors(Dictionary<string, Entry> entries) => _entries = entries;

    /// <summary>Reads the anchors file; an absent file gives no anchors.</summary>
    public static SklearnAnchors Load(string path)
    {
        var raw = new Dictionary<string, Dictionary<string, (double? Score, double? Accuracy)>>();
        if (File.Exists(path))
        {
            foreach (string line in File.ReadLines(path).Where(l => l.Trim().Length > 0))
            {
                using var doc = JsonDocument.Parse(line);
                var o = doc.RootElement;
                string data = o.GetProperty("data").GetString()!;
                string model = o.GetProperty("model").GetString()!;
                double? Get(string p) => o.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() * 100 : null;
                double? score = o.GetProperty("task").GetString() switch
                {
                    "binary" => Get("auc"),
                    "regression" => Get("r2"),
                    _ => Get("accuracy"),
                };
                if (!raw.TryGetValue(data, out var models))
                {
                    raw[data] = models = new();
                }

                models[model] = (score, o.GetProperty("task").GetString() == "binary" ? Get("accuracy") : null);
            }
        }

        return new SklearnAnchors(raw.ToDictionary(kv => kv.Key, kv =>
        {
            var m = kv.Value;
            (double? S, double? A) Of(string model) => m.TryGetValue(model, out var v) ? v : (null, null);
            return new Entry(Of("MLP").S, Of("MLP").A, Of("MLP(y scaled)").S, Of("HGB").S, Of("HGB").A);
        }));
    }

    /// <summary>The anchors of set <paramref name="name"/>, or null.</summary>
    public Entry? For(string name) => _entries.TryGetValue(name, out var e) ? e : null;
}
