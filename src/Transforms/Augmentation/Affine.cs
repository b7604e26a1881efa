using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>
/// Random affine distortion about the image centre: a rotation, an isotropic scale and a shear, each drawn uniformly
/// from its range, resampled with bilinear interpolation; pixels coming from outside the image follow
/// <see cref="Border"/>. Positive angles turn the content clockwise as seen on screen (y points down). With rotation
/// 0, scale 1 and shear 0 the image is returned unchanged.
/// </summary>
public sealed class Affine : AugmentationOperation
{
    internal const byte TagValue = 4;
    private readonly FloatRange _rotation = FloatRange.Symmetric(15f), _scale = FloatRange.Fixed(1f), _shearX = FloatRange.Fixed(0f), _shearY = FloatRange.Fixed(0f);
    private readonly BorderMode _border;
    private readonly float _fill;

    /// <summary>Rotation angle in degrees, drawn uniformly from this range. Range within [−180, 180]. Default [−15, 15].</summary>
    public FloatRange RotationDegrees { get => _rotation; init => _rotation = Check.RangeWithin(value, -180f, 180f, nameof(RotationDegrees)); }

    /// <summary>Scale factor, drawn uniformly from this range (1 = unchanged). Range within (0, ∞). Default [1, 1].</summary>
    public FloatRange Scale { get => _scale; init => _scale = value.Minimum > 0f ? value : throw new ArgumentOutOfRangeException(nameof(Scale), value, "Scale must be positive."); }

    /// <summary>Horizontal shear angle in degrees, drawn uniformly from this range. Range within [−60, 60]. Default [0, 0].</summary>
    public FloatRange ShearXDegrees { get => _shearX; init => _shearX = Check.RangeWithin(value, -60f, 60f, nameof(ShearXDegrees)); }

    /// <summary>Vertical shear angle in degrees, drawn uniformly from this range. Range within [−60, 60]. Default [0, 0].</summary>
    public FloatRange ShearYDegrees { get => _shearY; init => _shearY = Check.RangeWithin(value, -60f, 60f, nameof(ShearYDegrees)); }

    /// <summary>How pixels from outside the image are filled; any defined member. Default <see cref="BorderMode.Constant"/>.</summary>
    public BorderMode Border { get => _border; init => _border = Check.Defined(value, nameof(Border)); }

    /// <summary>Fill value for <see cref="BorderMode.Constant"/>, as a fraction of the pixel range. Range [0, 1]. Default 0 (black).</summary>
    public float FillValue { get => _fill; init => _fill = Check.Probability(value, nameof(FillValue)); }

    internal override byte Tag => TagValue;

    internal override void Apply(PixelBuffer image, ref RandomStream random)
    {
        float angle = Draw(ref random, RotationDegrees) * (MathF.PI / 180f);
        float scale = Draw(ref random, Scale);
        float shx = MathF.Tan(Draw(ref random, ShearXDegrees) * (MathF.PI / 180f));
        float shy = MathF.Tan(Draw(ref random, ShearYDegrees) * (MathF.PI / 180f));
        ApplyWith(image, angle, scale, shx, shy, Border, FillValue);
    }

    /// <summary>
    /// Applies the forward map A = scale · R(angle) · Sh (angle in radians) with Sh = [[1, shx], [0, 1]] · [[1, 0], [shy, 1]]
    /// = [[1 + shx·shy, shx], [shy, 1]]: two unit shears, so det Sh = 1 and the map only scales areas by scale², never
    /// folds or mirrors the image (a single matrix [[1, shx], [shy, 1]] would, for large shears on both axes).
    /// </summary>
    internal static void ApplyWith(PixelBuffer image, float angle, float scale, float shx, float shy, BorderMode border, float fill)
    {
        var (a00, a01, a10, a11) = ForwardMatrix(angle, scale, shx, shy);
        float det = a00 * a11 - a01 * a10;
        if (MathF.Abs(det) < 1e-12f) return; // only for a vanishing scale, which the options exclude
        GeometryKernels.AffineInverse(image, a11 / det, -a01 / det, -a10 / det, a00 / det, 0f, 0f, border, fill);
    }

    /// <summary>The forward map A = s · [[cos, −sin], [sin, cos]] · [[1 + shx·shy, shx], [shy, 1]].</summary>
    internal static (float A00, float A01, float A10, float A11) ForwardMatrix(float angle, float scale, float shx, float shy)
    {
        var (sin, cos) = MathF.SinCos(angle);
        float sh00 = 1f + shx * shy;
        return (scale * (cos * sh00 - sin * shy), scale * (cos * shx - sin),
                scale * (sin * sh00 + cos * shy), scale * (sin * shx + cos));
    }

    internal override void WriteParameters(BinaryWriter writer)
    {
        WriteRange(writer, RotationDegrees); WriteRange(writer, Scale); WriteRange(writer, ShearXDegrees); WriteRange(writer, ShearYDegrees);
        writer.Write((int)Border); writer.Write(FillValue);
    }

    internal static Affine ReadParameters(BinaryReader reader, float p) => new()
    {
        Probability = p, RotationDegrees = ReadRange(reader), Scale = ReadRange(reader), ShearXDegrees = ReadRange(reader),
        ShearYDegrees = ReadRange(reader), Border = (BorderMode)reader.ReadInt32(), FillValue = reader.ReadSingle(),
    };
}
