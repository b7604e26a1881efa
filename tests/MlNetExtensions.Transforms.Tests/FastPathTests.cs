using Microsoft.ML.Data;
using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions.Transforms.Tests;

/// <summary>
/// The SIMD, packed-pixel and batched kernels against the simple reference kernels they replace: same draws, and
/// bit-identical values (compared by their bits, so −0 and NaN payloads count too).
/// </summary>
public class FastPathTests
{
    private static MLImage RandomMLImage(int width, int height, MLPixelFormat format, ulong seed, bool randomAlpha = true)
    {
        var bytes = new byte[width * height * 4];
        var r = new RandomStream(seed);
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)r.NextInt(256);
        if (!randomAlpha) for (int i = 3; i < bytes.Length; i += 4) bytes[i] = 255;
        return MLImage.CreateFromPixels(width, height, format, bytes);
    }

    private static uint[] Bits(ReadOnlySpan<float> values)
    {
        var bits = new uint[values.Length];
        for (int i = 0; i < values.Length; i++) bits[i] = BitConverter.SingleToUInt32Bits(values[i]);
        return bits;
    }

    /// <summary>Applies the operations as the getter does, through the packed path (fast) or the scalar planar conversion (reference).</summary>
    private static byte[] Augment(MLImage image, AugmentationOperation[] ops, ulong position, bool fast)
    {
        var buffer = new PixelBuffer();
        if (fast) PixelConversion.FromImage(image, buffer);
        else PixelConversion.FromImageScalar(image, buffer);
        AugmentationOperation.ApplyAll(ops, 7, 0, position, buffer);
        using var result = fast ? PixelConversion.ToImage(buffer, image) : PixelConversion.ToImageScalar(buffer, image);
        return result.Pixels.ToArray();
    }

    [Fact]
    public void EveryByteSurvivesTheFloatRoundTrip()
    {
        for (int b = 0; b < 256; b++) Assert.Equal((byte)b, PixelConversion.ToByte(b * (1f / 255f)));
    }

    [Fact]
    public void CreateFromPixelsCopiesTheBytes()
    {
        // The getter reuses its output byte array, which is only sound if each image owns a copy.
        var bytes = new byte[4 * 4 * 4];
        bytes.AsSpan().Fill(10);
        using var image = MLImage.CreateFromPixels(4, 4, MLPixelFormat.Bgra32, bytes);
        bytes.AsSpan().Fill(200);
        Assert.All(image.Pixels.ToArray(), b => Assert.Equal(10, b));
    }

    [Theory]
    [InlineData(224, 224, MLPixelFormat.Bgra32)]
    [InlineData(13, 7, MLPixelFormat.Rgba32)]
    [InlineData(1, 1, MLPixelFormat.Bgra32)]
    public void UnpackingEqualsTheScalarConversion(int width, int height, MLPixelFormat format)
    {
        using var image = RandomMLImage(width, height, format, 11);
        var fast = new PixelBuffer();
        var reference = new PixelBuffer();
        PixelConversion.FromImage(image, fast);
        Assert.True(fast.IsPacked);
        PixelConversion.FromImageScalar(image, reference);
        Assert.Equal(Bits(reference.Data), Bits(fast.Data));
        Assert.False(fast.IsPacked);
    }

    [Theory]
    [InlineData(224, 224, MLPixelFormat.Bgra32)]
    [InlineData(13, 7, MLPixelFormat.Rgba32)]
    public void PackingEqualsTheScalarConversion(int width, int height, MLPixelFormat format)
    {
        using var image = RandomMLImage(width, height, format, 12);
        var buffer = TestData.RandomImage(3, height, width, 5);
        var d = buffer.Data;
        var r = new RandomStream(9);
        for (int i = 0; i < d.Length; i++) d[i] = 1.2f * r.NextSingle() - 0.1f; // beyond [0, 1] too
        d[0] = float.NaN; d[1] = -0f; d[2] = 0.5f / 255f; d[3] = 1.5f / 255f; d[4] = float.PositiveInfinity; d[5] = float.NegativeInfinity;
        using var fast = PixelConversion.ToImage(buffer, image);
        using var reference = PixelConversion.ToImageScalar(buffer, image);
        Assert.Equal(reference.Pixels.ToArray(), fast.Pixels.ToArray());
    }

    [Fact]
    public void PixelVectorConversionsEqualTheScalarLoops()
    {
        var r = new RandomStream(3);
        var values = new float[3 * 9 * 11];
        for (int i = 0; i < values.Length; i++) values[i] = 255f * r.NextSingle() - 3f;
        foreach (var (min, max) in new[] { (0f, 255f), (-1f, 1f), (0f, 1f) })
        {
            var buffer = new PixelBuffer();
            PixelConversion.FromVector(values, ImageShape.Rgb(9, 11), min, max, buffer);
            float scale = 1f / (max - min);
            var expected = values.Select(v => min == 0f ? v * scale : (v - min) * scale).ToArray();
            Assert.Equal(Bits(expected), Bits(buffer.Data));
            var back = new float[values.Length];
            PixelConversion.ToVector(buffer, min, max, back);
            Assert.Equal(Bits(expected.Select(v => v * (max - min) + min).ToArray()), Bits(back));
        }
    }

    public static TheoryData<string> PermutationChains => new()
    {
        "hflip", "vflip", "translate", "translate-reflect", "translate-replicate", "translate-white", "translate-grey",
        "hflip+translate+vflip", "hflip+noise", "translate+affine", "vflip+hue", "translate-grey+jitter",
        "never", "never+hflip", "affine-black", "affine-grey", "hflip+affine-grey", "elastic", "elastic-small", "translate+elastic+noise", "affine-black+hflip",
    };

    private static AugmentationOperation[] Chain(string name) => name.Split('+').Select<string, AugmentationOperation>(op => op switch
    {
        "hflip" => new HorizontalFlip { Probability = 1 },
        "never" => new HorizontalFlip { Probability = 0 },
        "vflip" => new VerticalFlip { Probability = 1 },
        "translate" => new Translation { Probability = 1, MaxShiftX = 0.3f, MaxShiftY = 0.3f },
        "translate-reflect" => new Translation { Probability = 1, MaxShiftX = 0.4f, MaxShiftY = 0.4f, Border = BorderMode.Reflect },
        "translate-replicate" => new Translation { Probability = 1, MaxShiftX = 0.4f, MaxShiftY = 0.4f, Border = BorderMode.Replicate },
        "translate-white" => new Translation { Probability = 1, MaxShiftX = 0.3f, FillValue = 1f },
        "translate-grey" => new Translation { Probability = 1, MaxShiftX = 0.3f, FillValue = 0.3f },
        "noise" => new GaussianNoise { Probability = 1, StandardDeviation = 0.1f },
        "affine" => new Affine { Probability = 1, Scale = new FloatRange(0.8f, 1.2f), Border = BorderMode.Reflect },
        "affine-black" => new Affine { Probability = 1, Scale = new FloatRange(0.7f, 1.3f), ShearXDegrees = FloatRange.Symmetric(10) },
        "affine-grey" => new Affine { Probability = 1, RotationDegrees = FloatRange.Symmetric(90), FillValue = 0.3f },
        "elastic" => new ElasticDeformation { Probability = 1, Alpha = 34, Sigma = 4 },
        "elastic-small" => new ElasticDeformation { Probability = 1, Alpha = 3, Sigma = 1, FillValue = 0.7f },
        "hue" => new HueShift { Probability = 1 },
        "jitter" => new ColorJitter { Probability = 1, HueDegrees = 10 },
        _ => throw new ArgumentException(op),
    }).ToArray();

    [Theory]
    [MemberData(nameof(PermutationChains))]
    public void PackedPixelsGiveTheSameImageAsThePlanarPath(string chain)
    {
        var ops = Chain(chain);
        foreach (var format in new[] { MLPixelFormat.Bgra32, MLPixelFormat.Rgba32 })
        {
            using var image = RandomMLImage(37, 23, format, 21);
            for (ulong position = 0; position < 12; position++)
                Assert.Equal(Augment(image, ops, position, fast: false), Augment(image, ops, position, fast: true));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(784)]
    [InlineData(3 * 224 * 224)]
    public void BatchedNormalsEqualTheScalarBoxMuller(int length)
    {
        for (ulong seed = 0; seed < 8; seed++)
        {
            var fast = new float[length];
            var reference = new float[length];
            var a = new RandomStream(seed);
            var b = new RandomStream(seed);
            NoiseKernels.FillStandardNormal(fast, ref a);
            NoiseKernels.FillStandardNormalScalar(reference, ref b);
            Assert.Equal(Bits(reference), Bits(fast));
            Assert.Equal(b.NextUInt64(), a.NextUInt64()); // same number of draws
            var c = new RandomStream(seed);
            var narrow = new float[length];
            NoiseKernels.FillStandardNormal(narrow, ref c, use512: false); // the 256-bit path, also where AVX-512 exists
            Assert.Equal(Bits(reference), Bits(narrow));
        }
    }

    [Fact]
    public void BatchedNormalsEqualTheScalarBoxMullerOnManyValues()
    {
        var fast = new float[1 << 20];
        var reference = new float[1 << 20];
        for (ulong seed = 100; seed < 104; seed++)
        {
            var a = new RandomStream(seed);
            var b = new RandomStream(seed);
            NoiseKernels.FillStandardNormal(fast, ref a);
            NoiseKernels.FillStandardNormalScalar(reference, ref b);
            Assert.Equal(Bits(reference), Bits(fast));
            var c = new RandomStream(seed);
            NoiseKernels.FillStandardNormal(fast, ref c, use512: false);
            Assert.Equal(Bits(reference), Bits(fast));
        }
    }

    [Fact]
    public void ClampLoopsMatchMathClamp()
    {
        var values = new float[] { float.NaN, -0f, 0f, -1e-30f, 1f, 1.0000001f, 0.3f, float.NegativeInfinity, float.PositiveInfinity, 2f, -2f, 0.999f, 0.5f, 0.25f, -0.25f, 1.25f, 0.75f };
        var noise = values.Select((_, i) => (i % 5 - 2) * 0.37f).ToArray();
        var fast = values.ToArray();
        VectorMath.AddScaledClamp01(fast, 0.01f, 0.2f, noise);
        var expected = values.Select((v, i) => Math.Clamp(v + 0.01f + 0.2f * noise[i], 0f, 1f)).ToArray();
        Assert.Equal(Bits(expected), Bits(fast));
        fast = values.ToArray();
        VectorMath.Clamp01(fast);
        Assert.Equal(Bits(values.Select(v => Math.Clamp(v, 0f, 1f)).ToArray()), Bits(fast));
    }

    [Fact]
    public void VectorLogAndSinCosStayFarInsideTheSamplerGuard()
    {
        // FillStandardNormal recomputes a value with Math's functions when it lies within 1e-12 relative (1e-13
        // absolute) of a float rounding boundary; that is exact only if the vector functions are much closer than that.
        var r = new RandomStream(5);
        var inputs = new List<double>();
        for (int i = 0; i < 200_000; i++) inputs.Add(1.0 - r.NextDouble());
        for (int k = 0; k < 2000; k++) { inputs.Add(1.0 - k * Math.Pow(2, -53)); inputs.Add(Math.Pow(2, -53) * (k + 1)); }
        foreach (var edge in new[] { Math.Sqrt(0.5), Math.Sqrt(2), Math.BitDecrement(Math.Sqrt(2)), Math.BitIncrement(Math.Sqrt(2)), 0.5, 0.25, double.Epsilon, 0.0, -1.0, double.NaN, double.PositiveInfinity })
            inputs.Add(edge);
        var x = inputs.ToArray();
        var log = new double[x.Length];
        DoubleVectorMath.Log(x, log);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = Math.Log(x[i]);
            if (!double.IsFinite(expected)) { Assert.Equal(expected, log[i]); continue; }
            Assert.True(Math.Abs(log[i] - expected) <= 1e-15 * Math.Abs(expected) + 1e-300, $"log({x[i]:R}) = {log[i]:R}, Math.Log gives {expected:R}");
        }

        var angles = new List<double>();
        for (int i = 0; i < 200_000; i++) angles.Add(2.0 * Math.PI * r.NextDouble());
        for (int q = 0; q <= 5; q++)
            for (int k = -50; k <= 50; k++) angles.Add(q * (Math.PI / 2) + k * 1e-9 * Math.Pow(1.5, Math.Abs(k) % 20));
        angles.AddRange(new[] { 0.0, -0.0, Math.PI / 4, -8.0, 8.0, 8.5, 100.0, double.NaN });
        var a = angles.ToArray();
        var sin = new double[a.Length];
        var cos = new double[a.Length];
        DoubleVectorMath.SinCos(a, sin, cos);
        for (int i = 0; i < a.Length; i++)
        {
            var (es, ec) = Math.SinCos(a[i]);
            if (double.IsNaN(a[i])) { Assert.True(double.IsNaN(sin[i]) && double.IsNaN(cos[i])); continue; }
            Assert.True(Math.Abs(sin[i] - es) <= 1e-15 * Math.Abs(es) + 1e-16, $"sin({a[i]:R}) = {sin[i]:R}, Math gives {es:R}");
            Assert.True(Math.Abs(cos[i] - ec) <= 1e-15 * Math.Abs(ec) + 1e-16, $"cos({a[i]:R}) = {cos[i]:R}, Math gives {ec:R}");
        }
    }

    [Theory]
    [InlineData(28, 28, 4f)]
    [InlineData(224, 224, 4f)]
    [InlineData(13, 9, 0.7f)]
    [InlineData(5, 3, 6f)]   // radius far beyond the field
    [InlineData(40, 17, 2.5f)]
    public void SimdBlurEqualsTheReference(int width, int height, float sigma)
    {
        var r = new RandomStream(8);
        var field = new float[width * height];
        for (int i = 0; i < field.Length; i++) field[i] = 2f * r.NextSingle() - 1f;
        var reference = field.ToArray();
        GeometryKernels.GaussianBlur(field, new float[field.Length], width, height, sigma);
        GeometryKernels.GaussianBlurReference(reference, new float[field.Length], width, height, sigma);
        Assert.Equal(Bits(reference), Bits(field));
    }

    [Theory]
    [InlineData(1, 28, 28, BorderMode.Constant)]
    [InlineData(3, 37, 21, BorderMode.Reflect)]
    [InlineData(3, 16, 9, BorderMode.Replicate)]
    [InlineData(1, 5, 3, BorderMode.Reflect)]
    [InlineData(3, 11, 10, BorderMode.Constant)]
    [InlineData(1, 9, 8, BorderMode.Replicate)]
    public void VectorResamplingEqualsTheReference(int channels, int height, int width, BorderMode mode)
    {
        var r = new RandomStream(4);
        int n = height * width;
        var dx = new float[n]; var dy = new float[n];
        for (int i = 0; i < n; i++) { dx[i] = 6f * r.NextSingle() - 3f; dy[i] = 6f * r.NextSingle() - 3f; }
        dx[0] = 0f; dy[0] = 0f; dx[^1] = 0.5f; // exact grid points and edges
        for (int i = 1; i < n; i += 7) { dx[i] = MathF.Round(dx[i]); dy[i] = MathF.Round(dy[i] * 2f) * 0.5f; }
        var image = TestData.RandomImage(channels, height, width, 6);
        image.Data[0] = -0f; image.Data[^1] = -0f;
        var reference = TestData.Copy(image);
        GeometryKernels.Displace(image, dx, dy, mode, 0.25f);
        GeometryKernels.DisplaceReference(reference, dx, dy, mode, 0.25f);
        Assert.Equal(Bits(reference.Data), Bits(image.Data));

        foreach (var (angle, scale, tx, ty) in new[] { (0.26f, 1.1f, 1.5f, -0.75f), (-0.2f, 0.9f, 0f, 0f), (0f, 1f, 2f, -1f), (0f, 1f, 0.5f, 3f), (3.1f, 0.5f, 1.5f, -0.75f) })
        {
            var a = TestData.RandomImage(channels, height, width, 7);
            a.Data[0] = -0f; a.Data[^1] = -0f; a.Data[width] = -0f;
            var b = TestData.Copy(a);
            var (sin, cos) = MathF.SinCos(angle);
            GeometryKernels.AffineInverse(a, cos / scale, sin / scale, -sin / scale, cos / scale, tx, ty, mode, 0.6f);
            GeometryKernels.AffineInverseReference(b, cos / scale, sin / scale, -sin / scale, cos / scale, tx, ty, mode, 0.6f);
            Assert.Equal(Bits(b.Data), Bits(a.Data));
        }
    }

    [Theory]
    [InlineData(224, 224)]
    [InlineData(7, 5)]
    public void SimdColourKernelsEqualTheReferences(int height, int width)
    {
        foreach (float degrees in new[] { 13f, -20f, 180f, 0.001f, 359.99f, -179.5f })
        {
            var a = ColourImage(height, width, 31);
            var b = TestData.Copy(a);
            ColorKernels.ShiftHue(a, degrees);
            ColorKernels.ShiftHueReference(b, degrees);
            Assert.Equal(Bits(b.Data), Bits(a.Data));
        }
        foreach (float factor in new[] { 0f, 0.8f, 1.2f, 3f })
        {
            var a = ColourImage(height, width, 32); var b = TestData.Copy(a);
            ColorKernels.Brightness(a, factor); ColorKernels.BrightnessReference(b, factor);
            Assert.Equal(Bits(b.Data), Bits(a.Data));
            ColorKernels.Contrast(a, factor); ColorKernels.ContrastReference(b, factor);
            Assert.Equal(Bits(b.Data), Bits(a.Data));
            ColorKernels.Saturation(a, factor); ColorKernels.SaturationReference(b, factor);
            Assert.Equal(Bits(b.Data), Bits(a.Data));
            ColorKernels.AddPerChannel(a, 0.1f * factor, -0.05f, 0.2f); ColorKernels.AddPerChannelReference(b, 0.1f * factor, -0.05f, 0.2f);
            Assert.Equal(Bits(b.Data), Bits(a.Data));
        }
        var grey = TestData.RandomImage(1, height, width, 33); var greyRef = TestData.Copy(grey);
        ColorKernels.Contrast(grey, 1.3f); ColorKernels.ContrastReference(greyRef, 1.3f);
        Assert.Equal(Bits(greyRef.Data), Bits(grey.Data));
    }

    /// <summary>Random colours with greys, equal channels, pure hues, 0/1 extremes and −0 mixed in.</summary>
    private static PixelBuffer ColourImage(int height, int width, ulong seed)
    {
        var image = TestData.RandomImage(3, height, width, seed);
        var r = image.Plane(0); var g = image.Plane(1); var b = image.Plane(2);
        var rng = new RandomStream(seed + 1);
        for (int i = 0; i < r.Length; i++)
        {
            switch (rng.NextInt(8))
            {
                case 0: g[i] = r[i]; b[i] = r[i]; break;            // grey
                case 1: g[i] = r[i]; break;                         // two equal maxima or minima
                case 2: r[i] = 1f; g[i] = 0f; break;                // saturated
                case 3: r[i] = -0f; g[i] = 0f; b[i] = 0f; break;    // black with −0
                case 4: b[i] = r[i]; break;
                default: break;
            }
        }
        return image;
    }
}
