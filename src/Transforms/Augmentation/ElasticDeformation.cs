using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>
/// Elastic deformation (Simard, Steinkraus and Platt, 2003): each pixel's horizontal and vertical displacement is
/// drawn uniformly in [−1, 1], both fields are smoothed by a Gaussian of standard deviation <see cref="Sigma"/> pixels
/// and scaled by <see cref="Alpha"/> pixels, and the image is resampled bilinearly at the displaced positions. Small
/// σ gives random-looking noise, large σ a near-translation; Simard et al. used σ = 4, α = 34 on MNIST. α = 0 leaves
/// the image unchanged.
/// </summary>
public sealed class ElasticDeformation : AugmentationOperation
{
    internal const byte TagValue = 5;
    private readonly float _alpha = 34f, _sigma = 4f, _fill;
    private readonly BorderMode _border;

    /// <summary>Scale of the smoothed displacement field, in pixels; 0 leaves the image unchanged. Range [0, ∞). Default 34.</summary>
    public float Alpha { get => _alpha; init => _alpha = Check.NonNegative(value, nameof(Alpha)); }

    /// <summary>Standard deviation of the smoothing Gaussian, in pixels. Range (0, <see cref="MaxSigma"/>] = (0, 1000]. Default 4.</summary>
    public float Sigma { get => _sigma; init => _sigma = Check.Positive(value, nameof(Sigma)) <= MaxSigma ? value : throw new ArgumentOutOfRangeException(nameof(Sigma), value, $"Sigma must be at most {MaxSigma} pixels."); }

    /// <summary>Largest accepted <see cref="Sigma"/>: the Gaussian kernel spans ±3σ pixels, computed per image.</summary>
    public const float MaxSigma = 1000f;

    /// <summary>How pixels from outside the image are filled; any defined member. Default <see cref="BorderMode.Constant"/>.</summary>
    public BorderMode Border { get => _border; init => _border = Check.Defined(value, nameof(Border)); }

    /// <summary>Fill value for <see cref="BorderMode.Constant"/>, as a fraction of the pixel range. Range [0, 1]. Default 0 (black).</summary>
    public float FillValue { get => _fill; init => _fill = Check.Probability(value, nameof(FillValue)); }

    internal override byte Tag => TagValue;

    internal override void Apply(PixelBuffer image, ref RandomStream random)
    {
        int n = image.PlaneSize;
        var dx = image.Temp(0, n).AsSpan(0, n);
        var dy = image.Temp(1, n).AsSpan(0, n);
        var temp = image.Temp(2, n).AsSpan(0, n);
        NoiseKernels.FillUniformSymmetric(dx, ref random);
        NoiseKernels.FillUniformSymmetric(dy, ref random);
        if (Alpha == 0f) return;
        GeometryKernels.GaussianBlur(dx, temp, image.Width, image.Height, Sigma);
        GeometryKernels.GaussianBlur(dy, temp, image.Width, image.Height, Sigma);
        VectorMath.Scale(dx, Alpha, dx);
        VectorMath.Scale(dy, Alpha, dy);
        GeometryKernels.Displace(image, dx, dy, Border, FillValue);
    }

    internal override void WriteParameters(BinaryWriter writer)
    {
        writer.Write(Alpha); writer.Write(Sigma); writer.Write((int)Border); writer.Write(FillValue);
    }

    internal static ElasticDeformation ReadParameters(BinaryReader reader, float p) => new()
    {
        Probability = p, Alpha = reader.ReadSingle(), Sigma = reader.ReadSingle(), Border = (BorderMode)reader.ReadInt32(), FillValue = reader.ReadSingle(),
    };
}
