using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>The unit of <see cref="Translation"/>'s maximum shifts.</summary>
public enum TranslationUnit
{
    /// <summary>
    /// A fraction of the image's width (horizontal) or height (vertical), as torchvision's <c>RandomAffine(translate=…)</c>.
    /// The default.
    /// </summary>
    Fraction = 0,

    /// <summary>Whole pixels.</summary>
    Pixels = 1,
}

/// <summary>
/// Random translation by whole pixels: the horizontal shift is drawn uniformly among the integers in
/// [−<see cref="MaxShiftX"/>, <see cref="MaxShiftX"/>] (converted to pixels and rounded when given as a fraction), the
/// vertical one likewise; uncovered pixels follow <see cref="Border"/>.
/// </summary>
public sealed class Translation : AugmentationOperation
{
    internal const byte TagValue = 3;
    private readonly float _maxX = 0.1f, _maxY = 0.1f, _fill;
    private readonly TranslationUnit _unit;
    private readonly BorderMode _border;

    /// <summary>
    /// Largest horizontal shift, in <see cref="Unit"/>s. Range [0, <see cref="MaxShift"/>] = [0, 10⁶]. Default 0.1 (10% of
    /// the width).
    /// </summary>
    public float MaxShiftX { get => _maxX; init => _maxX = Bounded(Check.NonNegative(value, nameof(MaxShiftX)), nameof(MaxShiftX)); }

    /// <summary>
    /// Largest vertical shift, in <see cref="Unit"/>s. Range [0, <see cref="MaxShift"/>] = [0, 10⁶]. Default 0.1 (10% of the
    /// height).
    /// </summary>
    public float MaxShiftY { get => _maxY; init => _maxY = Bounded(Check.NonNegative(value, nameof(MaxShiftY)), nameof(MaxShiftY)); }

    /// <summary>
    /// Largest accepted shift, in pixels or as a fraction: far beyond any image. As a fraction, the shift it gives in
    /// pixels (fraction × width or height) is capped at this many pixels.
    /// </summary>
    public const float MaxShift = 1_000_000f;

    private static float Bounded(float value, string name) =>
        value <= MaxShift ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at most {MaxShift}.");

    /// <summary>Unit of the shifts; any defined member. Default <see cref="TranslationUnit.Fraction"/>.</summary>
    public TranslationUnit Unit { get => _unit; init => _unit = Check.Defined(value, nameof(Unit)); }

    /// <summary>How uncovered pixels are filled; any defined member. Default <see cref="BorderMode.Constant"/>.</summary>
    public BorderMode Border { get => _border; init => _border = Check.Defined(value, nameof(Border)); }

    /// <summary>Fill value for <see cref="BorderMode.Constant"/>, as a fraction of the pixel range. Range [0, 1]. Default 0 (black).</summary>
    public float FillValue { get => _fill; init => _fill = Check.Probability(value, nameof(FillValue)); }

    internal override byte Tag => TagValue;

    /// <summary>The largest shifts in pixels for an image of the given size.</summary>
    /// <remarks>A fraction's shift is capped at <see cref="MaxShift"/> pixels (already far beyond the image), so that
    /// fraction × size cannot overflow the draw.</remarks>
    internal (int X, int Y) MaxPixels(int width, int height) => Unit == TranslationUnit.Pixels
        ? ((int)MathF.Round(MaxShiftX), (int)MathF.Round(MaxShiftY))
        : ((int)MathF.Min(MathF.Round(MaxShiftX * width), MaxShift), (int)MathF.Min(MathF.Round(MaxShiftY * height), MaxShift));

    /// <summary>Draws the shifts (dx, dy) in pixels.</summary>
    internal (int Dx, int Dy) DrawShift(ref RandomStream random, int width, int height)
    {
        var (mx, my) = MaxPixels(width, height);
        int dx = random.NextInt(2 * mx + 1) - mx;
        int dy = random.NextInt(2 * my + 1) - my;
        return (dx, dy);
    }

    internal override void Apply(PixelBuffer image, ref RandomStream random)
    {
        var (dx, dy) = DrawShift(ref random, image.Width, image.Height);
        GeometryKernels.Translate(image, dx, dy, Border, FillValue);
    }

    internal override void WriteParameters(BinaryWriter writer)
    {
        writer.Write(MaxShiftX); writer.Write(MaxShiftY); writer.Write((int)Unit); writer.Write((int)Border); writer.Write(FillValue);
    }

    internal static Translation ReadParameters(BinaryReader reader, float p) => new()
    {
        Probability = p, MaxShiftX = reader.ReadSingle(), MaxShiftY = reader.ReadSingle(),
        Unit = (TranslationUnit)reader.ReadInt32(), Border = (BorderMode)reader.ReadInt32(), FillValue = reader.ReadSingle(),
    };
}
