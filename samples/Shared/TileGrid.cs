using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing.Processors.Quantization;
using SkiaSharp;

namespace MlNetExtensions.Samples;

/// <summary>One cell of a <see cref="TileGrid"/>: a picture, a caption in bold and an optional detail line under it.</summary>
public sealed record GridTile(SKBitmap Image, string Caption, string Detail = "");

/// <summary>Where <see cref="TileGrid.Write"/> put each cell: the picture and the caption band under it, in pixels.</summary>
public sealed record GridLayout(int Width, int Height, IReadOnlyList<SKRectI> Pictures, IReadOnlyList<SKRectI> Captions);

/// <summary>
/// A captioned grid of equally sized pictures, written as a PNG: a title and notes on top, then rows of cells, each a
/// picture with its caption underneath. Every row is full (the tile count must be a multiple of the columns), so a
/// reader never wonders what an empty cell means. With <c>palette</c> the PNG holds 256 colours (Wu quantizer with
/// Floyd–Steinberg dithering, through ImageSharp), which keeps photo grids, noisy ones included, well under 1 MB.
/// </summary>
public static class TileGrid
{
    private const int Margin = 12, Gap = 10, TitleSize = 17, NoteSize = 13, CaptionSize = 13, DetailSize = 12;

    /// <summary>Draws the grid and writes it to <paramref name="pngPath"/>; returns where each cell went.</summary>
    public static GridLayout Write(string pngPath, string title, IReadOnlyList<string> notes, IReadOnlyList<GridTile> tiles,
        int columns, bool palette = true)
    {
        if (tiles.Count == 0) throw new ArgumentException("A grid needs at least one tile.", nameof(tiles));
        if (columns < 1 || tiles.Count % columns != 0)
            throw new ArgumentException($"{tiles.Count} tiles do not fill rows of {columns}: a grid with empty cells is not written.", nameof(columns));
        int tw = tiles.Max(t => t.Image.Width), th = tiles.Max(t => t.Image.Height), rows = tiles.Count / columns;
        int width = 2 * Margin + columns * tw + (columns - 1) * Gap;

        using var titlePaint = SampleFonts.Text(TitleSize, SKColors.Black, bold: true);
        using var notePaint = SampleFonts.Text(NoteSize, new SKColor(0x30, 0x30, 0x30));
        using var captionPaint = SampleFonts.Text(CaptionSize, SKColors.Black, bold: true);
        using var detailPaint = SampleFonts.Text(DetailSize, new SKColor(0x40, 0x40, 0x40));

        var titleLines = Wrap(title, titlePaint, width - 2 * Margin);
        var noteLines = notes.SelectMany(n => Wrap(n, notePaint, width - 2 * Margin)).ToList();
        var details = tiles.Select(t => Wrap(t.Detail, detailPaint, tw)).ToList();
        int detailLines = details.Max(d => d.Count);
        int headerHeight = Margin + titleLines.Count * (TitleSize + 7) + noteLines.Count * (NoteSize + 5) + 6;
        int captionHeight = 6 + (CaptionSize + 4) + detailLines * (DetailSize + 4);
        int cellHeight = th + captionHeight;
        int height = headerHeight + rows * cellHeight + (rows - 1) * Gap + Margin;

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            float y = Margin;
            foreach (var line in titleLines) { y += TitleSize; SampleFonts.Draw(canvas, line, Margin, y, titlePaint); y += 7; }
            foreach (var line in noteLines) { y += NoteSize; SampleFonts.Draw(canvas, line, Margin, y, notePaint); y += 5; }

            var pictures = new List<SKRectI>();
            var captions = new List<SKRectI>();
            using var frame = new SKPaint { Color = new SKColor(0xb0, 0xb0, 0xb0), Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
            for (int i = 0; i < tiles.Count; i++)
            {
                int x = Margin + (i % columns) * (tw + Gap), top = headerHeight + (i / columns) * (cellHeight + Gap);
                var image = tiles[i].Image;
                int ox = x + (tw - image.Width) / 2, oy = top + (th - image.Height) / 2;
                canvas.DrawBitmap(image, ox, oy);
                canvas.DrawRect(ox - 0.5f, oy - 0.5f, image.Width, image.Height, frame);
                pictures.Add(new SKRectI(ox, oy, ox + image.Width, oy + image.Height));

                float cy = top + th + 6 + CaptionSize;
                SampleFonts.Draw(canvas, Fit(tiles[i].Caption, captionPaint, tw), x, cy, captionPaint);
                foreach (var line in details[i]) { cy += DetailSize + 4; SampleFonts.Draw(canvas, line, x, cy, detailPaint); }
                captions.Add(new SKRectI(x, top + th + 2, x + tw, top + cellHeight));
            }
            canvas.Flush();
            Save(bitmap, pngPath, palette);
            return new GridLayout(width, height, pictures, captions);
        }
    }

    /// <summary>Nearest-neighbour downscale: every output pixel is one source pixel, so noise keeps its amplitude and density.</summary>
    public static SKBitmap Downscale(SKBitmap source, float scale)
    {
        int w = Math.Max(1, (int)Math.Round(source.Width * scale)), h = Math.Max(1, (int)Math.Round(source.Height * scale));
        var result = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < h; y++)
        {
            int sy = Math.Min(source.Height - 1, (int)((y + 0.5) * source.Height / h));
            for (int x = 0; x < w; x++)
                result.SetPixel(x, y, source.GetPixel(Math.Min(source.Width - 1, (int)((x + 0.5) * source.Width / w)), sy));
        }
        return result;
    }

    private static void Save(SKBitmap bitmap, string pngPath, bool palette)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(pngPath));
        if (directory is not null) Directory.CreateDirectory(directory);
        using var image = Image.LoadPixelData<Rgba32>(bitmap.GetPixelSpan(), bitmap.Width, bitmap.Height);
        var encoder = new PngEncoder
        {
            ColorType = palette ? PngColorType.Palette : PngColorType.Rgb,
            CompressionLevel = PngCompressionLevel.BestCompression,
            Quantizer = palette ? new WuQuantizer(new QuantizerOptions { MaxColors = 256 }) : null,
        };
        image.SaveAsPng(pngPath, encoder);
    }

    /// <summary>Wraps <paramref name="text"/> at spaces to <paramref name="width"/>, shortening a single over-long word.</summary>
    private static List<string> Wrap(string text, SKPaint paint, float width) =>
        SampleFonts.Wrap(text, paint, width).Select(l => Fit(l, paint, width)).ToList();

    /// <summary>Shortens a line with an ellipsis when it is still too wide (a single long word).</summary>
    private static string Fit(string line, SKPaint paint, float width)
    {
        if (SampleFonts.Measure(paint, line) <= width) return line;
        while (line.Length > 1 && SampleFonts.Measure(paint, line + "…") > width) line = line[..^1];
        return line + "…";
    }
}
