using Microsoft.ML.Data;

namespace MlNetExtensions.Tests.Onnx;

/// <summary>
/// Synthetic rows whose seven slots give every kind of preprocessing: 0 continuous with NaN in training (an indicator),
/// 1 a 0/1 flag, 2 constant, 3 a third zeros (zero-anchored, median above 0), 4 heavy-tailed (the smooth clip matters), 5 two-valued {2, 5},
/// 6 continuous with NaN in training, 7 log-normal (positive, skewed: a log slot; no label depends on it). Labels depend on several
/// slots and on missingness.
/// </summary>
internal static class OnnxTestRows
{
    public const int FeatureCount = 8;

    public sealed class Row
    {
        public bool BinaryLabel { get; set; }
        public string ClassLabel { get; set; } = "";
        public float Value { get; set; }
        [VectorType(FeatureCount)] public float[] Features { get; set; } = new float[FeatureCount];
    }

    /// <summary><paramref name="n"/> training rows; <paramref name="withNaN"/> puts NaN in slots 0 and 6.</summary>
    public static Row[] Training(int n, int seed, bool withNaN)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Make(random, withNaN)).ToArray();
    }

    /// <summary>
    /// Scoring rows: fresh rows, then NaN in every slot in turn (slots without NaN in training too), an all-NaN row, values far
    /// outside the training range (±1e20, a flag of 7) and zeros.
    /// </summary>
    public static Row[] Scoring(int seed)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, 40).Select(_ => Make(random, withNaN: false)).ToList();
        for (int j = 0; j < FeatureCount; j++)
            for (int k = 0; k < 2; k++)
            {
                var r = Make(random, withNaN: false);
                r.Features[j] = float.NaN;
                if (k == 1) r.Features[(j + 3) % FeatureCount] = float.NaN;
                rows.Add(r);
            }
        rows.Add(new Row { Features = Enumerable.Repeat(float.NaN, FeatureCount).ToArray() });
        rows.Add(new Row { Features = new[] { 1e20f, 7f, 2f, -1e20f, 1e20f, 3.5f, -1e20f, 1e20f } });
        rows.Add(new Row { Features = new[] { -3e5f, -1f, 0f, 4e4f, -1e9f, 0f, 1e6f, -2f } });
        rows.Add(new Row { Features = new float[FeatureCount] });
        return rows.ToArray();
    }

    private static Row Make(Random random, bool withNaN)
    {
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        float s0 = (float)(50 + 10 * Normal());
        float s1 = random.NextDouble() < 0.4 ? 1f : 0f;
        float s3 = random.NextDouble() < 0.35 ? 0f : (float)(-5 * Math.Log(1 - random.NextDouble()));
        float s4 = (float)Math.Tan(Math.PI * (random.NextDouble() - 0.5)); // Cauchy
        float s5 = random.NextDouble() < 0.5 ? 2f : 5f;
        float s6 = (float)random.NextDouble() * 4 - 2;
        float s7 = (float)Math.Exp(1.5 * Normal());
        bool missing0 = withNaN && random.NextDouble() < 0.15, missing6 = withNaN && random.NextDouble() < 0.1;
        double z = 0.08 * (s0 - 50) + 1.2 * s1 - 0.2 * s3 + 0.5 * Math.Clamp(s4, -3, 3) + 0.4 * (s5 - 3.5) + 0.7 * s6
            + (missing0 ? 1.5 : 0) + 0.3 * Normal();
        var classScores = new[] { z, 0.9 * s6 - s1 + (missing6 ? 1 : 0), 0.1 * (s0 - 50) - 0.3 * s3 + 0.5 };
        int cls = Array.IndexOf(classScores, classScores.Max());
        return new Row
        {
            BinaryLabel = z > 0,
            ClassLabel = new[] { "red", "green", "blue" }[cls],
            Value = (float)(1000 + 40 * z),
            Features = new[] { missing0 ? float.NaN : s0, s1, 2f, s3, s4, s5, missing6 ? float.NaN : s6, s7 },
        };
    }

    /// <summary>The rows' features, row-major [rows × FeatureCount].</summary>
    public static float[] Flatten(IReadOnlyList<Row> rows) => rows.SelectMany(r => r.Features).ToArray();
}
