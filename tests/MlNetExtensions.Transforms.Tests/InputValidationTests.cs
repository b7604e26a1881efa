using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Transforms.Tests;

public class InputValidationTests
{
    private sealed class WideRow
    {
        [VectorType(4, 4, 3)] public float[] Pixels { get; set; } = new float[48];
    }

    [Fact]
    public void PixelsOutsideTheDeclaredRange_AreRejectedAtFit_NamingColumnAndRange()
    {
        var ml = new MLContext(1);
        var data = TestData.View(ml, 5); // values in [0, 1]
        var scaled = ml.Transforms.CustomMapping((Row r, Row o) => o.Pixels = r.Pixels.Select(v => v * 255f).ToArray(), contractName: null)
            .Fit(data).Transform(data);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.AugmentImages("Pixels", new AugmentationOperation[] { new HorizontalFlip() }, pixelMaximum: 1f).Fit(scaled));
        Assert.Contains("'Pixels'", ex.Message);
        Assert.Contains("pixelMaximum", ex.Message);
    }

    [Fact]
    public void InterleavedPixels_GiveAMessageNamingTheColumnAndTheCause()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new WideRow(), new WideRow() });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Transforms.AugmentImages("Pixels", new AugmentationOperation[] { new HorizontalFlip() }).Fit(data));
        Assert.Contains("'Pixels'", ex.Message);
        Assert.Contains("interleaved", ex.Message);
    }

    [Fact]
    public void HugeSigmaOrShift_AreRejectedByName()
    {
        Assert.Equal("Sigma", Assert.Throws<ArgumentOutOfRangeException>(() => new ElasticDeformation { Sigma = 1e5f }).ParamName);
        Assert.Equal("MaxShiftX", Assert.Throws<ArgumentOutOfRangeException>(() => new Translation { MaxShiftX = 2e9f }).ParamName);
    }
}
