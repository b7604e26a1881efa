using System.Globalization;
using SkiaSharp;

namespace MlNetExtensions.Samples;

/// <summary>The shape drawn on a line's points (and beside its legend entry).</summary>
public enum MarkerShape { None, Circle, Square, Triangle, Diamond }

/// <summary>One line of a chart: x and y values, a legend label, and how it is drawn.</summary>
public sealed record ChartSeries(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>The line's colour; by default the palette colour of the series' position in its panel.</summary>
    public SKColor? Color { get; init; }

    /// <summary>Dash pattern (on, off, … in pixels); null for a solid line.</summary>
    public float[]? Dash { get; init; }

    /// <summary>Line width in pixels.</summary>
    public float Width { get; init; } = 2;

    /// <summary>The marker drawn on every <see cref="MarkerEvery"/>-th point from <see cref="MarkerOffset"/>.</summary>
    public MarkerShape Marker { get; init; }

    /// <summary>Draw a marker on one point in this many.</summary>
    public int MarkerEvery { get; init; } = 1;

    /// <summary>Index of the first point with a marker (lines that overlap put theirs on different points).</summary>
    public int MarkerOffset { get; init; }

    /// <summary>White-filled markers instead of filled ones.</summary>
    public bool HollowMarker { get; init; }

    /// <summary>Indices of points drawn as a large filled circle with a note (e.g. the kept epoch).</summary>
    public IReadOnlyList<(int Index, string Note)> Marks { get; init; } = Array.Empty<(int, string)>();
}

/// <summary>One plot of a <see cref="LineChart"/>: its title, axis labels, lines and y scale.</summary>
public sealed record ChartPanel(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series)
{
    /// <summary>Plot y on a log10 scale (ticks at 1, 0.1, 0.01, 0.001…, written as plain decimals).</summary>
    public bool LogY { get; init; }

    /// <summary>A fixed y range (e.g. shared by small multiples); null to fit the data.</summary>
    public (double Min, double Max)? YRange { get; init; }
}

/// <summary>
/// Line charts written as PNGs with SkiaSharp 2.88.9: one plot, or several side by side (small multiples) under one
/// title. ScottPlot 5 would be the natural choice, but the only ScottPlot restorable here (5.1.59) depends on SkiaSharp
/// 3.119, which replaces the 2.88.x that Microsoft.ML.ImageAnalytics is built against (its MLImage then fails with a
/// MissingMethodException). Drawing with the SkiaSharp already in the dependency graph keeps one SkiaSharp in the
/// process. Text needs a system font (<see cref="SampleFonts"/>); without one the lines are still drawn.
/// </summary>
public static class LineChart
{
    /// <summary>Colours that stay apart for common colour-vision deficiencies (Okabe–Ito, then darker extras); no grey, which marks references.</summary>
    public static readonly SKColor[] Palette =
    {
        new(0x00, 0x72, 0xb2), new(0xd5, 0x5e, 0x00), new(0x00, 0x9e, 0x73), new(0xcc, 0x79, 0xa7), new(0x56, 0xb4, 0xe9), new(0xe6, 0x9f, 0x00),
        new(0x00, 0x00, 0x00), new(0x8c, 0x56, 0x4b), new(0x94, 0x67, 0xbd), new(0xa0, 0x1c, 0x1c), new(0x6b, 0x8e, 0x23),
    };

    private const int TitleHeight = 44, NoteLine = 18;

    /// <summary>Labels of a log axis: plain decimals with the digits each needs (1, 0.1, 0.01, 0.001; 0.02, 0.05).</summary>
    public const string LogFormat = "0.############";

    /// <summary>Writes a single-panel chart to <paramref name="pngPath"/>. <paramref name="logY"/> plots y on a log10 scale.</summary>
    public static void Write(string pngPath, string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series,
        int width = 900, int height = 560, bool logY = false) =>
        Write(pngPath, title, new[] { new ChartPanel("", xLabel, yLabel, series) { LogY = logY } }, columns: 1, width, height);

