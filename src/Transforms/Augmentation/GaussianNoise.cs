using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>
/// Adds independent Gaussian noise to every value of the image (each channel separately), then clamps to the pixel
/// range. The standard deviation is a fraction of the pixel range (0.05 ≈ 13 grey levels on 0–255).
/// </summary>
public sealed class GaussianNoise : AugmentationOperation
{
    internal const byte TagValue = 6;
    private readonly float _std = 0.05f, _mean;

    /// <summary>Standard deviation σ as a fraction of the pixel range. Range [0, ∞). Default 0.05.</summary>
    public float StandardDeviation { get => _std; init => _std = Check.NonNegative(value, nameof(StandardDeviation)); }

    /// <summary>Mean of the noise as a fraction of the pixel range. Range (−∞, ∞) (any finite value). Default 0.</summary>
    public float Mean { get => _mean; init => _mean = float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(Mean), value, "Mean must be finite."); }

    internal override byte Tag => TagValue;

    internal override void Apply(PixelBuffer image, ref RandomStream random)
    {
        var noise = image.Temp(0, image.Length).AsSpan(0, image.Length);
        NoiseKernels.FillStandardNormal(noise, ref random);
        VectorMath.AddScaledClamp01(image.Data, Mean, StandardDeviation, noise);
    }

    internal override void WriteParameters(BinaryWriter writer) { writer.Write(StandardDeviation); writer.Write(Mean); }

    internal static GaussianNoise ReadParameters(BinaryReader reader, float p)
        => new() { Probability = p, StandardDeviation = reader.ReadSingle(), Mean = reader.ReadSingle() };
}
