using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions.Transforms.Tests;

/// <summary>Property tests of each operation's pixel math on synthetic images.</summary>
public class OperationPropertyTests
{
    private static void Apply(AugmentationOperation op, PixelBuffer image, ulong seed = 1)
    {
        var random = new RandomStream(seed);
        op.Apply(image, ref random);
    }

    [Theory]
    [InlineData(1, 7, 5)]
    [InlineData(3, 6, 9)]
    public void FlipTwiceIsIdentity(int channels, int height, int width)
    {
        var image = TestData.RandomImage(channels, height, width, 3);
        var original = image.Data.ToArray();
        Apply(new HorizontalFlip(), image);
        Assert.NotEqual(original, image.Data.ToArray());
        Assert.Equal(image.Data[width - 1], original[0]); // left-right mirrored
        Apply(new HorizontalFlip(), image);
        Assert.Equal(original, image.Data.ToArray());
        Apply(new VerticalFlip(), image);
        Assert.Equal(image.Data[(height - 1) * width], original[0]);
        Apply(new VerticalFlip(), image);
        Assert.Equal(original, image.Data.ToArray());
    }

    [Fact]
    public void TranslationMovesADotByTheDrawnAmount()
    {
        var op = new Translation { Unit = TranslationUnit.Pixels, MaxShiftX = 3, MaxShiftY = 2 };
        var seen = new HashSet<(int, int)>();
        for (ulong seed = 0; seed < 200; seed++)
        {
            var image = new PixelBuffer();
            image.Reset(1, 11, 13);
            image.Data.Clear();
            image.Plane(0)[5 * 13 + 6] = 1f; // dot at (x 6, y 5)
            var random = new RandomStream(seed);
            var replay = random;
            var (dx, dy) = op.DrawShift(ref replay, 13, 11);
            op.Apply(image, ref random);
            Assert.InRange(dx, -3, 3);
            Assert.InRange(dy, -2, 2);
            Assert.Equal(1f, image.Plane(0)[(5 + dy) * 13 + 6 + dx]);
            Assert.Equal(1f, image.Data.ToArray().Sum());
            seen.Add((dx, dy));
        }
        Assert.Equal(7 * 5, seen.Count); // every shift in range is drawn
    }

    /// <summary>A huge fraction on a wide image gave more than 2³⁰ pixels of shift, which overflowed the draw; the pixel
    /// shift is capped at MaxShift pixels and ordinary fractions round as before.</summary>
    [Fact]
    public void TranslationFractionShiftIsCappedInPixels()
    {
        var huge = new Translation { MaxShiftX = Translation.MaxShift, MaxShiftY = 2000f };
        Assert.Equal(((int)Translation.MaxShift, (int)Translation.MaxShift), huge.MaxPixels(1200, 800));
        var random = new RandomStream(3);
        for (int i = 0; i < 100; i++)
        {
            var (dx, dy) = huge.DrawShift(ref random, 1200, 800);
            Assert.InRange(dx, -(int)Translation.MaxShift, (int)Translation.MaxShift);
            Assert.InRange(dy, -(int)Translation.MaxShift, (int)Translation.MaxShift);
        }
        Assert.Equal((3, 2), new Translation { MaxShiftX = 0.1f, MaxShiftY = 0.1f }.MaxPixels(28, 20));
    }

