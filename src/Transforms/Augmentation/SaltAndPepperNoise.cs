using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>
/// Salt-and-pepper noise: each pixel (all its channels together) is replaced, with probability <see cref="Amount"/>,
/// by white (salt, with probability <see cref="SaltRatio"/>) or black (pepper).
/// </summary>
public sealed class SaltAndPepperNoise : AugmentationOperation
{
    internal const byte TagValue = 7;
    private readonly float _amount = 0.02f, _salt = 0.5f;

    /// <summary>Probability that a pixel is replaced. Range [0, 1]. Default 0.02.</summary>
    public float Amount { get => _amount; init => _amount = Check.Probability(value, nameof(Amount)); }

    /// <summary>Probability that a replaced pixel is white rather than black. Range [0, 1]. Default 0.5.</summary>
    public float SaltRatio { get => _salt; init => _salt = Check.Probability(value, nameof(SaltRatio)); }

    internal override byte Tag => TagValue;

    internal override void Apply(PixelBuffer image, ref RandomStream random)
    {
        int n = image.PlaneSize, channels = image.Channels;
        var d = image.Data;
        for (int i = 0; i < n; i++)
        {
            if (random.NextSingle() >= Amount) continue;
            float v = random.NextSingle() < SaltRatio ? 1f : 0f;
            for (int c = 0; c < channels; c++) d[c * n + i] = v;
        }
    }

    internal override void WriteParameters(BinaryWriter writer) { writer.Write(Amount); writer.Write(SaltRatio); }

    internal static SaltAndPepperNoise ReadParameters(BinaryReader reader, float p)
        => new() { Probability = p, Amount = reader.ReadSingle(), SaltRatio = reader.ReadSingle() };
}
