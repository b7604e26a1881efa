using Microsoft.ML.Data;

namespace MlNetExtensions.Transforms.Kernels;

/// <summary>Copies images between their column representations and a normalized planar <see cref="PixelBuffer"/>.</summary>
internal static class PixelConversion
{
    /// <summary>Loads a planar pixel vector whose values span [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void FromVector(ReadOnlySpan<float> values, ImageShape shape, float min, float max, PixelBuffer buffer)
    {
        buffer.Reset(shape.Channels, shape.Height, shape.Width);
        var d = buffer.Data;
        float scale = 1f / (max - min);
        if (min == 0f) for (int i = 0; i < d.Length; i++) d[i] = values[i] * scale;
        else for (int i = 0; i < d.Length; i++) d[i] = (values[i] - min) * scale;
    }

    /// <summary>Writes the buffer back to pixel-vector values in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void ToVector(PixelBuffer buffer, float min, float max, Span<float> values)
    {
        ReadOnlySpan<float> d = buffer.Data;
        float range = max - min;
        for (int i = 0; i < d.Length; i++) values[i] = d[i] * range + min;
    }

    /// <summary>Loads the RGB channels of a 32-bit <see cref="MLImage"/> (alpha is not augmented).</summary>
    public static void FromImage(MLImage image, PixelBuffer buffer)
    {
        int w = image.Width, h = image.Height, n = w * h;
        buffer.Reset(3, h, w);
        var (ri, gi, bi) = ChannelOffsets(image.PixelFormat);
        ReadOnlySpan<byte> px = image.Pixels;
        var r = buffer.Plane(0); var g = buffer.Plane(1); var b = buffer.Plane(2);
        const float s = 1f / 255f;
        for (int i = 0, o = 0; i < n; i++, o += 4)
        {
            r[i] = px[o + ri] * s; g[i] = px[o + gi] * s; b[i] = px[o + bi] * s;
        }
    }

    /// <summary>A new <see cref="MLImage"/> of <paramref name="source"/>'s format with the buffer's RGB and the source's alpha.</summary>
    public static MLImage ToImage(PixelBuffer buffer, MLImage source)
    {
        int w = buffer.Width, h = buffer.Height, n = w * h;
        var (ri, gi, bi) = ChannelOffsets(source.PixelFormat);
        var px = new byte[n * 4];
        source.Pixels.CopyTo(px); // keeps alpha
        ReadOnlySpan<float> r = buffer.Plane(0), g = buffer.Plane(1), b = buffer.Plane(2);
        for (int i = 0, o = 0; i < n; i++, o += 4)
        {
            px[o + ri] = ToByte(r[i]); px[o + gi] = ToByte(g[i]); px[o + bi] = ToByte(b[i]);
        }
        return MLImage.CreateFromPixels(w, h, source.PixelFormat, px);
    }

    /// <summary>Rounds a [0, 1] value to a byte.</summary>
    public static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);

    private static (int R, int G, int B) ChannelOffsets(MLPixelFormat format) => format switch
    {
        MLPixelFormat.Bgra32 => (2, 1, 0),
        MLPixelFormat.Rgba32 => (0, 1, 2),
        _ => throw new NotSupportedException($"Images of pixel format {format} are not supported (Bgra32 or Rgba32 expected)."),
    };
}
