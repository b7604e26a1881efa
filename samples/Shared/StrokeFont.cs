using System.Globalization;
using SkiaSharp;

namespace MlNetExtensions.Samples;

/// <summary>
/// A plotter-style lettering drawn with lines, for machines without any font file (SkiaSharp's Linux build then draws
/// no text at all). Each glyph is a few polylines on a 4 × 6 grid (cap height 6, baseline at 6, y downwards); lower-case
/// letters are the capitals at x-height (small capitals). Plain, but every caption and axis label stays readable.
/// </summary>
public static class StrokeFont
{
    private const float Advance = 5.2f, SpaceAdvance = 3.6f, CapUnits = 6f;

    /// <summary>Polylines per character: points "x,y" separated by spaces, polylines by ';'.</summary>
    private static readonly Dictionary<char, string> Glyphs = new()
    {
        ['A'] = "0,6 2,0 4,6; 0.7,4 3.3,4",
        ['B'] = "0,6 0,0 3,0 4,1 4,2 3,3 0,3; 3,3 4,4 4,5 3,6 0,6",
        ['C'] = "4,1 3,0 1,0 0,1 0,5 1,6 3,6 4,5",
        ['D'] = "0,0 0,6 3,6 4,5 4,1 3,0 0,0",
        ['E'] = "4,0 0,0 0,6 4,6; 0,3 3,3",
        ['F'] = "4,0 0,0 0,6; 0,3 3,3",
        ['G'] = "4,1 3,0 1,0 0,1 0,5 1,6 3,6 4,5 4,3.5 2,3.5",
        ['H'] = "0,0 0,6; 4,0 4,6; 0,3 4,3",
        ['I'] = "1,0 3,0; 2,0 2,6; 1,6 3,6",
        ['J'] = "4,0 4,5 3,6 1,6 0,5",
        ['K'] = "0,0 0,6; 4,0 0,4; 1.4,3 4,6",
        ['L'] = "0,0 0,6 4,6",
        ['M'] = "0,6 0,0 2,3.5 4,0 4,6",
        ['N'] = "0,6 0,0 4,6 4,0",
        ['O'] = "1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,1 1,0",
        ['P'] = "0,6 0,0 3,0 4,1 4,2 3,3 0,3",
        ['Q'] = "1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,1 1,0; 2.5,4.5 4,6.3",
        ['R'] = "0,6 0,0 3,0 4,1 4,2 3,3 0,3; 2,3 4,6",
        ['S'] = "4,1 3,0 1,0 0,1 0,2 1,3 3,3 4,4 4,5 3,6 1,6 0,5",
        ['T'] = "0,0 4,0; 2,0 2,6",
        ['U'] = "0,0 0,5 1,6 3,6 4,5 4,0",
        ['V'] = "0,0 2,6 4,0",
        ['W'] = "0,0 1,6 2,3 3,6 4,0",
        ['X'] = "0,0 4,6; 4,0 0,6",
        ['Y'] = "0,0 2,3 4,0; 2,3 2,6",
        ['Z'] = "0,0 4,0 0,6 4,6",
        ['0'] = "1,0 3,0 4,1 4,5 3,6 1,6 0,5 0,1 1,0; 3.6,1 0.4,5",
        ['1'] = "1,1 2,0 2,6; 1,6 3,6",
        ['2'] = "0,1 1,0 3,0 4,1 4,2 0,6 4,6",
        ['3'] = "0,1 1,0 3,0 4,1 4,2 3,3 1.5,3; 3,3 4,4 4,5 3,6 1,6 0,5",
        ['4'] = "3,6 3,0 0,4 4,4",
        ['5'] = "4,0 0,0 0,3 3,3 4,4 4,5 3,6 1,6 0,5",
        ['6'] = "3.5,0 1,0 0,1 0,5 1,6 3,6 4,5 4,4 3,3 0,3",
        ['7'] = "0,0 4,0 1.5,6",
        ['8'] = "1,0 3,0 4,1 4,2 3,3 1,3 0,4 0,5 1,6 3,6 4,5 4,4 3,3; 1,3 0,2 0,1 1,0",
        ['9'] = "4,3 1,3 0,2 0,1 1,0 3,0 4,1 4,5 3,6 0.5,6",
        ['.'] = "2,5.8 2,6",
        [','] = "2,5.6 1.4,7",
        [':'] = "2,2 2,2.2; 2,5.8 2,6",
        [';'] = "2,2 2,2.2; 2,5.6 1.4,7",
        ['!'] = "2,0 2,4.2; 2,5.8 2,6",
        ['?'] = "0,1 1,0 3,0 4,1 4,2 2,3.5 2,4.2; 2,5.8 2,6",
        ['\''] = "2,0 2,1.6",
        ['"'] = "1.2,0 1.2,1.6; 2.8,0 2.8,1.6",
        ['`'] = "1.5,0 2.5,1",
        ['-'] = "1,3.5 3,3.5",
        ['–'] = "0,3.5 4,3.5",
        ['—'] = "-0.5,3.5 4.5,3.5",
        ['_'] = "0,7 4,7",
        ['+'] = "0,3.5 4,3.5; 2,1.5 2,5.5",
        ['±'] = "0,2.5 4,2.5; 2,0.5 2,4.5; 0,6 4,6",
        ['='] = "0,2.5 4,2.5; 0,4.5 4,4.5",
        ['×'] = "0.6,1.9 3.4,4.7; 3.4,1.9 0.6,4.7",
        ['*'] = "2,1 2,5; 0.4,2 3.6,4; 3.6,2 0.4,4",
        ['/'] = "4,-0.3 0,6.3",
        ['\\'] = "0,-0.3 4,6.3",
        ['|'] = "2,-0.5 2,6.8",
        ['('] = "3,-0.5 1.5,1.5 1.5,4.8 3,6.8",
        [')'] = "1,-0.5 2.5,1.5 2.5,4.8 1,6.8",
        ['['] = "3,-0.5 1.5,-0.5 1.5,6.8 3,6.8",
        [']'] = "1,-0.5 2.5,-0.5 2.5,6.8 1,6.8",
        ['{'] = "3,-0.5 2,0 2,2.5 1,3.2 2,3.9 2,6.3 3,6.8",
        ['}'] = "1,-0.5 2,0 2,2.5 3,3.2 2,3.9 2,6.3 1,6.8",
        ['<'] = "4,1 0,3.5 4,6",
        ['>'] = "0,1 4,3.5 0,6",
        ['≤'] = "4,0.5 0,2.5 4,4.5; 0,6 4,6",
        ['≥'] = "0,0.5 4,2.5 0,4.5; 0,6 4,6",
        ['%'] = "0,0 1.2,0 1.2,1.2 0,1.2 0,0; 2.8,4.8 4,4.8 4,6 2.8,6 2.8,4.8; 4,0 0,6",
        ['°'] = "1,0 2.6,0 2.6,1.6 1,1.6 1,0",
        ['#'] = "1.2,0 1.2,6; 2.8,0 2.8,6; 0,2 4,2; 0,4 4,4",
        ['&'] = "4,6 1,2 1,1 2,0 3,1 3,2 0,4 0,5 1,6 2,6 4,4",
        ['@'] = "3,4 3,2 1.2,2 1.2,4 3,4 4,3.5 4,1 3,0 1,0 0,1 0,5 1,6 4,6",
        ['$'] = "4,1 3,0 1,0 0,1 0,2 1,3 3,3 4,4 4,5 3,6 1,6 0,5; 2,-0.6 2,6.6",
        ['^'] = "1,1.5 2,0 3,1.5",
        ['~'] = "0,3.5 1,3 3,4 4,3.5",
        ['…'] = "0.4,5.8 0.4,6; 2,5.8 2,6; 3.6,5.8 3.6,6",
        ['²'] = "1,0.5 1.5,0 2.5,0 3,0.5 3,1 1,2.6 3,2.6",
        ['σ'] = "4,2 1.5,2 0,3 0,5 1,6 2.5,6 3.5,5 3.5,3 2.5,2",
        ['α'] = "4,2 3,4.5 2,6 1,6 0,5 0,3 1,2 2,2 3,3.5 4,6",
        ['ε'] = "3.6,2.4 3,2 1,2 0,2.8 1,4 0,5.2 1,6 3,6 3.6,5.6; 1,4 2.6,4",
        ['λ'] = "0.5,0 4,6; 2.2,3 0,6",
        ['μ'] = "0,7.5 0,2; 0,5 1,6 3,6 4,5; 4,2 4,6",
        ['·'] = "2,3.4 2,3.6",
        ['→'] = "0,3.5 4,3.5; 2.5,2 4,3.5 2.5,5",
    };

