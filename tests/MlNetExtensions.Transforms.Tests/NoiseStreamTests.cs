using Microsoft.ML;

namespace MlNetExtensions.Transforms.Tests;

public class NoiseStreamTests
{
    [Fact]
    public void TwoNoiseStepsWithTheSameSeed_DrawDifferentNoise()
    {
        var ml = new MLContext(1);
        var data = TestData.View(ml, 10);
        var pipeline = ml.Transforms.CopyColumns("Other", "Pixels")
            .Append(ml.Transforms.InjectNoise("Pixels", standardDeviation: 0.1f))
            .Append(ml.Transforms.InjectNoise("Other", standardDeviation: 0.1f));
        var model = pipeline.Fit(data);
        var noised = model.Transform(data);
        var a = TestData.ReadVectors(noised, "Pixels");
        var b = TestData.ReadVectors(noised, "Other");
        var original = TestData.ReadVectors(data, "Pixels");
        Assert.NotEqual(original, a);
        // Same seed, same rows, same pass: without per-column salting both columns would get identical noise.
        var deltaA = a.Zip(original, (x, o) => x.Zip(o, (u, v) => u - v).ToArray()).ToArray();
        var deltaB = b.Zip(original, (x, o) => x.Zip(o, (u, v) => u - v).ToArray()).ToArray();
        Assert.NotEqual(deltaA, deltaB);
    }
}

public class AffineShearTests
{
    [Theory]
    [InlineData(0f, 1f, 30f, 30f)]
    [InlineData(20f, 1.1f, 45f, 45f)]
    [InlineData(-10f, 0.9f, 60f, 60f)]
    [InlineData(5f, 1f, -60f, 60f)]
    public void ShearNeverFoldsOrMirrors_AreaScalesBySquaredScale(float degrees, float scale, float shearX, float shearY)
    {
        float shx = MathF.Tan(shearX * MathF.PI / 180f), shy = MathF.Tan(shearY * MathF.PI / 180f);
        var (a00, a01, a10, a11) = Affine.ForwardMatrix(degrees * MathF.PI / 180f, scale, shx, shy);
        Assert.Equal(scale * scale, a00 * a11 - a01 * a10, 3);
    }
}
