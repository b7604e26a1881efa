using SkiaSharp;

namespace MlNetExtensions.Samples;

/// <summary>
/// The typefaces the sample pictures use. SkiaSharp's Linux build without dependencies has no fontconfig: it scans
/// /usr/share/fonts and falls back to an empty typeface when it finds nothing, which draws no text at all. A sans-serif
/// face is asked for by name (DejaVu Sans, Liberation Sans, then any), and <see cref="CanDrawText"/> says whether the
/// face found has glyphs; without one, text is drawn with <see cref="StrokeFont"/>, so captions and labels never go missing.
/// </summary>
public static class SampleFonts
{
    private static readonly string[] Families = { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica" };

    /// <summary>The regular face.</summary>
    public static SKTypeface Regular { get; } = Pick(SKFontStyle.Normal);

    /// <summary>The bold face (the regular one where no bold is installed).</summary>
    public static SKTypeface Bold { get; } = Pick(SKFontStyle.Bold);

    /// <summary>True when the regular face has glyphs, i.e. SkiaSharp will actually draw text.</summary>
    public static bool CanDrawText => Regular.GlyphCount > 0;

    /// <summary>
    /// Whether text is drawn with <see cref="StrokeFont"/> instead of the typeface: when no font was found, or when the
    /// environment variable SAMPLES_STROKE_FONT is 1 (to see what a machine without fonts shows).
    /// </summary>
    public static bool UseStrokeFont { get; set; } = !CanDrawText || Environment.GetEnvironmentVariable("SAMPLES_STROKE_FONT") == "1";

    /// <summary>A line for the console when no font was found (empty when one was).</summary>
    public static string MissingFontNote => CanDrawText
        ? ""
        : "No font was found under /usr/share/fonts: the pictures' text is drawn with the samples' own line lettering (install e.g. fonts-dejavu-core for a real font).";

    /// <summary>Draws <paramref name="text"/> with its baseline at <paramref name="y"/>.</summary>
    public static void Draw(SKCanvas canvas, string text, float x, float y, SKPaint paint)
    {
        if (UseStrokeFont) StrokeFont.Draw(canvas, text, x, y, paint, bold: paint.Typeface == Bold);
        else canvas.DrawText(text, x, y, paint);
    }

    /// <summary>The width of <paramref name="text"/> as <see cref="Draw"/> draws it.</summary>
    public static float Measure(SKPaint paint, string text) => UseStrokeFont ? StrokeFont.Measure(text, paint) : paint.MeasureText(text);

    /// <summary>An anti-aliased fill paint for text.</summary>
    public static SKPaint Text(float size, SKColor color, bool bold = false) =>
        new() { Typeface = bold ? Bold : Regular, TextSize = size, Color = color, IsAntialias = true, SubpixelText = true };

    /// <summary>Splits <paramref name="text"/> at spaces (not those around '=') into lines no wider than <paramref name="width"/> pixels.</summary>
    public static List<string> Wrap(string text, SKPaint paint, float width)
    {
        var lines = new List<string>();
        var line = "";
        // "p = 0.5" stays on one line: the spaces around '=' are not break points.
        foreach (var word in text.Replace(" = ", "\u0001=\u0001").Split(' ').Select(w => w.Replace('\u0001', ' ')))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && Measure(paint, candidate) > width) { lines.Add(line); line = word; }
            else line = candidate;
        }
        if (line.Length > 0) lines.Add(line);
        return lines;
    }

    private static SKTypeface Pick(SKFontStyle style)
    {
        foreach (var family in Families)
        {
            var face = SKTypeface.FromFamilyName(family, style);
            if (face is not null && face.GlyphCount > 0 && string.Equals(face.FamilyName, family, StringComparison.OrdinalIgnoreCase)) return face;
        }
        return SKTypeface.FromFamilyName(null, style) ?? SKTypeface.Default;
    }
}
