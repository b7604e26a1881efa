using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>
/// One step of an image augmentation pipeline (see <c>mlContext.Transforms.AugmentImages</c>): applied to each image
/// with probability <see cref="Probability"/>, with its parameters drawn afresh for each image and pass.
/// Intensity parameters are fractions of the pixel range (0 = black, 1 = white), so an operation means the same on
/// an <c>MLImage</c> (bytes 0–255) and on a pixel vector of any declared range.
/// </summary>
public abstract class AugmentationOperation
{
    private float _probability = 0.5f;

    private protected AugmentationOperation() { }

    /// <summary>Probability that the operation is applied to an image. Range [0, 1]. Default 0.5.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [0, 1].</exception>
    public float Probability
    {
        get => _probability;
        init => _probability = Check.Probability(value, nameof(Probability));
    }

    /// <summary>Whether the operation needs RGB images (3 channels).</summary>
    internal virtual bool NeedsColour => false;

    /// <summary>Applies the operation to <paramref name="image"/>, drawing its parameters from <paramref name="random"/>.</summary>
    internal abstract void Apply(PixelBuffer image, ref RandomStream random);

    /// <summary>The tag identifying the operation's type in a model file.</summary>
    internal abstract byte Tag { get; }

    /// <summary>Writes the operation's parameters (after the tag and probability).</summary>
    internal abstract void WriteParameters(BinaryWriter writer);

    /// <summary>
    /// Applies <paramref name="operations"/> in order to <paramref name="image"/>; operation i draws from the stream
    /// determined by (seed, pass, row position, i) only: first whether it applies, then its parameters.
    /// </summary>
    internal static void ApplyAll(IReadOnlyList<AugmentationOperation> operations, ulong seed, ulong pass, ulong position, PixelBuffer image)
    {
        for (int i = 0; i < operations.Count; i++)
        {
            var random = StreamFor(seed, pass, position, i);
            if (random.NextSingle() < operations[i].Probability) operations[i].Apply(image, ref random);
        }
    }

    /// <summary>Salt that keeps augmentation's streams apart from other components' (noise injection) for the same seed.</summary>
    private static readonly ulong StreamSalt = RandomStream.Salt("AugmentImages");

    /// <summary>The random stream of operation <paramref name="index"/> for a row of a pass.</summary>
    internal static RandomStream StreamFor(ulong seed, ulong pass, ulong position, int index)
        => RandomStream.For(seed ^ StreamSalt, pass, position, (ulong)index);

    /// <summary>Writes the operation to a model file.</summary>
    internal void Write(BinaryWriter writer)
    {
        writer.Write(Tag);
        writer.Write(Probability);
        WriteParameters(writer);
    }

    /// <summary>Reads an operation written by <see cref="Write"/>.</summary>
    internal static AugmentationOperation Read(BinaryReader reader)
    {
        byte tag = reader.ReadByte();
        float p = reader.ReadSingle();
        return tag switch
        {
            HorizontalFlip.TagValue => new HorizontalFlip { Probability = p },
            VerticalFlip.TagValue => new VerticalFlip { Probability = p },
            Translation.TagValue => Translation.ReadParameters(reader, p),
            Affine.TagValue => Affine.ReadParameters(reader, p),
            ElasticDeformation.TagValue => ElasticDeformation.ReadParameters(reader, p),
            GaussianNoise.TagValue => GaussianNoise.ReadParameters(reader, p),
            SaltAndPepperNoise.TagValue => SaltAndPepperNoise.ReadParameters(reader, p),
            HueShift.TagValue => HueShift.ReadParameters(reader, p),
            ColorJitter.TagValue => ColorJitter.ReadParameters(reader, p),
            FancyPca.TagValue => FancyPca.ReadParameters(reader, p),
            _ => throw new FormatException($"Unknown augmentation operation tag {tag} in the model file."),
        };
    }

    /// <summary>Writes a range.</summary>
    private protected static void WriteRange(BinaryWriter writer, FloatRange range)
    {
        writer.Write(range.Minimum);
        writer.Write(range.Maximum);
    }

    /// <summary>Reads a range.</summary>
    private protected static FloatRange ReadRange(BinaryReader reader) => new(reader.ReadSingle(), reader.ReadSingle());

    /// <summary>A uniform draw in <paramref name="range"/>.</summary>
    private protected static float Draw(ref RandomStream random, FloatRange range)
        => range.Minimum + (range.Maximum - range.Minimum) * random.NextSingle();
}

/// <summary>Argument checks that name the offending option.</summary>
internal static class Check
{
    public static float Probability(float value, string name)
        => value is >= 0f and <= 1f ? value
        : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a probability in [0, 1].");

    public static float NonNegative(float value, string name)
        => value >= 0f && float.IsFinite(value) ? value
        : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite, non-negative number.");

    public static float Positive(float value, string name)
        => value > 0f && float.IsFinite(value) ? value
        : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite, positive number.");

    public static FloatRange RangeWithin(FloatRange value, float min, float max, string name)
        => value.Minimum >= min && value.Maximum <= max ? value
        : throw new ArgumentOutOfRangeException(name, value, $"{name} must lie within [{min}, {max}].");

    public static T Defined<T>(T value, string name) where T : struct, Enum
        => Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} is not a valid {typeof(T).Name}.");
}