    [Theory]
    [InlineData(BorderMode.Constant)]
    [InlineData(BorderMode.Reflect)]
    [InlineData(BorderMode.Replicate)]
    public void TranslationBorderModes(BorderMode mode)
    {
        var image = new PixelBuffer();
        image.Reset(1, 1, 5);
        new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f }.CopyTo(image.Data);
        GeometryKernels.Translate(image, 2, 0, mode, 0.9f);
        var expected = mode switch
        {
            BorderMode.Constant => new[] { 0.9f, 0.9f, 0.1f, 0.2f, 0.3f },
            BorderMode.Reflect => new[] { 0.3f, 0.2f, 0.1f, 0.2f, 0.3f },
            _ => new[] { 0.1f, 0.1f, 0.1f, 0.2f, 0.3f },
        };
        Assert.Equal(expected, image.Data.ToArray());
    }

    [Fact]
    public void AffineWithRotationZeroAndScaleOneIsIdentity()
    {
        var image = TestData.RandomImage(3, 17, 12, 5);
        var original = image.Data.ToArray();
        Apply(new Affine { RotationDegrees = FloatRange.Fixed(0), Scale = FloatRange.Fixed(1) }, image);
        Assert.Equal(original, image.Data.ToArray());
    }

    [Fact]
    public void AffineQuarterTurnRotatesPixels()
    {
        var image = TestData.RandomImage(1, 9, 9, 6);
        var original = image.Data.ToArray();
        Affine.ApplyWith(image, MathF.PI / 2, 1f, 0f, 0f, BorderMode.Constant, 0f);
        // Clockwise on screen: the source pixel (x, y) lands at (8 − y, x).
        for (int y = 0; y < 9; y++)
            for (int x = 0; x < 9; x++)
                Assert.Equal(original[y * 9 + x], image.Data[x * 9 + (8 - y)], 4);
    }

    [Fact]
    public void AffineScaleTwoMagnifiesAroundTheCentre()
    {
        var image = new PixelBuffer();
        image.Reset(1, 9, 9);
        image.Data.Clear();
        image.Plane(0)[4 * 9 + 5] = 1f; // one pixel right of the centre
        Affine.ApplyWith(image, 0f, 2f, 0f, 0f, BorderMode.Constant, 0f);
        Assert.Equal(1f, image.Plane(0)[4 * 9 + 6], 4); // now two pixels right of it
    }

    [Fact]
    public void ElasticWithAlphaZeroIsIdentityAndOtherwiseDeforms()
    {
        var image = TestData.RandomImage(1, 28, 28, 7);
        var original = image.Data.ToArray();
        Apply(new ElasticDeformation { Alpha = 0, Sigma = 4 }, image);
        Assert.Equal(original, image.Data.ToArray());
        Apply(new ElasticDeformation { Alpha = 34, Sigma = 4, Border = BorderMode.Reflect }, image);
        Assert.NotEqual(original, image.Data.ToArray());
        Assert.All(image.Data.ToArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void ElasticWithLargeSigmaIsASmoothDisplacement()
    {
        // A smooth field: neighbouring pixels move alike, so a smooth ramp stays monotonic along x.
        var image = new PixelBuffer();
        image.Reset(1, 28, 28);
        for (int y = 0; y < 28; y++) for (int x = 0; x < 28; x++) image.Plane(0)[y * 28 + x] = x / 27f;
        Apply(new ElasticDeformation { Alpha = 20, Sigma = 8, Border = BorderMode.Replicate }, image, 9);
        for (int y = 0; y < 28; y++)
            for (int x = 1; x < 28; x++)
                Assert.True(image.Plane(0)[y * 28 + x] >= image.Plane(0)[y * 28 + x - 1] - 1e-4f);
    }

    [Fact]
    public void HueShiftPreservesValueAndFullTurnIsIdentity()
    {
        var image = TestData.RandomImage(3, 10, 10, 8);
        var original = TestData.Copy(image);
        ColorKernels.ShiftHue(image, 73f);
        for (int i = 0; i < 100; i++)
        {
            float before = Math.Max(original.Plane(0)[i], Math.Max(original.Plane(1)[i], original.Plane(2)[i]));
            float after = Math.Max(image.Plane(0)[i], Math.Max(image.Plane(1)[i], image.Plane(2)[i]));
            Assert.Equal(before, after, 5);
        }
        ColorKernels.ShiftHue(image, 360f - 73f);
        for (int i = 0; i < image.Length; i++) Assert.Equal(original.Data[i], image.Data[i], 4);
        // Pure red shifted by 120° is pure green.
        var red = new PixelBuffer();
        red.Reset(3, 1, 1);
        new[] { 1f, 0f, 0f }.CopyTo(red.Data);
        ColorKernels.ShiftHue(red, 120f);
        Assert.Equal(new[] { 0f, 1f, 0f }, red.Data.ToArray());
    }

    [Fact]
    public void ColorJitterBrightnessScalesValues()
    {
        var image = TestData.RandomImage(3, 4, 4, 10);
        var original = image.Data.ToArray();
        ColorKernels.Brightness(image, 0.5f);
        for (int i = 0; i < original.Length; i++) Assert.Equal(original[i] * 0.5f, image.Data[i], 6);
        var grey = TestData.RandomImage(1, 4, 4, 11);
        Apply(new ColorJitter { Brightness = 0.3f, Contrast = 0.3f, Saturation = 0 }, grey); // grey allowed without saturation/hue
    }

    [Fact]
    public void GaussianNoiseHasTheRequestedMeanAndVariance()
    {
        var image = new PixelBuffer();
        image.Reset(1, 100, 100);
        image.Data.Fill(0.5f);
        Apply(new GaussianNoise { StandardDeviation = 0.05f }, image, 12);
        var values = image.Data.ToArray();
        double mean = values.Average(), variance = values.Select(v => (v - mean) * (v - mean)).Average();
        Assert.Equal(0.5, mean, 2);
        Assert.InRange(variance, 0.0025 * 0.95, 0.0025 * 1.05);
    }

    [Fact]
    public void SaltAndPepperReplacesTheRequestedFraction()
    {
        var image = new PixelBuffer();
        image.Reset(3, 100, 100);
        image.Data.Fill(0.5f);
        Apply(new SaltAndPepperNoise { Amount = 0.1f, SaltRatio = 0.25f }, image, 13);
        var r = image.Plane(0).ToArray();
        double salt = r.Count(v => v == 1f) / 10000.0, pepper = r.Count(v => v == 0f) / 10000.0;
        Assert.InRange(salt, 0.02, 0.03);
        Assert.InRange(pepper, 0.07, 0.08);
        for (int i = 0; i < 10000; i++) Assert.Equal(image.Plane(0)[i], image.Plane(2)[i]); // all channels alike
    }

    [Fact]
    public void FancyPcaWithZeroAlphaIsIdentity()
    {
        var image = TestData.RandomImage(3, 8, 8, 14);
        var original = image.Data.ToArray();
        Apply(new FancyPca { AlphaStandardDeviation = 0, PerImage = true }, image);
        Assert.Equal(original, image.Data.ToArray());
        Apply(new FancyPca { AlphaStandardDeviation = 0.5f, PerImage = true }, image);
        Assert.NotEqual(original, image.Data.ToArray());
    }

    [Fact]
    public void EigenDecompositionMatchesTheMatrix()
    {
        var m = new double[] { 4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 1 };
        var (values, vectors) = RgbCovariance.Eigen(m);
        Assert.True(values[0] >= values[1] && values[1] >= values[2]);
        Assert.Equal(8.0, values.Sum(), 9); // trace
        for (int k = 0; k < 3; k++)
            for (int r = 0; r < 3; r++)
            {
                double mv = 0;
                for (int c = 0; c < 3; c++) mv += m[r * 3 + c] * vectors[k * 3 + c];
                Assert.Equal(values[k] * vectors[k * 3 + r], mv, 9);
            }
    }

    [Fact]
    public void InvalidOptionsAreRejectedByName()
    {
        Assert.Equal("Probability", Assert.Throws<ArgumentOutOfRangeException>(() => new HorizontalFlip { Probability = 1.5f }).ParamName);
        Assert.Equal("Probability", Assert.Throws<ArgumentOutOfRangeException>(() => new Affine { Probability = -0.1f }).ParamName);
        Assert.Equal("StandardDeviation", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianNoise { StandardDeviation = -1 }).ParamName);
        Assert.Equal("Sigma", Assert.Throws<ArgumentOutOfRangeException>(() => new ElasticDeformation { Sigma = -1 }).ParamName);
        Assert.Equal("Alpha", Assert.Throws<ArgumentOutOfRangeException>(() => new ElasticDeformation { Alpha = -1 }).ParamName);
        Assert.Contains("Inverted range", Assert.Throws<ArgumentException>(() => new FloatRange(2, 1)).Message);
        Assert.Equal("Scale", Assert.Throws<ArgumentOutOfRangeException>(() => new Affine { Scale = new FloatRange(0, 1) }).ParamName);
        Assert.Equal("RotationDegrees", Assert.Throws<ArgumentOutOfRangeException>(() => new Affine { RotationDegrees = new FloatRange(-200, 0) }).ParamName);
        Assert.Equal("Amount", Assert.Throws<ArgumentOutOfRangeException>(() => new SaltAndPepperNoise { Amount = 2 }).ParamName);
        Assert.Equal("MaxDegrees", Assert.Throws<ArgumentOutOfRangeException>(() => new HueShift { MaxDegrees = 400 }).ParamName);
    }
}
