using System.Globalization;

namespace MlNetExtensions.Trainers;

/// <summary>
/// How long to train when <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/> is left at null (the default). With at least
/// <see cref="HoldOutMinRows"/> training rows and no validation data, <see cref="HoldOutFraction"/> of them are held out
/// and training early-stops on them (at most <see cref="MaxEpochs"/> epochs, the best epoch's weights kept). Smaller data
/// is trained on every row for about U(n) = max(floor, <see cref="TargetUpdates"/>·(n / <see cref="HoldOutMinRows"/>)^<see cref="UpdatesPower"/>)
/// parameter updates, as whole epochs within [<see cref="MinEpochs"/>, <see cref="MaxFixedEpochs"/>]. The floor is
/// <see cref="MinUpdates"/> (400), or <see cref="NarrowMinUpdates"/> (800) when the data are narrow: at most
/// <see cref="NarrowInputsPerRow"/> (0.1) network inputs per training row that vary over the rows (<see cref="Training.VaryingFeatures"/>). So 1,000 updates at 1,000 rows
/// and 507 at 404 for wide data, 400 from 295 rows down; narrow data get 800 below ≈ 740 rows. In batches of 32 that is
/// about 32·(1000/n)^¼ epochs above the floor (32 at 1,000, 40 at 400), and more below it. The values were chosen on the
/// tabular benchmark (benchmarks/README.md, "Choosing the defaults" and "Session 10"): a fixed 1,000 updates at every size
/// overfit the small sets and made their Fit the slowest against LightGbm's; without the floor of 400, 5-fold iris (96
/// training rows a fold) lost 2 points; the narrow floor lifts the small sets with few inputs per row (glass, cpus, boston2,
/// diabetes: +1 to +5) where more updates cost the wide ones (sonar, soybean, pd_speech: up to −1).
/// </summary>
internal static class AutomaticEpochs
{
    /// <summary>
    /// A checkpoint's options entry for the epoch count the rule gave (when <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>
    /// is null): a checkpoint written under another rule (an earlier version) is refused instead of resuming on another
    /// schedule.
    /// </summary>
    internal const string CheckpointKey = "AutomaticEpochs";

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

    /// <summary>Fewest updates aimed at without a hold-out when the data are narrow (<see cref="NarrowInputsPerRow"/>).</summary>
    public static int NarrowMinUpdates { get; private set; } = 800;

    /// <summary>
    /// At most this many varying network inputs per training row (d/n) counts as narrow data, which gets the floor of
    /// <see cref="NarrowMinUpdates"/> instead of <see cref="MinUpdates"/>.
    /// </summary>
    public static double NarrowInputsPerRow { get; private set; } = 0.1;

    /// <summary>Fewest epochs without a hold-out.</summary>
    public static int MinEpochs { get; private set; } = 30;

    /// <summary>Most epochs without a hold-out.</summary>
    public static int MaxFixedEpochs { get; private set; } = 200;

    /// <summary>
    /// Epochs for <paramref name="rows"/> training rows of <paramref name="inputs"/> varying network inputs in batches of
    /// <paramref name="batchSize"/> without a hold-out.
    /// </summary>
    public static int FixedEpochs(int rows, int inputs, int batchSize)
    {
        int batches = (rows + Math.Min(batchSize, rows) - 1) / Math.Max(1, Math.Min(batchSize, rows));
        return (int)Math.Clamp((Updates(rows, inputs) + (long)batches - 1) / Math.Max(1, batches), MinEpochs, MaxFixedEpochs);
    }

    /// <summary>
    /// The updates aimed at for <paramref name="rows"/> training rows of <paramref name="inputs"/> varying network inputs without a
    /// hold-out (at least 1): U(n) above a floor of <see cref="MinUpdates"/>, or of <see cref="NarrowMinUpdates"/> when
    /// d/n ≤ <see cref="NarrowInputsPerRow"/>.
    /// </summary>
    public static long Updates(int rows, int inputs)
    {
        double share = Math.Min(1.0, Math.Max(1, rows) / (double)Math.Max(1, HoldOutMinRows));
        bool narrow = inputs <= NarrowInputsPerRow * Math.Max(1, rows);
        return Math.Max(Math.Max(1L, narrow ? NarrowMinUpdates : MinUpdates), (long)Math.Round(TargetUpdates * Math.Pow(share, UpdatesPower)));
    }

    /// <summary>
    /// Overrides the values above for the benchmark's ablations (<c>benchmarks/tabular-ablation/ablate.py</c> passes them
    /// as <c>MLNETEXT_AUTO</c>, which only the benchmark program reads): <c>"fraction=0.15;updates=2000"</c>, names
    /// <c>holdoutrows</c>, <c>fraction</c>, <c>maxepochs</c>, <c>updates</c>, <c>power</c>, <c>minupdates</c>,
    /// <c>narrowminupdates</c>, <c>narrowratio</c>, <c>minepochs</c>, <c>maxfixed</c>, and those of <see cref="AutomaticL2.Configure"/>; null or
    /// empty restores the defaults. Not for production use: it changes every Fit in the process.
    /// </summary>
    /// <exception cref="ArgumentException">A part is not name=value, names no knob, or its value does not parse.</exception>
    internal static void Configure(string? knobs)
    {
        HoldOutMinRows = 1000; HoldOutFraction = 0.2f; MaxEpochs = 200; TargetUpdates = 1000; MinEpochs = 30; MaxFixedEpochs = 200; UpdatesPower = 0.75; MinUpdates = 400; NarrowMinUpdates = 800; NarrowInputsPerRow = 0.1;
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
                case "narrowminupdates": NarrowMinUpdates = Parse<int>(kv); break;
                case "narrowratio": NarrowInputsPerRow = Parse<double>(kv); break;
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
