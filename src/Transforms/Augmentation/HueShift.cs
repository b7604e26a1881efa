using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>
/// Rotates the hue of every pixel by an angle drawn uniformly in [−<see cref="MaxDegrees"/>, <see cref="MaxDegrees"/>]
/// in HSV space; each pixel's value (max of R, G, B) and saturation are kept. RGB images only.
/// </summary>
public sealed class HueShift : AugmentationOperation
{
    internal const byte TagValue = 8;
    private readonly float _max = 20f;

    /// <summary>Largest hue rotation in degrees. Range [0, 180]. Default 20.</summary>
    public float MaxDegrees
    {
        get => _max;
        init => _max = value is >= 0f and <= 180f ? value : throw new ArgumentOutOfRangeException(nameof(MaxDegrees), value, "MaxDegrees must lie within [0, 180].");
    }

    internal override bool NeedsColour => true;
    internal override byte Tag => TagValue;

    internal override void Apply(PixelBuffer image, ref RandomStream random)
        => ColorKernels.ShiftHue(image, random.NextSingle(-MaxDegrees, MaxDegrees));

    internal override void WriteParameters(BinaryWriter writer) => writer.Write(MaxDegrees);

    internal static HueShift ReadParameters(BinaryReader reader, float p) => new() { Probability = p, MaxDegrees = reader.ReadSingle() };
}
