using Microsoft.ML;
using MlNetExtensions;

namespace ImageAugmentation;

/// <summary>Model Builder-style code for an image-preprocessing pipeline with training-time augmentation.</summary>
public static class AugmentationModel
{
    /// <summary>Each operation on its own (probability 1, so every tile shows it), with settings for 427×640 photos.</summary>
    public static IReadOnlyList<(string Name, AugmentationOperation Operation)> Operations { get; } = new (string, AugmentationOperation)[]
    {
        ("horizontal-flip", new HorizontalFlip { Probability = 1 }),
        ("vertical-flip", new VerticalFlip { Probability = 1 }),
        ("affine", new Affine { Probability = 1, RotationDegrees = FloatRange.Symmetric(20), Scale = new FloatRange(0.8f, 1.2f), ShearXDegrees = FloatRange.Symmetric(10) }),
        ("translation", new Translation { Probability = 1, MaxShiftX = 0.15f, MaxShiftY = 0.15f }),
        ("elastic", new ElasticDeformation { Probability = 1, Alpha = 600, Sigma = 14 }),
        ("gaussian-noise", new GaussianNoise { Probability = 1, StandardDeviation = 0.08f }),
        ("salt-and-pepper", new SaltAndPepperNoise { Probability = 1, Amount = 0.04f }),
        ("hue-shift", new HueShift { Probability = 1, MaxDegrees = 60 }),
        ("color-jitter", new ColorJitter { Probability = 1, Brightness = 0.3f, Contrast = 0.3f, Saturation = 0.4f, HueDegrees = 10 }),
        ("fancy-pca", new FancyPca { Probability = 1, AlphaStandardDeviation = 0.3f, PerImage = true }),   // a preview has no training set: eigen-pairs of the image itself
    };

    /// <summary>A typical composed policy: each operation fires with its own probability.</summary>
    public static AugmentationOperation[] Policy { get; } =
    {
        new HorizontalFlip(),                                                                    // p = 0.5
        new Affine { Probability = 0.7f, RotationDegrees = FloatRange.Symmetric(12), Scale = new FloatRange(0.9f, 1.15f) },
        new Translation { Probability = 0.5f, MaxShiftX = 0.08f, MaxShiftY = 0.08f },
        new ColorJitter { Probability = 0.8f, Brightness = 0.2f, Contrast = 0.2f, Saturation = 0.2f, HueDegrees = 8 },
        new GaussianNoise { Probability = 0.3f, StandardDeviation = 0.03f },
    };

    /// <summary>
    /// Load, augment (training only), resize to 32×32, extract pixels.
    /// </summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, string imageFolder, bool augment = true)
    {
        var load = mlContext.Transforms.LoadImages("Image", imageFolder, nameof(ModelInput.ImagePath));
        var resizeAndExtract = mlContext.Transforms.ResizeImages("Image", 32, 32)
            .Append(mlContext.Transforms.ExtractPixels("Pixels", "Image"));
        return augment
            ? load.Append(mlContext.Transforms.AugmentImages("Image", Policy, seed: 42))
                .Append(mlContext.Transforms.ResizeImages("Image", 32, 32))
                .Append(mlContext.Transforms.ExtractPixels("Pixels", "Image"))
            : load.Append(mlContext.Transforms.ResizeImages("Image", 32, 32))
                .Append(mlContext.Transforms.ExtractPixels("Pixels", "Image"));
    }
}