    /// <summary>
    /// Writes <paramref name="panels"/> in rows of <paramref name="columns"/> under one title (and optional note lines),
    /// each panel with its own legend on its right.
    /// </summary>
    public static void Write(string pngPath, string title, IReadOnlyList<ChartPanel> panels, int columns, int width, int height,
        IReadOnlyList<string>? notes = null)
    {
        if (panels.Count == 0) throw new ArgumentException("A chart needs at least one panel.", nameof(panels));
        using var note = SampleFonts.Text(13, new SKColor(0x30, 0x30, 0x30));
        var noteLines = (notes ?? Array.Empty<string>()).SelectMany(n => SampleFonts.Wrap(n, note, width - 40)).ToList();
        int rows = (panels.Count + columns - 1) / columns;
        float top = TitleHeight + noteLines.Count * NoteLine;
        float cellW = (float)width / columns, cellH = (height - top) / rows;

        using var bitmap = new SKBitmap(width, height);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using (var bold = SampleFonts.Text(19, SKColors.Black, bold: true))
            SampleFonts.Draw(canvas, title, (width - SampleFonts.Measure(bold, title)) / 2, 30, bold);
        for (int i = 0; i < noteLines.Count; i++) SampleFonts.Draw(canvas, noteLines[i], 20, TitleHeight + i * NoteLine + 8, note);

        // One legend width for all panels, so that stacked panels share their x positions.
        float legendWidth;
        using (var small = SampleFonts.Text(12, SKColors.Black))
            legendWidth = panels.Max(p => p.Series.Count == 0 ? 20 : p.Series.Max(s => SampleFonts.Measure(small, s.Label)) + 80);
        for (int p = 0; p < panels.Count; p++)
            DrawPanel(canvas, panels[p], legendWidth, new SKRect((p % columns) * cellW, top + (p / columns) * cellH, (p % columns + 1) * cellW, top + (p / columns + 1) * cellH));

        var directory = Path.GetDirectoryName(Path.GetFullPath(pngPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(pngPath);
        data.SaveTo(file);
    }

    private static void DrawPanel(SKCanvas canvas, ChartPanel panel, float legendWidth, SKRect cell)
    {
        var series = panel.Series;
        bool logY = panel.LogY;
        var points = series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.Second) && (!logY || p.Second > 0)).ToList();
        if (points.Count == 0) throw new ArgumentException($"No finite points to plot in panel '{panel.Title}'.", nameof(panel));
        Func<double, double> fy = logY ? Math.Log10 : v => v;
        double xMin = points.Min(p => p.First), xMax = points.Max(p => p.First);
        double yMin, yMax;
        if (panel.YRange is { } range) { yMin = fy(range.Min); yMax = fy(range.Max); }
        else
        {
            yMin = points.Min(p => fy(p.Second)); yMax = points.Max(p => fy(p.Second));
            double pad = (yMax - yMin) * 0.05;
            yMin -= pad; yMax += pad;
        }
        if (xMax <= xMin) xMax = xMin + 1;
        if (yMax <= yMin) yMax = yMin + 1;

        using var text = SampleFonts.Text(14, SKColors.Black);
        using var small = SampleFonts.Text(12, new SKColor(0x30, 0x30, 0x30));
        using var panelTitle = SampleFonts.Text(15, SKColors.Black, bold: true);
        float left = cell.Left + 78, top = cell.Top + (panel.Title.Length > 0 ? 30 : 10), bottom = cell.Bottom - 52;
        float plotW = cell.Right - legendWidth - left, plotH = bottom - top;
        float Px(double x) => left + (float)((x - xMin) / (xMax - xMin)) * plotW;
        float PyT(double t) => top + plotH - (float)((t - yMin) / (yMax - yMin)) * plotH;   // t on the plotted scale
        float Py(double y) => PyT(fy(y));

        using var grid = new SKPaint { Color = new SKColor(0xe0, 0xe0, 0xe0), StrokeWidth = 1 };
        using var minorGrid = new SKPaint { Color = new SKColor(0xf2, 0xf2, 0xf2), StrokeWidth = 1 };
        using var axis = new SKPaint { Color = SKColors.Black, StrokeWidth = 1.5f, Style = SKPaintStyle.Stroke, IsAntialias = true };

        var xTicks = Ticks(xMin, xMax, Math.Max(3, (int)(plotW / 70))).ToList();
        var xFormat = DecimalFormat(xTicks);
        foreach (var t in xTicks)
        {
            canvas.DrawLine(Px(t), top, Px(t), top + plotH, grid);
            var label = t.ToString(xFormat, CultureInfo.InvariantCulture);
            SampleFonts.Draw(canvas, label, Px(t) - SampleFonts.Measure(small, label) / 2, top + plotH + 17, small);
        }
        var (major, minor) = logY ? LogTicks(yMin, yMax) : (Ticks(yMin, yMax, Math.Max(3, (int)(plotH / 55))).ToList(), new List<double>());
        foreach (var t in minor) canvas.DrawLine(left, PyT(t), left + plotW, PyT(t), minorGrid);
        var values = major.Select(t => logY ? Math.Pow(10, t) : t).ToList();
        var yFormat = logY ? LogFormat : DecimalFormat(values);
        for (int i = 0; i < major.Count; i++)
        {
            canvas.DrawLine(left, PyT(major[i]), left + plotW, PyT(major[i]), grid);
            var label = values[i].ToString(yFormat, CultureInfo.InvariantCulture);
            SampleFonts.Draw(canvas, label, left - 7 - SampleFonts.Measure(small, label), PyT(major[i]) + 4, small);
        }
        canvas.DrawRect(left, top, plotW, plotH, axis);

        if (panel.Title.Length > 0) SampleFonts.Draw(canvas, panel.Title, left, top - 10, panelTitle);
        SampleFonts.Draw(canvas, panel.XLabel, left + (plotW - SampleFonts.Measure(text, panel.XLabel)) / 2, cell.Bottom - 14, text);
        canvas.Save();
        canvas.RotateDegrees(-90);
        var yl = logY ? panel.YLabel + " (log scale)" : panel.YLabel;
        SampleFonts.Draw(canvas, yl, -(top + (plotH + SampleFonts.Measure(text, yl)) / 2), cell.Left + 20, text);
        canvas.Restore();

        // Lines and markers, clipped to the plot area.
        canvas.Save();
        canvas.ClipRect(new SKRect(left, top, left + plotW, top + plotH));
        for (int s = 0; s < series.Count; s++)
        {
            var sr = series[s];
            using var pen = Pen(sr, s, sr.Width);
            using var path = new SKPath();
            bool started = false;
            for (int i = 0; i < sr.X.Count; i++)
            {
                if (!double.IsFinite(sr.Y[i]) || (logY && sr.Y[i] <= 0)) { started = false; continue; }
                if (!started) { path.MoveTo(Px(sr.X[i]), Py(sr.Y[i])); started = true; }
                else path.LineTo(Px(sr.X[i]), Py(sr.Y[i]));
            }
            canvas.DrawPath(path, pen);
            if (sr.Marker == MarkerShape.None) continue;
            for (int i = sr.MarkerOffset; i < sr.X.Count; i += Math.Max(1, sr.MarkerEvery))
                if (double.IsFinite(sr.Y[i]) && (!logY || sr.Y[i] > 0)) DrawMarker(canvas, sr, s, Px(sr.X[i]), Py(sr.Y[i]));
        }
        canvas.Restore();

        // Marks (after clipping, so their notes may extend beyond the plot edge).
        for (int s = 0; s < series.Count; s++)
        {
            using var fill = new SKPaint { Color = ColorOf(series[s], s), IsAntialias = true };
            foreach (var (index, note) in series[s].Marks)
            {
                float x = Px(series[s].X[index]), y = Py(series[s].Y[index]);
                canvas.DrawCircle(x, y, 6, fill);
                canvas.DrawCircle(x, y, 6, axis);
                float w = SampleFonts.Measure(text, note);
                float tx = x + 8 + w > left + plotW ? x - 8 - w : x + 8;
                float ty = y - 10 < top + 14 ? y + 22 : y - 10;
                using (var halo = new SKPaint { Color = new SKColor(0xff, 0xff, 0xff, 0xd8) })
                    canvas.DrawRect(tx - 3, ty - 14, w + 6, 19, halo);
                SampleFonts.Draw(canvas, note, tx, ty, text);
            }
        }

        // Legend, right of the plot.
        float lx = left + plotW + 12, ly = top + 10;
        for (int s = 0; s < series.Count; s++, ly += 21)
        {
            using var pen = Pen(series[s], s, Math.Max(2.5f, series[s].Width));
            canvas.DrawLine(lx, ly, lx + 40, ly, pen);
            if (series[s].Marker != MarkerShape.None) DrawMarker(canvas, series[s], s, lx + 20, ly);
            SampleFonts.Draw(canvas, series[s].Label, lx + 48, ly + 4, small);
        }
    }

