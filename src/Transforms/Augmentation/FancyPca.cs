using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>
/// Fancy PCA colour augmentation (Krizhevsky, Sutskever and Hinton, 2012): adds the same RGB offset
/// Σᵢ pᵢ·aᵢ·λᵢ to every pixel of an image, where pᵢ, λᵢ are the eigenvectors and eigenvalues of the 3 × 3
/// covariance of RGB values (scaled to [0, 1]) and aᵢ ~ N(0, <see cref="AlphaStandardDeviation"/>) are drawn per
/// image. By default (AlexNet's way) the eigen-pairs are computed over the whole training set when the augmentation
/// estimator is fitted, saved with the model and readable from the fitted transformer's operations
/// (<see cref="Eigenvalues"/>, <see cref="Eigenvectors"/>); with <see cref="PerImage"/> they are computed from each
/// image (albumentations' way). RGB images only; a grey column is rejected.
/// </summary>
public sealed class FancyPca : AugmentationOperation
{
    internal const byte TagValue = 10;
    private readonly float _alphaStd = 0.1f;
    private float[]? _values;
    private float[]? _vectors;

    /// <summary>Standard deviation of the per-image coefficients aᵢ; 0 leaves images unchanged. Range [0, ∞). Default 0.1.</summary>
    public float AlphaStandardDeviation { get => _alphaStd; init => _alphaStd = Check.NonNegative(value, nameof(AlphaStandardDeviation)); }

    /// <summary>Whether the eigen-pairs are computed from each image instead of the training set. Default false.</summary>
    public bool PerImage { get; init; }

    /// <summary>The fitted eigenvalues λ₁ ≥ λ₂ ≥ λ₃ (in [0, 1]² units), or null before fitting or with <see cref="PerImage"/>.</summary>
    public IReadOnlyList<float>? Eigenvalues => _values;

    /// <summary>
    /// The fitted unit eigenvectors as a 3 × 3 array whose row k is pₖ in (R, G, B) order, or null before fitting or
    /// with <see cref="PerImage"/>. A copy.
    /// </summary>
    public float[,]? Eigenvectors
    {
        get
        {
            if (_vectors is null) return null;
            var m = new float[3, 3];
            for (int k = 0; k < 3; k++) for (int c = 0; c < 3; c++) m[k, c] = _vectors[k * 3 + c];
            return m;
        }
    }

    /// <summary>Whether this operation needs a pass over the training data when fitted.</summary>
    internal bool NeedsFitting => !PerImage && _values is null;

    internal override bool NeedsColour => true;
    internal override byte Tag => TagValue;

    /// <summary>A copy of this operation carrying eigen-pairs computed from <paramref name="covariance"/>.</summary>
    internal FancyPca WithCovariance(double[] covariance)
    {
        var (values, vectors) = RgbCovariance.Eigen(covariance);
        return new FancyPca
        {
            Probability = Probability, AlphaStandardDeviation = AlphaStandardDeviation, PerImage = PerImage,
            _values = values.Select(v => (float)Math.Max(0, v)).ToArray(), _vectors = vectors.Select(v => (float)v).ToArray(),
        };
    }

    internal override void Apply(PixelBuffer image, ref RandomStream random)
    {
        float a0 = (float)(AlphaStandardDeviation * random.NextGaussian());
        float a1 = (float)(AlphaStandardDeviation * random.NextGaussian());
        float a2 = (float)(AlphaStandardDeviation * random.NextGaussian());
        float[] values, vectors;
        if (PerImage)
        {
            var cov = new RgbCovariance();
            cov.Add(image);
            var (v, p) = RgbCovariance.Eigen(cov.Covariance());
            values = v.Select(x => (float)Math.Max(0, x)).ToArray();
            vectors = p.Select(x => (float)x).ToArray();
        }
        else
        {
            values = _values ?? throw new InvalidOperationException("FancyPca has no eigen-pairs: fit the augmentation estimator on RGB training data first.");
            vectors = _vectors!;
        }
        Span<float> w = stackalloc float[] { a0 * values[0], a1 * values[1], a2 * values[2] };
        float dr = 0, dg = 0, db = 0;
        for (int k = 0; k < 3; k++)
        {
            dr += vectors[k * 3 + 0] * w[k]; dg += vectors[k * 3 + 1] * w[k]; db += vectors[k * 3 + 2] * w[k];
        }
        if (dr == 0f && dg == 0f && db == 0f) return;
        ColorKernels.AddPerChannel(image, dr, dg, db);
    }

    internal override void WriteParameters(BinaryWriter writer)
    {
        writer.Write(AlphaStandardDeviation);
        writer.Write(PerImage);
        writer.Write(_values is not null);
        if (_values is null) return;
        foreach (var v in _values) writer.Write(v);
        foreach (var v in _vectors!) writer.Write(v);
    }

    internal static FancyPca ReadParameters(BinaryReader reader, float p)
    {
        float std = reader.ReadSingle();
        bool perImage = reader.ReadBoolean();
        float[]? values = null, vectors = null;
        if (reader.ReadBoolean())
        {
            values = new float[3]; vectors = new float[9];
            for (int i = 0; i < 3; i++) values[i] = reader.ReadSingle();
            for (int i = 0; i < 9; i++) vectors[i] = reader.ReadSingle();
        }
        return new FancyPca { Probability = p, AlphaStandardDeviation = std, PerImage = perImage, _values = values, _vectors = vectors };
    }
}
