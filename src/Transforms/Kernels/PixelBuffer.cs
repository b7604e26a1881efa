using System.Runtime.InteropServices;

namespace MlNetExtensions.Transforms.Kernels;

/// <summary>
/// One image as planar float channels (C × H × W, row-major planes), values normalized so that the pixel range maps
/// to [0, 1]. Every augmentation kernel works on this layout, whichever column kind the image came from, so the same
/// operation with the same draws gives the same result on pixel vectors and on <c>MLImage</c>s. A second buffer of the
/// same size is kept for geometric kernels, which write into it and then <see cref="Swap"/>.
/// <para>
/// An RGB image loaded from 32-bit pixels may instead stay <em>packed</em> (one <see cref="uint"/> per pixel, as in the
/// source) while only pure pixel permutations run on it (flips, whole-pixel translations): those kernels move packed
/// pixels directly. Any access to the planar values (<see cref="Data"/>, <see cref="Plane"/>, …) converts the packed
/// pixels to planar floats first, which gives exactly the values the planar path would have had, since byte → float
/// conversion is per value and the permutations only move values.
/// </para>
/// </summary>
internal sealed class PixelBuffer
{
    private float[] _data = Array.Empty<float>();
    private float[] _scratch = Array.Empty<float>();

    /// <summary>Number of channels (1 for grey, 3 for RGB).</summary>
    public int Channels { get; private set; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; private set; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; private set; }

    /// <summary>Pixels per plane.</summary>
    public int PlaneSize => Height * Width;

    /// <summary>Total values (C·H·W).</summary>
    public int Length => Channels * Height * Width;

    /// <summary>All values, planar (converts packed pixels first).</summary>
    public Span<float> Data { get { EnsurePlanar(); return _data.AsSpan(0, Length); } }

    /// <summary>The scratch area geometric kernels write into (converts packed pixels first).</summary>
    public Span<float> Scratch { get { EnsurePlanar(); return _scratch.AsSpan(0, Length); } }

    /// <summary>Sets the shape, growing the storage if needed (contents are then undefined); the buffer is planar.</summary>
    public void Reset(int channels, int height, int width)
    {
        Channels = channels; Height = height; Width = width;
        IsPacked = false;
        _source = null;
        int n = channels * height * width;
        if (_data.Length < n) { _data = new float[n]; _scratch = new float[n]; }
    }

    /// <summary>One channel plane (converts packed pixels first).</summary>
    public Span<float> Plane(int channel) { EnsurePlanar(); return _data.AsSpan(channel * PlaneSize, PlaneSize); }

    /// <summary>One channel plane of the scratch area (converts packed pixels first).</summary>
    public Span<float> ScratchPlane(int channel) { EnsurePlanar(); return _scratch.AsSpan(channel * PlaneSize, PlaneSize); }

    /// <summary>Makes the scratch area the image (after a kernel wrote its output there).</summary>
    public void Swap() { EnsurePlanar(); (_data, _scratch) = (_scratch, _data); }

    private uint[] _packed = Array.Empty<uint>();
    private uint[] _packedScratch = Array.Empty<uint>();

    /// <summary>Whether the image is held as packed 32-bit pixels (see the class remarks) rather than planar floats.</summary>
    public bool IsPacked { get; private set; }

    /// <summary>Byte offsets of R, G and B within a packed pixel.</summary>
    public (int R, int G, int B) PackedOffsets { get; private set; }

    // While not null, the packed pixels are still those of this image (not copied yet).
    private Microsoft.ML.Data.MLImage? _source;

    /// <summary>The packed pixels to read (only while <see cref="IsPacked"/>): the source image's own, until a kernel wrote its output.</summary>
    public ReadOnlySpan<uint> PackedInput => _source is not null
        ? MemoryMarshal.Cast<byte, uint>(_source.Pixels[..(PlaneSize * 4)])
        : _packed.AsSpan(0, PlaneSize);

    /// <summary>The packed scratch area permutation kernels write into (only while <see cref="IsPacked"/>).</summary>
    public Span<uint> PackedScratch => _packedScratch.AsSpan(0, PlaneSize);

    /// <summary>Makes the packed scratch area the image.</summary>
    public void SwapPacked()
    {
        (_packed, _packedScratch) = (_packedScratch, _packed);
        _source = null;
    }

    /// <summary>
    /// Takes the 32-bit RGB(A) pixels of <paramref name="image"/> without copying them: kernels read them from the image
    /// (which must stay alive and unchanged while the buffer is in use) and write their output into the buffer.
    /// </summary>
    public void LoadPacked(Microsoft.ML.Data.MLImage image, (int R, int G, int B) offsets)
    {
        int height = image.Height, width = image.Width;
        Reset(3, height, width);
        int n = height * width;
        if (_packed.Length < n) { _packed = new uint[n]; _packedScratch = new uint[n]; }
        PackedOffsets = offsets;
        IsPacked = true;
        _source = image;
    }

    /// <summary>Loads 32-bit RGB(A) pixels as they are (3 channels; the fourth byte is carried along but not used).</summary>
    public void LoadPacked(ReadOnlySpan<byte> pixels, int height, int width, (int R, int G, int B) offsets)
    {
        Reset(3, height, width);
        int n = height * width;
        if (_packed.Length < n) { _packed = new uint[n]; _packedScratch = new uint[n]; }
        MemoryMarshal.Cast<byte, uint>(pixels[..(n * 4)]).CopyTo(_packed);
        PackedOffsets = offsets;
        IsPacked = true;
    }

    /// <summary>
    /// For a kernel that reads the packed pixels and writes planar floats: the scratch planes, without converting the
    /// packed pixels first. Call <see cref="SwapPackedToPlanar"/> when they hold the whole image.
    /// </summary>
    public Span<float> ScratchForPackedSource => _scratch.AsSpan(0, Length);

    /// <summary>Makes the scratch planes (written from the packed pixels) the image, which is then planar.</summary>
    public void SwapPackedToPlanar()
    {
        IsPacked = false;
        _source = null;
        (_data, _scratch) = (_scratch, _data);
    }

    /// <summary>Converts packed pixels to planar floats (no-op when already planar).</summary>
    public void EnsurePlanar()
    {
        if (!IsPacked) return;
        PixelConversion.UnpackToPlanar(PackedInput, PackedOffsets, _data.AsSpan(0, Length));
        IsPacked = false;
        _source = null;
    }

    private readonly float[][] _temps = new float[4][];

    /// <summary>A reusable temporary array of at least <paramref name="size"/> values (slot 0 to 3), for kernels' intermediates.</summary>
    public float[] Temp(int slot, int size)
    {
        var t = _temps[slot];
        if (t is null || t.Length < size) _temps[slot] = t = new float[size];
        return t;
    }

    /// <summary>Clamps every value to [0, 1].</summary>
    public void Clamp()
    {
        VectorMath.Clamp01(Data);
    }
}