    private static SKColor ColorOf(ChartSeries series, int index) => series.Color ?? Palette[index % Palette.Length];

    private static SKPaint Pen(ChartSeries series, int index, float width) => new()
    {
        Color = ColorOf(series, index), StrokeWidth = width, IsAntialias = true, Style = SKPaintStyle.Stroke,
        PathEffect = series.Dash is { Length: > 0 } dash ? SKPathEffect.CreateDash(dash, 0) : null,
    };

    private static void DrawMarker(SKCanvas canvas, ChartSeries series, int index, float x, float y)
    {
        const float r = 4.5f;
        using var path = new SKPath();
        switch (series.Marker)
        {
            case MarkerShape.Circle: path.AddCircle(x, y, r); break;
            case MarkerShape.Square: path.AddRect(new SKRect(x - r * 0.85f, y - r * 0.85f, x + r * 0.85f, y + r * 0.85f)); break;
            case MarkerShape.Triangle: path.MoveTo(x, y - r * 1.2f); path.LineTo(x + r * 1.1f, y + r * 0.8f); path.LineTo(x - r * 1.1f, y + r * 0.8f); path.Close(); break;
            case MarkerShape.Diamond: path.MoveTo(x, y - r * 1.25f); path.LineTo(x + r, y); path.LineTo(x, y + r * 1.25f); path.LineTo(x - r, y); path.Close(); break;
            default: return;
        }
        using var fill = new SKPaint { Color = series.HollowMarker ? SKColors.White : ColorOf(series, index), IsAntialias = true };
        using var stroke = new SKPaint { Color = ColorOf(series, index), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1.6f };
        canvas.DrawPath(path, fill);
        canvas.DrawPath(path, stroke);
    }

