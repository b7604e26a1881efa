using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace MlNetExtensions.Transforms.Tests;

public class PreviewTests
{
    [Fact]
    public void WritesAGridOfAugmentedVersions()
    {
        var output = Path.Combine(Path.GetTempPath(), $"mlx-preview-{Guid.NewGuid():N}.png");
        try
        {
            AugmentationPreview.WriteGrid(TestData.DataFile("images/flower.jpg"),
                new AugmentationOperation[] { new HorizontalFlip(), new Affine(), new ColorJitter { HueDegrees = 20 } },
                output, count: 5, columns: 3, seed: 1);
            using var grid = Image.Load<Rgba32>(output);
            using var source = Image.Load<Rgba32>(TestData.DataFile("images/flower.jpg"));
            Assert.Equal(3 * (source.Width + 2) + 2, grid.Width);
            Assert.Equal(2 * (source.Height + 2) + 2, grid.Height);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void WritesAGridOfAGreyPixelVector()
    {
        var output = Path.Combine(Path.GetTempPath(), $"mlx-preview-{Guid.NewGuid():N}.png");
        try
        {
            AugmentationPreview.WriteGrid(Row.Make(3).Pixels, ImageShape.Grey(8, 8), new AugmentationOperation[] { new ElasticDeformation { Alpha = 4, Sigma = 2 } },
                output, pixelMaximum: 1f, count: 3, columns: 4);
            using var grid = Image.Load<Rgba32>(output);
            Assert.Equal(4 * 10 + 2, grid.Width);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public void AnUnreadableImageNamesTheFile()
    {
        var bad = Path.Combine(Path.GetTempPath(), $"mlx-bad-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(bad, new byte[] { 9, 9, 9 });
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() => AugmentationPreview.WriteGrid(bad, new[] { new HorizontalFlip() }, bad + ".out.png"));
            Assert.Contains(bad, e.Message);
        }
        finally
        {
            File.Delete(bad);
        }
    }
}
