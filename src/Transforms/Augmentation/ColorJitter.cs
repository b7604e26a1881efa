using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>
/// Colour jitter as torchvision's <c>ColorJitter</c>, in a fixed order: brightness (values × b), contrast (blend with
/// the mean luma, factor c), saturation (blend with each pixel's luma, factor s), hue (HSV rotation). b, c and s are
/// drawn uniformly in [max(0, 1 − x), 1 + x] for the option's value x, the hue angle in ±<see cref="HueDegrees"/>.
/// Brightness and contrast work on grey images; saturation and hue need RGB.
/// </summary>
public sealed class ColorJitter : AugmentationOperation
{
    internal const byte TagValue = 9;
    private readonly float _brightness = 0.2f, _contrast = 0.2f, _saturation = 0.2f, _hue;

    /// <summary>Brightness jitter x: values are multiplied by a factor in [max(0, 1 − x), 1 + x]. Range [0, ∞). Default 0.2.</summary>
    public float Brightness { get => _brightness; init => _brightness = Check.NonNegative(value, nameof(Brightness)); }

    /// <summary>Contrast jitter x: blend with the mean luma by a factor in [max(0, 1 − x), 1 + x]. Range [0, ∞). Default 0.2.</summary>
    public float Contrast { get => _contrast; init => _contrast = Check.NonNegative(value, nameof(Contrast)); }

    /// <summary>
    /// Saturation jitter x: blend with each pixel's luma by a factor in [max(0, 1 − x), 1 + x]; a positive value needs RGB
    /// images (a grey column is rejected at Fit). Range [0, ∞). Default 0.2.
    /// </summary>
    public float Saturation { get => _saturation; init => _saturation = Check.NonNegative(value, nameof(Saturation)); }

    /// <summary>Largest hue rotation in degrees; a positive value needs RGB images. Range [0, 180]. Default 0.</summary>
    public float HueDegrees
    {
        get => _hue;
        init => _hue = value is >= 0f and <= 180f ? value : throw new ArgumentOutOfRangeException(nameof(HueDegrees), value, "HueDegrees must lie within [0, 180].");
    }

    internal override bool NeedsColour => Saturation > 0f || HueDegrees > 0f;
    internal override byte Tag => TagValue;

    private static float Factor(ref RandomStream random, float x) => random.NextSingle(Math.Max(0f, 1f - x), 1f + x);

    internal override void Apply(PixelBuffer image, ref RandomStream random)
    {
        float b = Factor(ref random, Brightness), c = Factor(ref random, Contrast), s = Factor(ref random, Saturation);
        float h = random.NextSingle(-HueDegrees, HueDegrees);
        if (Brightness > 0f) ColorKernels.Brightness(image, b);
        if (Contrast > 0f) ColorKernels.Contrast(image, c);
        if (Saturation > 0f) ColorKernels.Saturation(image, s);
        if (HueDegrees > 0f) ColorKernels.ShiftHue(image, h);
    }

    internal override void WriteParameters(BinaryWriter writer)
    {
        writer.Write(Brightness); writer.Write(Contrast); writer.Write(Saturation); writer.Write(HueDegrees);
    }

    internal static ColorJitter ReadParameters(BinaryReader reader, float p) => new()
    {
        Probability = p, Brightness = reader.ReadSingle(), Contrast = reader.ReadSingle(), Saturation = reader.ReadSingle(), HueDegrees = reader.ReadSingle(),
    };
}
