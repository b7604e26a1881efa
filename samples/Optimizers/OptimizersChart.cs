using MlNetExtensions.Samples;
using SkiaSharp;

namespace Optimizers;

/// <summary>
/// The loss chart of the tour as small multiples: related rules share a panel and a y range, each line has its own colour,
/// dash pattern and marker (markers on different epochs, so lines that coincide, as Momentum and Nesterov or Adam and
/// AdamW nearly do, both stay visible), and each legend entry gives the final loss.
/// </summary>
public static class OptimizersChart
{
    /// <summary>The panels: a title and the tour rows it shows, by <see cref="OptimizerRun.Name"/>.</summary>
    public static IReadOnlyList<(string Title, string[] Runs)> Groups { get; } = new (string, string[])[]
    {
        ("SGD with and without momentum", new[] { "SGD", "Momentum", "Nesterov" }),
        ("Per-weight step sizes", new[] { "AdaGrad", "RMSProp", "RMSProp+Nesterov" }),
        ("Adam and AdamW (decoupled weight decay)", new[] { "Adam", "AdamW" }),
        ("Schedules (grey: the same rule at a constant rate)", new[] { "SGD, linear decay", "SGD, step decay", "Adam, cosine" }),
    };

    /// <summary>Constant-rate references drawn in grey in the schedules panel.</summary>
    private static readonly string[] References = { "SGD", "Adam" };

    /// <summary>Line styles by position in a panel: solid with filled circles, dashed with hollow squares, dotted with triangles.</summary>
    private static readonly (float[]? Dash, MarkerShape Marker, bool Hollow)[] Styles =
    {
        (null, MarkerShape.Circle, false),
        (new[] { 10f, 5f }, MarkerShape.Square, true),
        (new[] { 2f, 4f }, MarkerShape.Triangle, false),
    };

    /// <summary>Markers go on one epoch in this many, each line of a panel starting one epoch later than the previous.</summary>
    public const int MarkerEvery = 3;

    /// <summary>The panels for the training losses of each tour row (epochs 1, 2, …), on one shared log y range.</summary>
    public static IReadOnlyList<ChartPanel> Panels(IReadOnlyDictionary<string, IReadOnlyList<double>> losses)
    {
        double min = losses.Values.SelectMany(v => v).Where(v => v > 0).Min(), max = losses.Values.SelectMany(v => v).Max();
        var range = (min / 1.15, max * 1.15);
        var names = OptimizerRun.Tour.Select(r => r.Name).ToList();
        return Groups.Select(group =>
        {
            var series = group.Runs.Select((name, i) => Line(name, losses[name], i) with { Color = LineChart.Palette[names.IndexOf(name) % LineChart.Palette.Length] }).ToList();
            if (group.Runs.Any(r => r.Contains(',')))
                series.AddRange(References.Select((name, i) => new ChartSeries($"{name} (constant)", Epochs(losses[name]), losses[name])
                {
                    Color = new SKColor(0x99, 0x99, 0x99), Width = 1.5f, Dash = i == 0 ? null : new[] { 6f, 4f },
                }));
            return new ChartPanel(group.Title, "epoch", "training cross-entropy", series) { LogY = true, YRange = range };
        }).ToList();
    }

    /// <summary>Pairs of lines in one panel that lie within 5% of each other at every epoch (named in the chart's note).</summary>
    public static IEnumerable<(string A, string B)> NearlyCoinciding(IReadOnlyDictionary<string, IReadOnlyList<double>> losses) =>
        from g in Groups
        from a in g.Runs
        from b in g.Runs
        where string.CompareOrdinal(a, b) < 0 && losses[a].Zip(losses[b]).All(p => Math.Abs(p.First - p.Second) <= 0.05 * Math.Max(p.First, p.Second))
        select (a, b);

    private static ChartSeries Line(string name, IReadOnlyList<double> loss, int position)
    {
        var (dash, marker, hollow) = Styles[position % Styles.Length];
        return new ChartSeries($"{name}: {loss[^1]:F4}", Epochs(loss), loss)
        {
            Dash = dash, Marker = marker, HollowMarker = hollow, MarkerEvery = MarkerEvery, MarkerOffset = position % MarkerEvery,
        };
    }

    private static IReadOnlyList<double> Epochs(IReadOnlyList<double> loss) => Enumerable.Range(1, loss.Count).Select(e => (double)e).ToList();
}
