using SkiaSharp;

namespace MlNetExtensions.Samples;

/// <summary>One line of a <see cref="LineChart"/>: x and y values, a legend label, and optional marked points.</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false)
{
    /// <summary>Indices of points drawn as a filled circle with a note (e.g. the kept epoch).</summary>
    public IReadOnlyList<(int Index, string Note)> Marks { get; init; } = Array.Empty<(int, string)>();
}

/// <summary>
/// A small line chart written as a PNG with SkiaSharp 2.88.9. ScottPlot 5 would be the natural choice, but the only
/// ScottPlot restorable here (5.1.59) depends on SkiaSharp 3.119, which replaces the 2.88.x that Microsoft.ML.ImageAnalytics
/// is built against (its MLImage then fails with a MissingMethodException). Drawing with the SkiaSharp already in the
/// dependency graph keeps one SkiaSharp in the process. Text needs a system font; without one the lines are still drawn.
/// </summary>
public static class LineChart
{
    private static readonly SKColor[] Palette =
    {
        new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28), new(0x94, 0x67, 0xbd),
        new(0x8c, 0x56, 0x4b), new(0xe3, 0x77, 0xc2), new(0x7f, 0x7f, 0x7f), new(0xbc, 0xbd, 0x22), new(0x17, 0xbe, 0xcf), new(0x00, 0x00, 0x00), new(0x00, 0x00, 0x80),
    };

    /// <summary>Writes the chart to <paramref name="pngPath"/>. <paramref name="logY"/> plots y on a log10 scale.</summary>
    public static void Write(string pngPath, string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series,
        int width = 900, int height = 560, bool logY = false)
    {
        var points = series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.Second) && (!logY || p.Second > 0)).ToList();
        if (points.Count == 0) throw new ArgumentException("No finite points to plot.", nameof(series));
        Func<double, double> fy = logY ? Math.Log10 : v => v;
        double xMin = points.Min(p => p.First), xMax = points.Max(p => p.First);
        double yMin = points.Min(p => fy(p.Second)), yMax = points.Max(p => fy(p.Second));
        if (xMax <= xMin) xMax = xMin + 1;
        if (yMax <= yMin) yMax = yMin + 1;
        double pad = (yMax - yMin) * 0.05;
        yMin -= pad; yMax += pad;

        const float left = 80, top = 50, bottom = 60;
        float right = series.Count > 0 ? 230 : 30;
        float plotW = width - left - right, plotH = height - top - bottom;
        float Px(double x) => left + (float)((x - xMin) / (xMax - xMin)) * plotW;
        float Py(double y) => top + plotH - (float)((fy(y) - yMin) / (yMax - yMin)) * plotH;

        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, TextSize = 14, IsAntialias = true };
        using var small = new SKPaint { Color = new SKColor(0x40, 0x40, 0x40), TextSize = 12, IsAntialias = true };
        using var grid = new SKPaint { Color = new SKColor(0xe6, 0xe6, 0xe6), StrokeWidth = 1 };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.5f, Style = SKPaintStyle.Stroke };

        // Grid and tick labels.
        foreach (var t in Ticks(xMin, xMax, 8))
        {
            canvas.DrawLine(Px(t), top, Px(t), top + plotH, grid);
            var label = Format(t);
            canvas.DrawText(label, Px(t) - small.MeasureText(label) / 2, top + plotH + 18, small);
        }
        foreach (var t in Ticks(yMin, yMax, 7))
        {
            float y = top + plotH - (float)((t - yMin) / (yMax - yMin)) * plotH;
            canvas.DrawLine(left, y, left + plotW, y, grid);
            var label = logY ? Format(Math.Pow(10, t)) : Format(t);
            canvas.DrawText(label, left - 8 - small.MeasureText(label), y + 4, small);
        }
        canvas.DrawRect(left, top, plotW, plotH, axis);

        // Titles.
        using (var bold = new SKPaint { Color = SKColors.Black, TextSize = 18, IsAntialias = true, FakeBoldText = true })
            canvas.DrawText(title, left + (plotW - bold.MeasureText(title)) / 2, 30, bold);
        canvas.DrawText(xLabel, left + (plotW - text.MeasureText(xLabel)) / 2, height - 18, text);
        canvas.Save();
        canvas.RotateDegrees(-90);
        var yl = logY ? yLabel + " (log scale)" : yLabel;
        canvas.DrawText(yl, -(top + (plotH + text.MeasureText(yl)) / 2), 22, text);
        canvas.Restore();

        // Series, clipped to the plot area.
        canvas.Save();
        canvas.ClipRect(new SKRect(left, top, left + plotW, top + plotH));
        for (int s = 0; s < series.Count; s++)
        {
            var sr = series[s];
            using var pen = new SKPaint
            {
                Color = Palette[s % Palette.Length], StrokeWidth = 2, IsAntialias = true, Style = SKPaintStyle.Stroke,
                PathEffect = sr.Dashed ? SKPathEffect.CreateDash(new[] { 8f, 5f }, 0) : null,
            };
            using var path = new SKPath();
            bool started = false;
            for (int i = 0; i < sr.X.Count; i++)
            {
                if (!double.IsFinite(sr.Y[i]) || (logY && sr.Y[i] <= 0)) { started = false; continue; }
                if (!started) { path.MoveTo(Px(sr.X[i]), Py(sr.Y[i])); started = true; }
                else path.LineTo(Px(sr.X[i]), Py(sr.Y[i]));
            }
            canvas.DrawPath(path, pen);
        }
        canvas.Restore();

        // Marks (after clipping, so their notes may extend beyond the plot edge).
        for (int s = 0; s < series.Count; s++)
        {
            using var fill = new SKPaint { Color = Palette[s % Palette.Length], IsAntialias = true };
            foreach (var (index, note) in series[s].Marks)
            {
                float x = Px(series[s].X[index]), y = Py(series[s].Y[index]);
                canvas.DrawCircle(x, y, 6, fill);
                canvas.DrawCircle(x, y, 6, axis);
                canvas.DrawText(note, x + 8, y - 10, text);
            }
        }

        // Legend.
        float ly = top + 10;
        for (int s = 0; s < series.Count; s++, ly += 22)
        {
            using var pen = new SKPaint
            {
                Color = Palette[s % Palette.Length], StrokeWidth = 3, IsAntialias = true,
                PathEffect = series[s].Dashed ? SKPathEffect.CreateDash(new[] { 8f, 5f }, 0) : null,
            };
            canvas.DrawLine(left + plotW + 15, ly, left + plotW + 45, ly, pen);
            canvas.DrawText(series[s].Label, left + plotW + 52, ly + 5, small);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(pngPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(pngPath);
        data.SaveTo(file);
    }

    private static IEnumerable<double> Ticks(double min, double max, int target)
    {
        double raw = (max - min) / target, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        for (double t = Math.Ceiling(min / step) * step; t <= max + step * 1e-9; t += step) yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
    }

    private static string Format(double v) =>
        v == 0 ? "0" : Math.Abs(v) >= 1000 || Math.Abs(v) < 0.01 ? v.ToString("0.##E+0") : v.ToString("0.###");
}