    /// <summary>Ticks at 1, 2, 2.5 or 5 × 10^k, about <paramref name="target"/> of them across [min, max].</summary>
    public static IEnumerable<double> Ticks(double min, double max, int target)
    {
        double raw = (max - min) / target, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw * (1 - 1e-9));
        for (double t = Math.Ceiling(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) yield return Math.Abs(t) < step * 1e-9 ? 0 : t;
    }

    /// <summary>
    /// Ticks of a log10 axis over [<paramref name="min"/>, <paramref name="max"/>] (exponents): labelled (major) ticks at
    /// every power of ten, or at 1, 2 and 5 × 10^k when fewer than three powers of ten fall inside; light (minor) grid lines at
    /// the other whole multiples. Both lists hold exponents.
    /// </summary>
    public static (List<double> Major, List<double> Minor) LogTicks(double min, double max)
    {
        int decades = (int)Math.Floor(max + 1e-9) - (int)Math.Ceiling(min - 1e-9) + 1;   // powers of ten inside the range
        var majorMultiples = decades < 3 ? new[] { 1, 2, 5 } : new[] { 1 };
        List<double> major = new(), minor = new();
        for (int k = (int)Math.Floor(min); k <= (int)Math.Ceiling(max); k++)
            for (int m = 1; m <= 9; m++)
            {
                double t = k + Math.Log10(m);
                if (t < min - 1e-9 || t > max + 1e-9) continue;
                (majorMultiples.Contains(m) ? major : minor).Add(t);
            }
        return (major, minor);
    }

    /// <summary>
    /// One fixed-point format for a whole axis, with as many decimals as its finest tick needs: 1, 0.1, 0.01, 0.001
    /// (never 1E-3), or 0.90, 0.95, 1.00.
    /// </summary>
    public static string DecimalFormat(IReadOnlyList<double> ticks)
    {
        int decimals = 0;
        foreach (var t in ticks)
        {
            if (t == 0) continue;
            while (decimals < 12 && Math.Abs(Math.Round(t, decimals) - t) > Math.Abs(t) * 1e-6) decimals++;
        }
        return ticks.Any(t => Math.Abs(t) >= 1e4) ? "#,0" + (decimals > 0 ? "." + new string('0', decimals) : "") : "F" + decimals;
    }
}
