using System.Globalization;

namespace MlNetExtensions.Trainers;

/// <summary>
/// How long to train when <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/> is left at null (the default). With at least
/// <see cref="HoldOutMinRows"/> training rows and no validation data, <see cref="HoldOutFraction"/> of them are held out
/// and training early-stops on them (at most <see cref="MaxEpochs"/> epochs, the best epoch's weights kept). Smaller data
/// is trained on every row for a number of epochs that gives about <see cref="TargetUpdates"/> parameter updates, within
/// [<see cref="MinEpochs"/>, <see cref="MaxFixedEpochs"/>]. The values were chosen on the tabular benchmark
/// (benchmarks/README.md, "Tabular defaults").
/// </summary>
internal static class AutomaticEpochs
{
    /// <summary>Fewest training rows for the automatic hold-out.</summary>
    public static int HoldOutMinRows { get; private set; } = 1000;

    /// <summary>Fraction of the rows held out for early stopping.</summary>
    public static float HoldOutFraction { get; private set; } = 0.2f;

    /// <summary>Most epochs with early stopping.</summary>
    public static int MaxEpochs { get; private set; } = 200;

    /// <summary>Updates aimed at without a hold-out.</summary>
    public static int TargetUpdates { get; private set; } = 1000;

    /// <summary>Fewest epochs without a hold-out.</summary>
    public static int MinEpochs { get; private set; } = 30;

    /// <summary>Most epochs without a hold-out.</summary>
    public static int MaxFixedEpochs { get; private set; } = 200;

    /// <summary>Epochs for <paramref name="rows"/> training rows in batches of <paramref name="batchSize"/> without a hold-out.</summary>
    public static int FixedEpochs(int rows, int batchSize)
    {
        int batches = (rows + Math.Min(batchSize, rows) - 1) / Math.Max(1, Math.Min(batchSize, rows));
        return (int)Math.Clamp((TargetUpdates + (long)batches - 1) / Math.Max(1, batches), MinEpochs, MaxFixedEpochs);
    }

    /// <summary>
    /// Overrides the values above for the benchmark's ablations (<c>benchmarks/tabular-ablation/ablate.py</c> passes them
    /// as <c>MLNETEXT_AUTO</c>, which only the benchmark program reads): <c>"fraction=0.15;updates=2000"</c>, names
    /// <c>holdoutrows</c>, <c>fraction</c>, <c>maxepochs</c>, <c>updates</c>, <c>minepochs</c>, <c>maxfixed</c>; null or
    /// empty restores the defaults. Not for production use: it changes every Fit in the process.
    /// </summary>
    /// <exception cref="ArgumentException">A part is not name=value, names no knob, or its value does not parse.</exception>
    internal static void Configure(string? knobs)
    {
        HoldOutMinRows = 1000; HoldOutFraction = 0.2f; MaxEpochs = 200; TargetUpdates = 1000; MinEpochs = 30; MaxFixedEpochs = 200;
        if (string.IsNullOrEmpty(knobs)) return;
        foreach (var part in knobs.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2) throw new ArgumentException($"Automatic-epoch knob '{part}' is not name=value.", nameof(knobs));
            switch (kv[0].ToLowerInvariant())
            {
                case "holdoutrows": HoldOutMinRows = Parse<int>(kv); break;
                case "fraction": HoldOutFraction = Parse<float>(kv); break;
                case "maxepochs": MaxEpochs = Parse<int>(kv); break;
                case "updates": TargetUpdates = Parse<int>(kv); break;
                case "minepochs": MinEpochs = Parse<int>(kv); break;
                case "maxfixed": MaxFixedEpochs = Parse<int>(kv); break;
                default: throw new ArgumentException($"Unknown automatic-epoch knob '{kv[0]}'.", nameof(knobs));
            }
        }
    }

    private static T Parse<T>(string[] kv) where T : IParsable<T> =>
        T.TryParse(kv[1], CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"Automatic-epoch knob {kv[0]}: '{kv[1]}' does not parse.");
}
