using MlNetExtensions.Transforms.Kernels;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace MlNetExtensions;

/// <summary>
/// Writes a grid PNG of augmented versions of one image, so a user can look at an augmentation before training with
/// it. The first tile is the original; tile k (k ≥ 1) shows what pass k − 1 of training draws for a row at position 0
/// with the same seed.
/// </summary>
public static class AugmentationPreview
{
    /// <summary>Writes a preview grid of an image file (any format ImageSharp reads: PNG, JPEG, BMP, GIF…).</summary>
    /// <param name="imagePath">The source image.</param>
    /// <param name="operations">The augmentation operations, as given to <c>AugmentImages</c>.</param>
    /// <param name="outputPngPath">Where the grid is written (PNG).</param>
    /// <param name="count">Number of augmented versions (1 to 400). Default 15.</param>
    /// <param name="columns">Tiles per row of the grid (positive). Default 4.</param>
    /// <param name="seed">The seed, as given to <c>AugmentImages</c>. Default 0.</param>
    /// <exception cref="InvalidOperationException">The image cannot be read (the message names the file).</exception>
    public static void WriteGrid(string imagePath, IEnumerable<AugmentationOperation> operations, string outputPngPath,
        int count = 15, int columns = 4, int seed = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        var source = new PixelBuffer();
        try
        {
            using var image = Image.Load<Rgba32>(imagePath);
            source.Reset(3, image.Height, image.Width);
            for (int y = 0; y < image.Height; y++)
                for (int x = 0; x < image.Width; x++)
                {
                    var p = image[x, y];
                    int i = y * image.Width + x;
                    source.Plane(0)[i] = p.R / 255f; source.Plane(1)[i] = p.G / 255f; source.Plane(2)[i] = p.B / 255f;
                }
        }
        catch (Exception e) when (e is IOException or UnknownImageFormatException or InvalidImageContentException or NotSupportedException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The image '{imagePath}' cannot be read: {e.Message}", e);
        }
        WriteGrid(source, operations, outputPngPath, count, columns, seed);
    }

    /// <summary>Writes a preview grid of an image held as a pixel vector (planar, as <c>ExtractPixels</c> makes it, or grey).</summary>
    /// <param name="pixels">The pixel values.</param>
    /// <param name="shape">Their layout; its size must equal the number of values.</param>
    /// <param name="operations">The augmentation operations.</param>
    /// <param name="outputPngPath">Where the grid is written (PNG).</param>
    /// <param name="pixelMaximum">Value of white (black is 0). Default 255.</param>
    /// <param name="count">Number of augmented versions (1 to 400). Default 15.</param>
    /// <param name="columns">Tiles per row (positive). Default 4.</param>
    /// <param name="seed">The seed. Default 0.</param>
    public static void WriteGrid(ReadOnlySpan<float> pixels, ImageShape shape, IEnumerable<AugmentationOperation> operations,
        string outputPngPath, float pixelMaximum = 255f, int count = 15, int columns = 4, int seed = 0)
    {
        if (pixels.Length != shape.Size)
            throw new ArgumentException($"The pixel vector has {pixels.Length} values but the shape {shape} needs {shape.Size}.", nameof(pixels));
        if (!(pixelMaximum > 0f)) throw new ArgumentOutOfRangeException(nameof(pixelMaximum), pixelMaximum, "pixelMaximum must be positive.");
        var source = new PixelBuffer();
        PixelConversion.FromVector(pixels, shape, 0f, pixelMaximum, source);
        WriteGrid(source, operations, outputPngPath, count, columns, seed);
    }

    private static void WriteGrid(PixelBuffer source, IEnumerable<AugmentationOperation> operations, string outputPngPath, int count, int columns, int seed)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentException.ThrowIfNullOrEmpty(outputPngPath);
        if (count is < 1 or > 400) throw new ArgumentOutOfRangeException(nameof(count), count, "count must lie in [1, 400].");
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be positive.");
        var ops = operations.ToArray();
        if (ops.OfType<FancyPca>().Any(o => o.NeedsFitting))
            throw new InvalidOperationException("A FancyPca operation needs the training set's eigen-pairs: use PerImage = true in a preview.");
        if (source.Channels != 3 && ops.Any(o => o.NeedsColour))
            throw new InvalidOperationException("The preview image is grey, but an operation needs RGB images.");

        int w = source.Width, h = source.Height, tiles = count + 1, gap = 2;
        int cols = Math.Min(columns, tiles), rows = (tiles + cols - 1) / cols;
        using var grid = new Image<Rgba32>(cols * (w + gap) + gap, rows * (h + gap) + gap, new Rgba32(255, 255, 255, 255));
        var work = new PixelBuffer();
        for (int t = 0; t < tiles; t++)
        {
            work.Reset(source.Channels, h, w);
            source.Data.CopyTo(work.Data);
            if (t > 0) AugmentationOperation.ApplyAll(ops, (ulong)(uint)seed, (ulong)(t - 1), 0, work);
            int ox = gap + (t % cols) * (w + gap), oy = gap + (t / cols) * (h + gap);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int i = y * w + x;
                    byte r = PixelConversion.ToByte(work.Plane(0)[i]);
                    byte g = work.Channels == 3 ? PixelConversion.ToByte(work.Plane(1)[i]) : r;
                    byte b = work.Channels == 3 ? PixelConversion.ToByte(work.Plane(2)[i]) : r;
                    grid[ox + x, oy + y] = new Rgba32(r, g, b, 255);
                }
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(outputPngPath));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        grid.SaveAsPng(outputPngPath);
    }
}
