using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        if (min == 0f) VectorMath.Scale(values[..d.Length], scale, d);
        else VectorMath.ShiftScale(values[..d.Length], min, scale, d);
    }

    /// <summary>Writes the buffer back to pixel-vector values in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void ToVector(PixelBuffer buffer, float min, float max, Span<float> values)
    {
        ReadOnlySpan<float> d = buffer.Data;
        VectorMath.ScaleShift(d, max - min, min, values[..d.Length]);
    }

    /// <summary>
    /// Loads the RGB channels of a 32-bit <see cref="MLImage"/> (alpha is not augmented). The buffer keeps the pixels
    /// packed until a kernel needs planar values (see <see cref="PixelBuffer"/>).
    /// </summary>
    public static void FromImage(MLImage image, PixelBuffer buffer)
    {
        int w = image.Width, h = image.Height, n = w * h;
        var offsets = ChannelOffsets(image.PixelFormat);
        ReadOnlySpan<byte> pixels = image.Pixels;
        if (pixels.Length < n * 4)
            throw new InvalidOperationException($"The image holds {pixels.Length} bytes, but {w}×{h} 32-bit pixels need {n * 4}.");
        buffer.LoadPacked(image, offsets);
    }

    /// <summary>The reference conversion of <see cref="FromImage"/>, straight to planar floats (one pixel at a time).</summary>
    public static unsafe void FromImageScalar(MLImage image, PixelBuffer buffer)
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

    /// <summary>Converts packed 32-bit pixels to three planes of values byte / 255 (exactly as <see cref="FromImageScalar"/>).</summary>
    public static void UnpackToPlanar(ReadOnlySpan<uint> packed, (int R, int G, int B) offsets, Span<float> planar)
    {
        int n = packed.Length;
        if (planar.Length < 3 * n) throw new ArgumentException("The planar span is too short.", nameof(planar));
        var r = planar[..n]; var g = planar.Slice(n, n); var b = planar.Slice(2 * n, n);
        int rs = 8 * offsets.R, gs = 8 * offsets.G, bs = 8 * offsets.B;
        const float s = 1f / 255f;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var mask = Vector256.Create(0xFFu);
            var k = Vector256.Create(s);
            ref uint p = ref MemoryMarshal.GetReference(packed);
            for (; i + 8 <= n; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref p, (nuint)i);
                (Vector256.ConvertToSingle(((v >>> rs) & mask).AsInt32()) * k).StoreUnsafe(ref MemoryMarshal.GetReference(r), (nuint)i);
                (Vector256.ConvertToSingle(((v >>> gs) & mask).AsInt32()) * k).StoreUnsafe(ref MemoryMarshal.GetReference(g), (nuint)i);
                (Vector256.ConvertToSingle(((v >>> bs) & mask).AsInt32()) * k).StoreUnsafe(ref MemoryMarshal.GetReference(b), (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            uint v = packed[i];
            r[i] = (int)((v >> rs) & 0xFF) * s; g[i] = (int)((v >> gs) & 0xFF) * s; b[i] = (int)((v >> bs) & 0xFF) * s;
        }
    }

    /// <summary>
    /// A new <see cref="MLImage"/> of <paramref name="source"/>'s format with the buffer's RGB and the source's alpha.
    /// <paramref name="scratch"/>, when given, is reused for the pixel bytes (the image copies them); it is grown as needed.
    /// </summary>
    public static MLImage ToImage(PixelBuffer buffer, MLImage source, ref byte[]? scratch)
    {
        int w = buffer.Width, h = buffer.Height, n = w * h;
        var offsets = ChannelOffsets(source.PixelFormat);
        if (scratch is null || scratch.Length < n * 4) scratch = GC.AllocateUninitializedArray<byte>(n * 4);
        var output = MemoryMarshal.Cast<byte, uint>(scratch.AsSpan(0, n * 4));
        var alpha = MemoryMarshal.Cast<byte, uint>(source.Pixels[..(n * 4)]);
        uint rgbMask = (0xFFu << (8 * offsets.R)) | (0xFFu << (8 * offsets.G)) | (0xFFu << (8 * offsets.B));
        if (buffer.IsPacked && buffer.PackedOffsets == offsets) MergeAlpha(buffer.PackedInput, alpha, rgbMask, output);
        else Pack(buffer.Data, n, offsets, alpha, ~rgbMask, output);
        return MLImage.CreateFromPixels(w, h, source.PixelFormat, scratch.AsSpan(0, n * 4));
    }

    /// <summary>A new <see cref="MLImage"/> of <paramref name="source"/>'s format with the buffer's RGB and the source's alpha.</summary>
    public static MLImage ToImage(PixelBuffer buffer, MLImage source)
    {
        byte[]? bytes = null;
        return ToImage(buffer, source, ref bytes);
    }

    /// <summary>The reference conversion of <see cref="ToImage(PixelBuffer, MLImage)"/> (planar floats, one pixel at a time).</summary>
    public static unsafe MLImage ToImageScalar(PixelBuffer buffer, MLImage source)
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

    /// <summary><c>output[i] = (pixels[i] &amp; rgbMask) | (alpha[i] &amp; ~rgbMask)</c>.</summary>
    private static void MergeAlpha(ReadOnlySpan<uint> pixels, ReadOnlySpan<uint> alpha, uint rgbMask, Span<uint> output)
    {
        int n = output.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(rgbMask);
            ref uint p = ref MemoryMarshal.GetReference(pixels);
            ref uint a = ref MemoryMarshal.GetReference(alpha);
            ref uint o = ref MemoryMarshal.GetReference(output);
            for (; i + 8 <= n; i += 8)
                Vector256.ConditionalSelect(m, Vector256.LoadUnsafe(ref p, (nuint)i), Vector256.LoadUnsafe(ref a, (nuint)i)).StoreUnsafe(ref o, (nuint)i);
        }
        for (; i < n; i++) output[i] = (pixels[i] & rgbMask) | (alpha[i] & ~rgbMask);
    }

    /// <summary>Packs three planes into 32-bit pixels with <see cref="ToByte"/> rounding, the other byte from <paramref name="alpha"/>.</summary>
    private static void Pack(ReadOnlySpan<float> planar, int n, (int R, int G, int B) offsets, ReadOnlySpan<uint> alpha, uint alphaMask, Span<uint> output)
    {
        var r = planar[..n]; var g = planar.Slice(n, n); var b = planar.Slice(2 * n, n);
        int rs = 8 * offsets.R, gs = 8 * offsets.G, bs = 8 * offsets.B;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var am = Vector256.Create(alphaMask);
            for (; i + 8 <= n; i += 8)
            {
                var v = (ToBytes(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(r), (nuint)i)) << rs)
                      | (ToBytes(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(g), (nuint)i)) << gs)
                      | (ToBytes(Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(b), (nuint)i)) << bs)
                      | (Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(alpha), (nuint)i) & am);
                v.StoreUnsafe(ref MemoryMarshal.GetReference(output), (nuint)i);
            }
        }
        for (; i < n; i++)
            output[i] = ((uint)ToByte(r[i]) << rs) | ((uint)ToByte(g[i]) << gs) | ((uint)ToByte(b[i]) << bs) | (alpha[i] & alphaMask);
    }

    /// <summary><see cref="ToByte"/> lane-wise, as 32-bit integers in [0, 255].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> ToBytes(Vector256<float> v)
    {
        var x = v * Vector256.Create(255f) + Vector256.Create(0.5f);
        var t = Vector256.ConvertToInt32(x).AsUInt32();
        t = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, Vector256<float>.Zero).AsUInt32(), Vector256<uint>.Zero, t);
        t = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256.Create(255f)).AsUInt32(), Vector256.Create(255u), t);
        // NaN: neither comparison holds and the conversion saturates to 0, as the scalar cast does.
        return t & Vector256.Create(0xFFu);
    }

    /// <summary>Rounds a [0, 1] value to a byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ToByte(float v)
    {
        float x = v * 255f + 0.5f; // round half up; values are clamped first
        return x <= 0f ? (byte)0 : x >= 255f ? (byte)255 : (byte)(int)x;
    }

    /// <summary>Byte offsets of R, G and B in a 32-bit pixel of <paramref name="format"/>.</summary>
    public static (int R, int G, int B) ChannelOffsets(MLPixelFormat format) => format switch
    {
        MLPixelFormat.Bgra32 => (2, 1, 0),
        MLPixelFormat.Rgba32 => (0, 1, 2),
        _ => throw new NotSupportedException($"Images of pixel format {format} are not supported (Bgra32 or Rgba32 expected)."),
    };
}
