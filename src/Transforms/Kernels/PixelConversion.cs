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
    public static unsafe void FromImage(MLImage image, PixelBuffer buffer)
    {
        int w = image.Width, h = image.Height, n = w * h;
        buffer.Reset(3, h, w);
        var (ri, gi, bi) = ChannelOffsets(image.PixelFormat);
        ReadOnlySpan<byte> pixels = image.Pixels;
        if (pixels.Length < n * 4)
            throw new InvalidOperationException($"The image holds {pixels.Length} bytes, but {w}×{h} 32-bit pixels need {n * 4}.");
        var data = buffer.Data;
        const float s = 1f / 255f;
        fixed (byte* px = pixels)
        fixed (float* d = data)
        {
            float* r = d, g = d + n, b = d + 2 * n;
            byte* p = px;
            for (int i = 0; i < n; i++, p += 4)
            {
                r[i] = p[ri] * s; g[i] = p[gi] * s; b[i] = p[bi] * s;
            }
        }
    }

    /// <summary>A new <see cref="MLImage"/> of <paramref name="source"/>'s format with the buffer's RGB and the source's alpha.</summary>
    public static unsafe MLImage ToImage(PixelBuffer buffer, MLImage source)
    {
        int w = buffer.Width, h = buffer.Height, n = w * h;
        var (ri, gi, bi) = ChannelOffsets(source.PixelFormat);
        var bytes = GC.AllocateUninitializedArray<byte>(n * 4);
        source.Pixels[..(n * 4)].CopyTo(bytes); // keeps alpha
        ReadOnlySpan<float> data = buffer.Data;
        fixed (byte* px = bytes)
        fixed (float* d = data)
        {
            float* r = d, g = d + n, b = d + 2 * n;
            byte* p = px;
            for (int i = 0; i < n; i++, p += 4)
            {
                p[ri] = ToByte(r[i]); p[gi] = ToByte(g[i]); p[bi] = ToByte(b[i]);
            }
        }
        return MLImage.CreateFromPixels(w, h, source.PixelFormat, bytes);
    }

    /// <summary>Rounds a [0, 1] value to a byte.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static byte ToByte(float v)
    {
        float x = v * 255f + 0.5f; // round half up; values are clamped first
        return x <= 0f ? (byte)0 : x >= 255f ? (byte)255 : (byte)(int)x;
    }

    private static (int R, int G, int B) ChannelOffsets(MLPixelFormat format) => format switch
    {
        MLPixelFormat.Bgra32 => (2, 1, 0),
        MLPixelFormat.Rgba32 => (0, 1, 2),
        _ => throw new NotSupportedException($"Images of pixel format {format} are not supported (Bgra32 or Rgba32 expected)."),
    };
}