    private static readonly Dictionary<char, SKPoint[][]> Parsed = Glyphs.ToDictionary(g => g.Key, g => Parse(g.Value));

    /// <summary>Whether every character of <paramref name="text"/> has a glyph (letters of either case, digits, the symbols the samples use).</summary>
    public static bool Covers(string text) =>
        text.All(c => c == ' ' || c == '\u00a0' || Parsed.ContainsKey(c) || Parsed.ContainsKey(char.ToUpperInvariant(c)));

    /// <summary>The width of <paramref name="text"/> at the paint's text size, in pixels.</summary>
    public static float Measure(string text, SKPaint paint) =>
        text.Sum(c => c is ' ' or '\u00a0' ? SpaceAdvance : Advance) * Unit(paint);

    /// <summary>Draws <paramref name="text"/> with its baseline at <paramref name="y"/>, in the paint's colour; bold strokes are wider.</summary>
    public static void Draw(SKCanvas canvas, string text, float x, float y, SKPaint paint, bool bold)
    {
        float unit = Unit(paint);
        using var pen = new SKPaint
        {
            Color = paint.Color, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round,
            StrokeWidth = Math.Max(1f, paint.TextSize / (bold ? 7.5f : 11f)),
        };
        foreach (var c in text)
        {
            if (c is ' ' or '\u00a0') { x += SpaceAdvance * unit; continue; }
            bool small = char.IsLower(c) && Parsed.ContainsKey(char.ToUpperInvariant(c)) && !Parsed.ContainsKey(c);
            var strokes = Parsed.TryGetValue(small ? char.ToUpperInvariant(c) : c, out var g) ? g : Box;
            foreach (var line in strokes)
            {
                using var path = new SKPath();
                for (int i = 0; i < line.Length; i++)
                {
                    // Small capitals: the glyph squeezed from cap height (0..6) to x-height (2..6).
                    float gy = small ? 2 + line[i].Y * (CapUnits - 2) / CapUnits : line[i].Y;
                    var p = new SKPoint(x + (line[i].X + 0.4f) * unit, y - (CapUnits - gy) * unit);
                    if (i == 0) path.MoveTo(p); else path.LineTo(p);
                }
                canvas.DrawPath(path, pen);
            }
            x += Advance * unit;
        }
    }

    /// <summary>Pixels per grid unit: the cap height is 0.7 of the text size, as in common sans-serif faces.</summary>
    private static float Unit(SKPaint paint) => paint.TextSize * 0.7f / CapUnits;

    private static readonly SKPoint[][] Box = Parse("0,0 4,0 4,6 0,6 0,0");

    private static SKPoint[][] Parse(string spec) =>
        spec.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(point =>
            {
                var xy = point.Split(',');
                return new SKPoint(float.Parse(xy[0], CultureInfo.InvariantCulture), float.Parse(xy[1], CultureInfo.InvariantCulture));
            }).ToArray())
            .ToArray();
}
