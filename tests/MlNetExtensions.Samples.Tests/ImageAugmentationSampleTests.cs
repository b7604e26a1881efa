using ImageAugmentation;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Samples;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace MlNetExtensions.Samples.Tests;

/// <summary>The image-augmentation sample's preview grids and its training-only claim.</summary>
public sealed class ImageAugmentationSampleTests
{
    private static string ImageFolder => Path.Combine(AppContext.BaseDirectory, "images");

    [Fact]
    public void PreviewGridsAreSmallFullAndCaptioned()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"mlx-previews-{Guid.NewGuid():N}");
        try
        {
            var written = PreviewGrids.WriteAll(new MLContext(seed: 1), ImageFolder, dir);
            // One grid per operation, one per photo for the policy, and the overview.
            Assert.Equal(AugmentationModel.Operations.Count + 3, written.Count);
            foreach (var (path, layout) in written)
            {
                var name = Path.GetFileName(path);
                Assert.True(new FileInfo(path).Length < 1_000_000, $"{name} is {new FileInfo(path).Length} bytes (limit 1 MB)");
                using var png = Image.Load<Rgba32>(path);
                Assert.Equal((layout.Width, layout.Height), (png.Width, png.Height));
                Assert.Equal(name == "all-operations.png" ? 12 : PreviewGrids.Draws + 1, layout.Pictures.Count);

                // Every row of the grid is full: as many cells as the first row.
                var rows = layout.Pictures.GroupBy(r => r.Top).Select(g => g.Count()).ToList();
                Assert.All(rows, count => Assert.Equal(rows[0], count));

                // No empty cell: every picture has the photo's spread of values, not a flat background.
                foreach (var cell in layout.Pictures)
                    Assert.True(Spread(png, cell) > 20, $"{name}: the cell at ({cell.Left}, {cell.Top}) looks empty");

                // Every cell has a caption (with a system font, or the stroke lettering without one).
                foreach (var caption in layout.Captions)
                    Assert.True(DarkPixels(png, caption) > 50, $"{name}: no caption under the cell at ({caption.Left}, {caption.Top})");
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AGridWithAnEmptyCellIsRefused()
    {
        using var bitmap = new SKBitmap(4, 4);
        var tiles = Enumerable.Range(0, 8).Select(i => new GridTile(bitmap, $"tile {i}")).ToList();
        var path = Path.Combine(Path.GetTempPath(), $"mlx-grid-{Guid.NewGuid():N}.png");
        Assert.Throws<ArgumentException>(() => TileGrid.Write(path, "title", Array.Empty<string>(), tiles, columns: 3));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void CaptionsNameEachOperationsSettings()
    {
        var described = AugmentationModel.Operations.ToDictionary(o => o.Name, o => PreviewGrids.Describe(o.Operation));
        Assert.Equal("rotation ±20°, scale 0.8–1.2, shear x ±10°, p = 1", described["affine"]);
        Assert.Equal("σ = 0.08 of the range, p = 1", described["gaussian-noise"]);
        Assert.All(described.Values, d => Assert.EndsWith("p = 1", d));
        Assert.Equal("p = 0.5", PreviewGrids.Describe(new HorizontalFlip()).Split(", ")[^1]);
    }

    [Fact]
    public void WithoutAFontTheStrokeLetteringCoversEveryCaptionAndDrawsIt()
    {
        var texts = AugmentationModel.Operations.Select(o => PreviewGrids.Describe(o.Operation))
            .Concat(AugmentationModel.Policy.Select(PreviewGrids.Describe))
            .Concat(new[] { "original", "flower.jpg, 640 × 427", "Tiles at 50% size (nearest-neighbour)…", "validation micro-accuracy", "ε0 = 0.001" })
            .ToList();
        Assert.All(texts, t => Assert.True(StrokeFont.Covers(t), $"no stroke glyph for some character of '{t}'"));

        using var bitmap = new SKBitmap(new SKImageInfo(400, 30, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var paint = SampleFonts.Text(13, SKColors.Black);
        StrokeFont.Draw(canvas, texts[2], 4, 20, paint, bold: false);
        canvas.Flush();
        int dark = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
                if (bitmap.GetPixel(x, y).Red < 128) dark++;
        Assert.True(dark > 100, $"only {dark} dark pixels");
        Assert.InRange(StrokeFont.Measure(texts[2], paint), 100, 400);
    }

    [Fact]
    public void ScoringOutputEqualsTheUnaugmentedPipelineBitForBit()
    {
        // What the sample prints: the view Fit was given is a training view (augmented), new data is not touched.
        var mlContext = new MLContext(seed: 1);
        var rows = new[] { new ModelInput { ImagePath = "flower.jpg" }, new ModelInput { ImagePath = "china.jpg" } };
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var reference = Pixels(AugmentationModel.BuildPipeline(mlContext, ImageFolder, augment: false).Fit(data).Transform(data));
        var model = AugmentationModel.BuildPipeline(mlContext, ImageFolder).Fit(data);

        Assert.NotEqual(Bits(reference), Bits(Pixels(model.Transform(data))));
        Assert.Equal(Bits(reference), Bits(Pixels(model.Transform(mlContext.Data.LoadFromEnumerable(rows)))));
        var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
        Assert.Equal(Bits(reference), Bits(rows.Select(r => engine.Predict(r).Pixels).ToArray()));
    }

    private static float[][] Pixels(IDataView view) =>
        view.GetColumn<VBuffer<float>>("Pixels").Select(v => v.DenseValues().ToArray()).ToArray();

    private static int[] Bits(float[][] pixels) => pixels.SelectMany(p => p).Select(BitConverter.SingleToInt32Bits).ToArray();

    private static int Spread(Image<Rgba32> png, SKRectI cell)
    {
        int min = 255, max = 0;
        for (int y = cell.Top; y < cell.Bottom; y += 3)
            for (int x = cell.Left; x < cell.Right; x += 3)
            {
                var p = png[x, y];
                int grey = (p.R + p.G + p.B) / 3;
                min = Math.Min(min, grey); max = Math.Max(max, grey);
            }
        return max - min;
    }

    private static int DarkPixels(Image<Rgba32> png, SKRectI area)
    {
        int dark = 0;
        for (int y = area.Top; y < Math.Min(area.Bottom, png.Height); y++)
            for (int x = area.Left; x < Math.Min(area.Right, png.Width); x++)
                if (png[x, y].R < 128) dark++;
        return dark;
    }
}
