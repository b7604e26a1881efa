using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;
using MlNetExtensions.Samples;
using SkiaSharp;

namespace ImageAugmentation;

/// <summary>
/// Captioned preview grids of augmentation operations, drawn from what a trainer would read: row i of one training
/// pass over copies of the same photo is draw i + 1. The tiles are the photo's pixels after augmentation at full size,
/// then shown at a fraction of that size by nearest-neighbour sampling, so Gaussian and salt-and-pepper noise keep their
/// strength and density. (<see cref="AugmentationPreview.WriteGrid(string, IEnumerable{AugmentationOperation}, string, int, int, int)"/>
/// writes the library's own grid: full-size tiles, no captions.)
/// </summary>
public static class PreviewGrids
{
    /// <summary>Cells per row of an operation's grid: 3 × 3 cells hold the original and <see cref="Draws"/> draws.</summary>
    public const int Columns = 3;

    /// <summary>Augmented versions per operation grid.</summary>
    public const int Draws = Columns * Columns - 1;

    /// <summary>Tile size in an operation's grid, as a fraction of the photo (640 × 427 becomes 320 × 214).</summary>
    public const float TileScale = 0.5f;

    /// <summary>Cells per row of the overview (the original, each operation once, one draw of the policy: 12 cells).</summary>
    public const int OverviewColumns = 4;

    /// <summary>Tile size in the overview, as a fraction of the photo.</summary>
    public const float OverviewScale = 0.4f;

    /// <summary>
    /// Writes <c>{name}.png</c> for every operation, <c>policy-{photo}.png</c> for the policy on each photo and
    /// <c>all-operations.png</c>; returns the paths with where each grid's cells went.
    /// </summary>
    public static IReadOnlyList<(string Path, GridLayout Layout)> WriteAll(MLContext mlContext, string imageFolder, string outDir)
    {
        var written = new List<(string, GridLayout)>();
        const string flower = "flower.jpg";
        using var original = Load(imageFolder, flower);

        var overview = new List<GridTile> { new(TileGrid.Downscale(original, OverviewScale), "original", $"{flower}, {original.Width} × {original.Height}") };
        foreach (var (name, operation) in AugmentationModel.Operations)
        {
            var draws = Draw(mlContext, imageFolder, flower, new[] { operation }, seed: 1, Draws);
            var tiles = new List<GridTile> { new(TileGrid.Downscale(original, TileScale), "original", $"{flower}, {original.Width} × {original.Height}") };
            tiles.AddRange(draws.Select((d, i) => new GridTile(TileGrid.Downscale(d, TileScale), $"{Name(operation)}, draw {i + 1}", Describe(operation))));
            overview.Add(new GridTile(TileGrid.Downscale(draws[0], OverviewScale), Name(operation), Describe(operation)));
            var path = Path.Combine(outDir, $"{name}.png");
            written.Add((path, TileGrid.Write(path, $"{Name(operation)} on {flower}: the original and {Draws} draws (seed 1)",
                new[]
                {
                    $"{Name(operation)}: {Describe(operation)}{(operation.Probability == 1 ? ", so every draw shows it" : "")}.",
                    $"Each draw is one row of a training pass, with its own random parameters. Tiles at {TileScale:0%} size (nearest-neighbour: noise keeps its strength).",
                },
                tiles, Columns)));
            foreach (var d in draws) d.Dispose();
        }

        var policyNotes = AugmentationModel.Policy.Select((o, i) => $"{i + 1}. {Name(o)}: {Describe(o)}").ToArray();
        foreach (var photo in new[] { flower, "china.jpg" })
        {
            using var source = Load(imageFolder, photo);
            var draws = Draw(mlContext, imageFolder, photo, AugmentationModel.Policy, seed: 42, Draws);
            var tiles = new List<GridTile> { new(TileGrid.Downscale(source, TileScale), "original", $"{photo}, {source.Width} × {source.Height}") };
            tiles.AddRange(draws.Select((d, i) => new GridTile(TileGrid.Downscale(d, TileScale), $"policy, draw {i + 1}", "each operation fires with its own p")));
            if (photo == flower)
                overview.Add(new GridTile(TileGrid.Downscale(draws[0], OverviewScale), "composed policy",
                    $"{AugmentationModel.Policy.Length} operations, see policy-flower.png"));
            var path = Path.Combine(outDir, $"policy-{Path.GetFileNameWithoutExtension(photo)}.png");
            written.Add((path, TileGrid.Write(path, $"A composed policy on {photo}: the original and {Draws} draws (seed 42)",
                new[] { "The operations run in this order, each with its own probability p:" }.Concat(policyNotes)
                    .Append($"Tiles at {TileScale:0%} size (nearest-neighbour).").ToArray(),
                tiles, Columns)));
            foreach (var d in draws) d.Dispose();
        }

        var overviewPath = Path.Combine(outDir, "all-operations.png");
        written.Add((overviewPath, TileGrid.Write(overviewPath, $"Every augmentation operation on {flower}, one draw each",
            new[] { $"Draw 1 of each operation's own grid (affine.png, elastic.png… beside this file) and of policy-flower.png. Tiles at {OverviewScale:0%} size." },
            overview, OverviewColumns)));
        foreach (var t in overview) t.Image.Dispose();
        return written;
    }

