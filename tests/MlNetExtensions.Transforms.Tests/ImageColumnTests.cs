using Microsoft.ML;
using Microsoft.ML.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace MlNetExtensions.Transforms.Tests;

/// <summary>The MLImage path, its agreement with the pixel-vector path, Fancy PCA fitting, and bad input.</summary>
public class ImageColumnTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"mlx-images-{Guid.NewGuid():N}");

    public ImageColumnTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public sealed class ImageRow
    {
        public string Path { get; set; } = "";
    }

    private string WriteImage(string name, int width, int height, int variant)
    {
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgba32((byte)(x * 255 / width), (byte)((y * 37 + variant * 50) % 256), (byte)((x * y * 7 + variant * 90) % 256), 255);
        var path = Path.Combine(_dir, name);
        image.SaveAsPng(path);
        return name;
    }

    private IDataView Loaded(MLContext ml, int width, int height, params string[] names)
    {
        var data = ml.Data.LoadFromEnumerable(names.Select(n => new ImageRow { Path = n }));
        return ml.Transforms.LoadImages("Image", _dir, "Path")
            .Append(ml.Transforms.ResizeImages("Image", width, height))
            .Fit(data).Transform(data);
    }

    [Fact]
    public void ImageAndVectorPathsAgreeUpToRounding()
    {
        var ml = new MLContext(1);
        var names = new[] { WriteImage("a.png", 16, 12, 0), WriteImage("b.png", 16, 12, 1) };
        var loaded = Loaded(ml, 16, 12, names);
        var ops = new AugmentationOperation[]
        {
            new HorizontalFlip { Probability = 0.7f },
            new Affine { Probability = 1, RotationDegrees = FloatRange.Symmetric(20), Scale = new FloatRange(0.9f, 1.1f), Border = BorderMode.Reflect },
            new ElasticDeformation { Probability = 1, Alpha = 6, Sigma = 3 },
            new HueShift { Probability = 1, MaxDegrees = 40 },
            new ColorJitter { Probability = 1, HueDegrees = 10 },
            new FancyPca { Probability = 1, PerImage = true, AlphaStandardDeviation = 1f },
            new GaussianNoise { Probability = 1, StandardDeviation = 0.03f },
        };

        var viaImage = ml.Transforms.AugmentImages("Image", ops, seed: 9).Fit(loaded).TransformForTraining(loaded);
        var a = TestData.ReadVectors(ml.Transforms.ExtractPixels("Pixels", "Image").Fit(viaImage).Transform(viaImage), "Pixels");

        var pixels = ml.Transforms.ExtractPixels("Pixels", "Image").Fit(loaded).Transform(loaded);
        var original = TestData.ReadVectors(pixels, "Pixels");
        var viaVector = ml.Transforms.AugmentImages("Pixels", ops, seed: 9).Fit(pixels).TransformForTraining(pixels);
        var b = TestData.ReadVectors(viaVector, "Pixels");

        Assert.Equal(2, a.Length);
        for (int r = 0; r < a.Length; r++)
        {
            Assert.Equal(3 * 16 * 12, a[r].Length);
            Assert.NotEqual(original[r], b[r]);
            for (int i = 0; i < a[r].Length; i++) Assert.InRange(Math.Abs(a[r][i] - b[r][i]), 0f, 1.0001f);
        }
    }

    [Fact]
    public void ImagePipelineAsInTheIssueFitsAndScoresUnchanged()
    {
        var ml = new MLContext(1);
        var names = new[] { WriteImage("p.png", 20, 14, 0), WriteImage("q.png", 20, 14, 1) };
        var data = ml.Data.LoadFromEnumerable(names.Select(n => new ImageRow { Path = n }));
        var pipeline = ml.Transforms.LoadImages("Image", _dir, "Path")
            .Append(ml.Transforms.AugmentImages("Image", new AugmentationOperation[] { new HorizontalFlip(), new Affine(), new FancyPca() }, seed: 2))
            .Append(ml.Transforms.ResizeImages("Image", 16, 12))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
            .Append(ml.Transforms.InjectNoise("Pixels", standardDeviation: 5f));
        var model = pipeline.Fit(data);
        // Scoring other data passes through; the same rows in a new view count as other data.
        var sameRows = ml.Data.LoadFromEnumerable(names.Select(n => new ImageRow { Path = n }));
        var scored = TestData.ReadVectors(model.Transform(sameRows), "Pixels");
        var plain = ml.Transforms.LoadImages("Image", _dir, "Path").Append(ml.Transforms.ResizeImages("Image", 16, 12))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image")).Fit(data);
        Assert.Equal(TestData.ReadVectors(plain.Transform(data), "Pixels"), scored);
    }

    [Fact]
    public void FancyPcaFitsTheTrainingSetCovariance()
    {
        var ml = new MLContext(1);
        File.Copy(TestData.DataFile("images/china.jpg"), Path.Combine(_dir, "china.jpg"));
        File.Copy(TestData.DataFile("images/flower.jpg"), Path.Combine(_dir, "flower.jpg"));
        var loaded = Loaded(ml, 48, 32, "china.jpg", "flower.jpg");
        var transformer = ml.Transforms.AugmentImages("Image", new[] { new FancyPca { Probability = 1 } }).Fit(loaded);
        var pca = (FancyPca)transformer.Operations[0];
        Assert.NotNull(pca.Eigenvalues);

        // Independent two-pass covariance of the RGB values (scaled to [0, 1]) from ExtractPixels.
        var pixels = TestData.ReadVectors(ml.Transforms.ExtractPixels("Pixels", "Image").Fit(loaded).Transform(loaded), "Pixels");
        int plane = 48 * 32;
        var samples = pixels.SelectMany(p => Enumerable.Range(0, plane).Select(i => new[] { p[i] / 255.0, p[plane + i] / 255.0, p[2 * plane + i] / 255.0 })).ToArray();
        var mean = Enumerable.Range(0, 3).Select(c => samples.Average(s => s[c])).ToArray();
        var cov = new double[3, 3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                cov[i, j] = samples.Sum(s => (s[i] - mean[i]) * (s[j] - mean[j])) / (samples.Length - 1);

        var values = pca.Eigenvalues!;
        var vectors = pca.Eigenvectors!;
        Assert.Equal(cov[0, 0] + cov[1, 1] + cov[2, 2], values.Sum(), 5);
        for (int k = 0; k < 3; k++)
            for (int r = 0; r < 3; r++)
            {
                double cp = 0;
                for (int c = 0; c < 3; c++) cp += cov[r, c] * vectors[k, c];
                Assert.Equal(values[k] * vectors[k, r], cp, 4);
            }

        // Saved with the model and read back.
        ml.ComponentCatalog.RegisterMlNetExtensions();
        using var stream = new MemoryStream();
        ml.Model.Save(transformer, loaded.Schema, stream);
        stream.Position = 0;
        var reloaded = (FancyPca)((ImageAugmentationTransformer)ml.Model.Load(stream, out _)).Operations[0];
        Assert.Equal(values, reloaded.Eigenvalues!);
        Assert.Equal(vectors, reloaded.Eigenvectors!);
    }

    [Fact]
    public void FancyPcaOnGreyImagesIsAClearError()
    {
        var ml = new MLContext(1);
        var e = Assert.Throws<InvalidOperationException>(() =>
            ml.Transforms.AugmentImages("Pixels", new[] { new FancyPca() }, pixelMaximum: 1).Fit(TestData.View(ml, 3)));
        Assert.Contains("FancyPca needs RGB images", e.Message);
        Assert.Contains("'Pixels'", e.Message);
    }

    [Fact]
    public void ShapeMismatchNamesTheColumnAndBothSizes()
    {
        var ml = new MLContext(1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.AugmentImages("Pixels", new[] { new HorizontalFlip() }, shape: ImageShape.Grey(7, 7)).Fit(TestData.View(ml, 3)));
        Assert.Contains("'Pixels' has 64 values", e.Message);
        Assert.Contains("needs 49", e.Message);
    }

    [Fact]
    public void PixelRangeIsValidated()
    {
        var ml = new MLContext(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.AugmentImages("Pixels", new[] { new HorizontalFlip() }, pixelMaximum: 0));
    }

    [Fact]
    public void CorruptImageNamesTheRow()
    {
        var ml = new MLContext(1);
        WriteImage("good.png", 8, 8, 0);
        File.WriteAllBytes(Path.Combine(_dir, "bad.png"), new byte[] { 1, 2, 3, 4, 5 });
        var data = ml.Data.LoadFromEnumerable(new[] { new ImageRow { Path = "good.png" }, new ImageRow { Path = "bad.png" } });
        var loaded = ml.Transforms.LoadImages("Image", _dir, "Path").Fit(data).Transform(data);
        var view = ml.Transforms.AugmentImages("Image", new[] { new HorizontalFlip() }).Fit(loaded).TransformForTraining(loaded);
        var col = view.Schema["Image"];
        using var cursor = view.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<MLImage>(col);
        MLImage image = null!;
        Assert.True(cursor.MoveNext());
        getter(ref image);
        Assert.Equal(8, image.Width);
        Assert.True(cursor.MoveNext());
        var e = Assert.Throws<InvalidOperationException>(() => getter(ref image));
        Assert.Contains("Column 'Image', row 1", e.Message);
        image?.Dispose();
    }
}
