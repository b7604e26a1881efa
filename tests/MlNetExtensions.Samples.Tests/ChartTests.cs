using MlNetExtensions.Samples;
using Optimizers;

namespace MlNetExtensions.Samples.Tests;

/// <summary>The optimizers chart keeps every line visible, and log axes read as plain decimals.</summary>
public sealed class ChartTests
{
    /// <summary>Made-up curves in which Momentum and Nesterov, and Adam and AdamW, coincide exactly.</summary>
    private static Dictionary<string, IReadOnlyList<double>> Losses()
    {
        var losses = new Dictionary<string, IReadOnlyList<double>>();
        foreach (var (run, i) in OptimizerRun.Tour.Select((r, i) => (r, i)))
        {
            double rate = run.Name is "Nesterov" ? 1 : run.Name is "AdamW" ? 6 : i;   // Nesterov = Momentum's index 1, AdamW = Adam's 6
            losses[run.Name] = Enumerable.Range(1, 25).Select(e => 2.0 / Math.Pow(e, 0.5 + rate / 10)).ToList();
        }
        return losses;
    }

    [Fact]
    public void EveryRunIsInOnePanelAndLinesOfAPanelDifferInDashAndMarkers()
    {
        var losses = Losses();
        var panels = OptimizersChart.Panels(losses);
        Assert.Equal(OptimizerRun.Tour.Select(r => r.Name).OrderBy(n => n), OptimizersChart.Groups.SelectMany(g => g.Runs).OrderBy(n => n));
        Assert.Single(panels.Select(p => p.YRange).Distinct());   // one y range: the panels compare
        foreach (var panel in panels)
        {
            Assert.True(panel.LogY);
            var lines = panel.Series.Where(s => s.Marker != MarkerShape.None).ToList();
            Assert.Equal(lines.Count, lines.Select(s => s.Marker).Distinct().Count());
            Assert.Equal(lines.Count, lines.Select(s => string.Join(",", s.Dash ?? Array.Empty<float>())).Distinct().Count());
            Assert.Equal(lines.Count, lines.Select(s => s.MarkerOffset).Distinct().Count());   // markers on different epochs
            Assert.Equal(lines.Count, lines.Select(s => s.Color).Distinct().Count());
        }
        Assert.Equal(new[] { ("Adam", "AdamW"), ("Momentum", "Nesterov") }, OptimizersChart.NearlyCoinciding(losses).OrderBy(p => p.A));

        var path = Path.Combine(Path.GetTempPath(), $"mlx-chart-{Guid.NewGuid():N}.png");
        try
        {
            LineChart.Write(path, "test", panels, columns: 2, width: 1400, height: 940);
            Assert.True(new FileInfo(path).Length > 10_000);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(0.0005, 2.0, "0.001 0.01 0.1 1")]
    [InlineData(0.015, 2.5, "0.02 0.05 0.1 0.2 0.5 1 2")]
    [InlineData(0.0002, 0.003, "0.0002 0.0005 0.001 0.002")]
    public void LogTicksArePlainDecimals(double min, double max, string expected)
    {
        var (major, _) = LineChart.LogTicks(Math.Log10(min), Math.Log10(max));
        var labels = major.Select(t => Math.Pow(10, t).ToString(LineChart.LogFormat, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, string.Join(" ", labels));
    }

    [Fact]
    public void ALinearAxisUsesOneNumberOfDecimals()
    {
        var ticks = LineChart.Ticks(0.81, 1.0, 4).ToList();
        var format = LineChart.DecimalFormat(ticks);
        Assert.Equal("0.85 0.90 0.95 1.00", string.Join(" ", ticks.Select(t => t.ToString(format, System.Globalization.CultureInfo.InvariantCulture))));
    }
}