    /// <summary>
    /// <paramref name="count"/> augmented versions of one photo, as a trainer reads them: the training view
    /// (<c>TransformForTraining</c>) of <paramref name="count"/> rows naming the same file, one pass.
    /// </summary>
    public static List<SKBitmap> Draw(MLContext mlContext, string imageFolder, string file, AugmentationOperation[] operations, int seed, int count)
    {
        var data = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(_ => new ModelInput { ImagePath = file }).ToArray());
        var loaded = mlContext.Transforms.LoadImages("Image", imageFolder, nameof(ModelInput.ImagePath)).Fit(data).Transform(data);
        var augmenter = mlContext.Transforms.AugmentImages("Image", operations, seed: seed).Fit(loaded);
        return augmenter.TransformForTraining(loaded).GetColumn<MLImage>("Image").Select(image =>
        {
            using (image) return ToBitmap(image);
        }).ToList();
    }

    /// <summary>The class name of an operation (HorizontalFlip, Affine…).</summary>
    public static string Name(AugmentationOperation operation) => operation.GetType().Name;

    /// <summary>An operation's settings in words, with its probability: "rotation ±20°, scale 0.8–1.2, p = 1".</summary>
    public static string Describe(AugmentationOperation operation)
    {
        var parts = new List<string>();
        switch (operation)
        {
            case HorizontalFlip: parts.Add("mirrored left to right"); break;
            case VerticalFlip: parts.Add("upside down"); break;
            case Affine a:
                if (!IsFixed(a.RotationDegrees, 0)) parts.Add($"rotation {Range(a.RotationDegrees, "°")}");
                if (!IsFixed(a.Scale, 1)) parts.Add($"scale {Range(a.Scale, "")}");
                if (!IsFixed(a.ShearXDegrees, 0)) parts.Add($"shear x {Range(a.ShearXDegrees, "°")}");
                if (!IsFixed(a.ShearYDegrees, 0)) parts.Add($"shear y {Range(a.ShearYDegrees, "°")}");
                if (a.Border != BorderMode.Constant) parts.Add($"border {a.Border}");
                break;
            case Translation t:
                parts.Add(t.Unit == TranslationUnit.Pixels
                    ? $"shift x ±{N(t.MaxShiftX)} px, y ±{N(t.MaxShiftY)} px"
                    : $"shift x ±{N(t.MaxShiftX * 100)}% of the width, y ±{N(t.MaxShiftY * 100)}% of the height");
                if (t.Border != BorderMode.Constant) parts.Add($"border {t.Border}");
                break;
            case ElasticDeformation e: parts.Add($"α = {N(e.Alpha)} px, σ = {N(e.Sigma)} px"); break;
            case GaussianNoise g:
                parts.Add($"σ = {N(g.StandardDeviation)} of the range");
                if (g.Mean != 0) parts.Add($"mean {N(g.Mean)}");
                break;
            case SaltAndPepperNoise s: parts.Add($"{N(s.Amount * 100)}% of pixels, {N(s.SaltRatio * 100)}% of them white"); break;
            case HueShift h: parts.Add($"hue ±{N(h.MaxDegrees)}°"); break;
            case ColorJitter c:
                if (c.Brightness > 0) parts.Add($"brightness ±{N(c.Brightness)}");
                if (c.Contrast > 0) parts.Add($"contrast ±{N(c.Contrast)}");
                if (c.Saturation > 0) parts.Add($"saturation ±{N(c.Saturation)}");
                if (c.HueDegrees > 0) parts.Add($"hue ±{N(c.HueDegrees)}°");
                break;
            case FancyPca f: parts.Add($"α σ = {N(f.AlphaStandardDeviation)}, {(f.PerImage ? "each image's own" : "the training set's")} eigen-pairs"); break;
        }
        parts.Add($"p = {N(operation.Probability)}");
        return string.Join(", ", parts);
    }

    private static bool IsFixed(FloatRange r, float value) => r.Minimum == value && r.Maximum == value;

    private static string Range(FloatRange r, string unit) =>
        r.Minimum == -r.Maximum ? $"±{N(r.Maximum)}{unit}" : r.Minimum == r.Maximum ? $"{N(r.Minimum)}{unit}" : $"{N(r.Minimum)}–{N(r.Maximum)}{unit}";

    private static string N(float v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static SKBitmap Load(string imageFolder, string file)
    {
        using var image = MLImage.CreateFromFile(Path.Combine(imageFolder, file));
        return ToBitmap(image);
    }

    /// <summary>Copies an MLImage (BGRA or RGBA, 8 bits a channel) into an opaque RGBA bitmap.</summary>
    private static SKBitmap ToBitmap(MLImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var source = image.Pixels;
        var row = new byte[bitmap.RowBytes];
        bool bgra = image.PixelFormat == MLPixelFormat.Bgra32;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                int s = 4 * (y * image.Width + x), o = 4 * x;
                row[o] = bgra ? source[s + 2] : source[s];
                row[o + 1] = source[s + 1];
                row[o + 2] = bgra ? source[s] : source[s + 2];
                row[o + 3] = 255;
            }
            Marshal.Copy(row, 0, bitmap.GetPixels() + y * bitmap.RowBytes, row.Length);
        }
        return bitmap;
    }
}
