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
    public static int HoldOutMinRows { get; } = Knob("holdoutrows", 1000);

    /// <summary>Fraction of the rows held out for early stopping.</summary>
    public static float HoldOutFraction { get; } = Knob("fraction", 0.2f);

    /// <summary>Most epochs with early stopping.</summary>
    public static int MaxEpochs { get; } = Knob("maxepochs", 200);

    /// <summary>Updates aimed at without a hold-out.</summary>
    public static int TargetUpdates { get; } = Knob("updates", 1000);

    /// <summary>Fewest epochs without a hold-out.</summary>
    public static int MinEpochs { get; } = Knob("minepochs", 30);

    /// <summary>Most epochs without a hold-out.</summary>
    public static int MaxFixedEpochs { get; } = Knob("maxfixed", 200);

    /// <summary>Epochs for <paramref name="rows"/> training rows in batches of <paramref name="batchSize"/> without a hold-out.</summary>
    public static int FixedEpochs(int rows, int batchSize)
    {
        int batches = (rows + Math.Min(batchSize, rows) - 1) / Math.Max(1, Math.Min(batchSize, rows));
        return (int)Math.Clamp((TargetUpdates + (long)batches - 1) / Math.Max(1, batches), MinEpochs, MaxFixedEpochs);
    }

    // Diagnostic switch for the benchmark's ablations: MLNETEXT_AUTO="fraction=0.15;updates=2000" (not for production use).
    private static T Knob<T>(string name, T fallback) where T : IParsable<T>
    {
        var all = Environment.GetEnvironmentVariable("MLNETEXT_AUTO");
        if (string.IsNullOrEmpty(all)) return fallback;
        foreach (var part in all.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length == 2 && kv[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase) && T.TryParse(kv[1].Trim(), CultureInfo.InvariantCulture, out var v))
                return v;
        }
        return fallback;
    }
}
