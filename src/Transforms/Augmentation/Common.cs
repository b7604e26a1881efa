namespace MlNetExtensions;

/// <summary>How geometric augmentations fill pixels that come from outside the source image.</summary>
public enum BorderMode
{
    /// <summary>A constant value (the operation's <c>FillValue</c>, 0 = black by default). The default.</summary>
    Constant = 0,

    /// <summary>Mirror the image without repeating the edge pixel (OpenCV's BORDER_REFLECT_101, albumentations' default).</summary>
    Reflect = 1,

    /// <summary>Repeat the edge pixel.</summary>
    Replicate = 2,
}

/// <summary>A closed range [<see cref="Minimum"/>, <see cref="Maximum"/>] from which a value is drawn uniformly.</summary>
public readonly record struct FloatRange
{
    /// <summary>Creates a range; <paramref name="minimum"/> must not exceed <paramref name="maximum"/>.</summary>
    /// <param name="minimum">Lower bound.</param>
    /// <param name="maximum">Upper bound.</param>
    /// <exception cref="ArgumentException">The range is inverted or not finite.</exception>
    public FloatRange(float minimum, float maximum)
    {
        if (!float.IsFinite(minimum) || !float.IsFinite(maximum))
            throw new ArgumentException($"Range bounds must be finite, got [{minimum}, {maximum}].");
        if (minimum > maximum)
            throw new ArgumentException($"Inverted range: minimum {minimum} is greater than maximum {maximum}.");
        Minimum = minimum;
        Maximum = maximum;
    }

    /// <summary>Lower bound.</summary>
    public float Minimum { get; }

    /// <summary>Upper bound.</summary>
    public float Maximum { get; }

    /// <summary>The range [-<paramref name="limit"/>, <paramref name="limit"/>].</summary>
    /// <param name="limit">A non-negative half-width.</param>
    public static FloatRange Symmetric(float limit) => new(-Math.Abs(limit), Math.Abs(limit));

    /// <summary>The single value <paramref name="value"/>.</summary>
    /// <param name="value">The value every draw returns.</param>
    public static FloatRange Fixed(float value) => new(value, value);

    /// <inheritdoc/>
    public override string ToString() => $"[{Minimum}, {Maximum}]";
}

/// <summary>The layout of an image stored in a pixel vector: channels × height × width, planar (as <c>ExtractPixels</c> makes it).</summary>
public readonly record struct ImageShape
{
    /// <summary>Creates a shape.</summary>
    /// <param name="channels">1 (grey) or 3 (RGB planes in R, G, B order).</param>
    /// <param name="height">Height in pixels (positive).</param>
    /// <param name="width">Width in pixels (positive).</param>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is out of range.</exception>
    public ImageShape(int channels, int height, int width)
    {
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 (grey) or 3 (RGB).");
        if (height <= 0) throw new ArgumentOutOfRangeException(nameof(height), height, "Height must be positive.");
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(width), width, "Width must be positive.");
        Channels = channels; Height = height; Width = width;
    }

    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Number of values (C·H·W).</summary>
    public int Size => Channels * Height * Width;

    /// <summary>A grey image of <paramref name="height"/> × <paramref name="width"/>.</summary>
    /// <param name="height">Height in pixels.</param>
    /// <param name="width">Width in pixels.</param>
    public static ImageShape Grey(int height, int width) => new(1, height, width);

    /// <summary>An RGB image of <paramref name="height"/> × <paramref name="width"/> (planar R, G, B).</summary>
    /// <param name="height">Height in pixels.</param>
    /// <param name="width">Width in pixels.</param>
    public static ImageShape Rgb(int height, int width) => new(3, height, width);

    /// <inheritdoc/>
    public override string ToString() => $"{Channels}×{Height}×{Width}";
}
