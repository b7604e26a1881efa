using Microsoft.ML;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Transforms;

namespace MlNetExtensions;

/// <summary>
/// Entry points of the training-time transforms on <c>mlContext.Transforms</c>. All of them act in training only:
/// see <see cref="TrainingOnlyTransformerBase"/>.
/// </summary>
public static class TransformsCatalogExtensions
{
    /// <summary>
    /// Augments images in training: the <paramref name="operations"/> are applied in order to each image of an
    /// <c>MLImage</c> column (place it after <c>LoadImages</c>, before <c>ResizeImages</c>) or of a pixel-vector column
    /// (after <c>ExtractPixels</c>, or grey rows such as MNIST's), each with its own probability, drawing fresh
    /// parameters on every pass over the data.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">Name of the augmented column (may equal the input's); non-empty.</param>
    /// <param name="operations">
    /// The operations, e.g. <c>new Affine { RotationDegrees = FloatRange.Symmetric(10) }</c>; not null, and no entry may be
    /// null.
    /// </param>
    /// <param name="inputColumnName">Name of the source column. Default null: <paramref name="outputColumnName"/>.</param>
    /// <param name="seed">Seed of the draws. Range [int.MinValue, int.MaxValue] (any int). Default 0.</param>
    /// <param name="shape">Layout of a pixel-vector column. Default null: inferred (see <see cref="ImageAugmentationOptions.Shape"/>).</param>
    /// <param name="pixelMaximum">Value of white in a pixel-vector column (black is 0). Range (0, ∞). Default 255.</param>
    /// <returns>The estimator.</returns>
    public static ImageAugmentationEstimator AugmentImages(this TransformsCatalog catalog, string outputColumnName,
        IEnumerable<AugmentationOperation> operations, string? inputColumnName = null, int seed = 0, ImageShape? shape = null,
        float pixelMaximum = 255f)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return catalog.AugmentImages(new ImageAugmentationOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Operations = operations.ToList(),
            Seed = seed, Shape = shape, PixelMaximum = pixelMaximum,
        });
    }

    /// <summary>Augments images in training, with all options.</summary>
    /// <param name="catalog"><c>mlContext.Transforms</c>.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static ImageAugmentationEstimator AugmentImages(this TransformsCatalog catalog, ImageAugmentationOptions options)
        => new(CatalogEnvironment.Of(catalog), options);

    /// <summary>
    /// Replaces a key-typed label with K classes by soft targets (<c>Vector&lt;Single, K&gt;</c> with the classes as slot
    /// names) in training: 1 − ε on the true class and ε/(K − 1) on the others, or the uniform form. Elsewhere the
    /// column holds the one-hot target.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">Name of the soft-target column; non-empty. Default "Label".</param>
    /// <param name="inputColumnName">Name of the key-typed label. Default null: <paramref name="outputColumnName"/>.</param>
    /// <param name="epsilon">
    /// ε taken from the true class. Range [0, 1) (see <see cref="LabelSmoothingOptions.Epsilon"/> for the Lecture form's
    /// limit). Default 0.1.
    /// </param>
    /// <param name="form">How ε is spread; any defined member. Default <see cref="LabelSmoothingForm.Lecture"/>.</param>
    /// <returns>The estimator.</returns>
    public static LabelSmoothingEstimator SmoothLabels(this TransformsCatalog catalog, string outputColumnName = "Label",
        string? inputColumnName = null, float epsilon = 0.1f, LabelSmoothingForm form = LabelSmoothingForm.Lecture)
        => catalog.SmoothLabels(new LabelSmoothingOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Epsilon = epsilon, Form = form,
        });

    /// <summary>Label smoothing with all options.</summary>
    /// <param name="catalog"><c>mlContext.Transforms</c>.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static LabelSmoothingEstimator SmoothLabels(this TransformsCatalog catalog, LabelSmoothingOptions options)
        => new(CatalogEnvironment.Of(catalog), options);

    /// <summary>
    /// Adds noise to a <c>Vector&lt;Single&gt;</c> column in training (fresh draws each pass): additive or multiplicative
    /// Gaussian noise of standard deviation <paramref name="standardDeviation"/>, or masking.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Transforms</c>.</param>
    /// <param name="outputColumnName">Name of the noisy column; non-empty.</param>
    /// <param name="inputColumnName">Name of the source column. Default null: <paramref name="outputColumnName"/>.</param>
    /// <param name="kind">The kind of noise; any defined member. Default <see cref="NoiseKind.AdditiveGaussian"/>.</param>
    /// <param name="standardDeviation">σ for the Gaussian kinds (checked for every kind). Range [0, ∞). Default 0.1.</param>
    /// <param name="maskProbability">p for masking (checked for every kind). Range [0, 1). Default 0.1.</param>
    /// <param name="seed">Seed of the draws. Range [int.MinValue, int.MaxValue] (any int). Default 0.</param>
    /// <returns>The estimator.</returns>
    public static NoiseInjectionEstimator InjectNoise(this TransformsCatalog catalog, string outputColumnName,
        string? inputColumnName = null, NoiseKind kind = NoiseKind.AdditiveGaussian, float standardDeviation = 0.1f,
        float maskProbability = 0.1f, int seed = 0)
        => catalog.InjectNoise(new NoiseInjectionOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Kind = kind,
            StandardDeviation = standardDeviation, MaskProbability = maskProbability, Seed = seed,
        });

    /// <summary>Noise injection with all options.</summary>
    /// <param name="catalog"><c>mlContext.Transforms</c>.</param>
    /// <param name="options">The options.</param>
    /// <returns>The estimator.</returns>
    public static NoiseInjectionEstimator InjectNoise(this TransformsCatalog catalog, NoiseInjectionOptions options)
        => new(CatalogEnvironment.Of(catalog), options);
}
