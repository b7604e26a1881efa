using System.Globalization;

namespace MlNetExtensions.Trainers;

/// <summary>
/// How long to train when <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/> is left at null (the default). With at least
/// <see cref="HoldOutMinRows"/> training rows and no validation data, <see cref="HoldOutFraction"/> of them are held out
/// and training early-stops on them (at most <see cref="MaxEpochs"/> epochs, the best epoch's weights kept). Smaller data
/// is trained on every row for about U(n) = max(<see cref="MinUpdates"/>, <see cref="TargetUpdates"/>·(n / <see cref="HoldOutMinRows"/>)^<see cref="UpdatesPower"/>)
/// parameter updates, as whole epochs within [<see cref="MinEpochs"/>, <see cref="MaxFixedEpochs"/>]: 1,000 updates at
/// 1,000 rows, 507 at 404, 400 from 295 rows down; in batches of 32 that is about 32·(1000/n)^¼ epochs above 295 rows
/// (32 at 1,000, 40 at 400), and more below (50 at 250, 134 at 96). The values were chosen on the tabular benchmark
/// (benchmarks/README.md, "Choosing the defaults"): a fixed 1,000 updates at every size overfit the small sets and made
/// their Fit the slowest against LightGbm's; without the floor of 400, 5-fold iris (96 training rows a fold) lost 2 points.
/// </summary>
internal static class AutomaticEpochs
{
    /// <summary>Fewest training rows for the automatic hold-out.</summary>
    public static int HoldOutMinRows { get; private set; } = 1000;

    /// <summary>Fraction of the rows held out for early stopping.</summary>
    public static float HoldOutFraction { get; private set; } = 0.2f;

    /// <summary>Most epochs with early stopping.</summary>
    public static int MaxEpochs { get; private set; } = 200;

    /// <summary>Updates aimed at without a hold-out, at <see cref="HoldOutMinRows"/> rows.</summary>
    public static int TargetUpdates { get; private set; } = 1000;

    /// <summary>How the updates aimed at fall with fewer rows: U(n) = TargetUpdates·(n / HoldOutMinRows)^UpdatesPower.</summary>
    public static double UpdatesPower { get; private set; } = 0.75;

    /// <summary>Fewest updates aimed at without a hold-out.</summary>
    public static int MinUpdates { get; private set; } = 400;

    /// <summary>Fewest epochs without a hold-out.</summary>
    public static int MinEpochs { get; private set; } = 30;

    /// <summary>Most epochs without a hold-out.</summary>
    public static int MaxFixedEpochs { get; private set; } = 200;

    /// <summary>Epochs for <paramref name="rows"/> training rows in batches of <paramref name="batchSize"/> without a hold-out.</summary>
    public static int FixedEpochs(int rows, int batchSize)
    {
        int batches = (rows + Math.Min(batchSize, rows) - 1) / Math.Max(1, Math.Min(batchSize, rows));
        return (int)Math.Clamp((Updates(rows) + (long)batches - 1) / Math.Max(1, batches), MinEpochs, MaxFixedEpochs);
    }

    /// <summary>The updates aimed at for <paramref name="rows"/> training rows without a hold-out (at least 1).</summary>
    public static long Updates(int rows)
    {
        double share = Math.Min(1.0, Math.Max(1, rows) / (double)Math.Max(1, HoldOutMinRows));
        return Math.Max(Math.Max(1L, MinUpdates), (long)Math.Round(TargetUpdates * Math.Pow(share, UpdatesPower)));
    }

    /// <summary>
    /// Overrides the values above for the benchmark's ablations (<c>benchmarks/tabular-ablation/ablate.py</c> passes them
    /// as <c>MLNETEXT_AUTO</c>, which only the benchmark program reads): <c>"fraction=0.15;updates=2000"</c>, names
    /// <c>holdoutrows</c>, <c>fraction</c>, <c>maxepochs</c>, <c>updates</c>, <c>power</c>, <c>minepochs</c>,
    /// <c>maxfixed</c>, and those of <see cref="AutomaticL2.Configure"/>; null or
    /// empty restores the defaults. Not for production use: it changes every Fit in the process.
    /// </summary>
    /// <exception cref="ArgumentException">A part is not name=value, names no knob, or its value does not parse.</exception>
    internal static void Configure(string? knobs)
    {
        HoldOutMinRows = 1000; HoldOutFraction = 0.2f; MaxEpochs = 200; TargetUpdates = 1000; MinEpochs = 30; MaxFixedEpochs = 200; UpdatesPower = 0.75; MinUpdates = 400;
        AutomaticL2.Configure(null);
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
                case "power": UpdatesPower = Parse<double>(kv); break;
                case "minupdates": MinUpdates = Parse<int>(kv); break;
                case "minepochs": MinEpochs = Parse<int>(kv); break;
                case "maxfixed": MaxFixedEpochs = Parse<int>(kv); break;
                default:
                    if (!AutomaticL2.Configure(kv[0].ToLowerInvariant(), kv[1])) throw new ArgumentException($"Unknown automatic-epoch knob '{kv[0]}'.", nameof(knobs));
                    break;
            }
        }
    }

    private static T Parse<T>(string[] kv) where T : IParsable<T> =>
        T.TryParse(kv[1], CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"Automatic-epoch knob {kv[0]}: '{kv[1]}' does not parse.");
}
