namespace MlNetExtensions.Transforms.Kernels;

/// <summary>
/// One image as planar float channels (C × H × W, row-major planes), values normalized so that the pixel range maps
/// to [0, 1]. Every augmentation kernel works on this layout, whichever column kind the image came from, so the same
/// operation with the same draws gives the same result on pixel vectors and on <c>MLImage</c>s. A second buffer of the
/// same size is kept for geometric kernels, which write into it and then <see cref="Swap"/>.
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

    /// <summary>All values, planar.</summary>
    public Span<float> Data => _data.AsSpan(0, Length);

    /// <summary>The scratch area geometric kernels write into.</summary>
    public Span<float> Scratch => _scratch.AsSpan(0, Length);

    /// <summary>Sets the shape, growing the storage if needed (contents are then undefined).</summary>
    public void Reset(int channels, int height, int width)
    {
        Channels = channels; Height = height; Width = width;
        int n = channels * height * width;
        if (_data.Length < n) { _data = new float[n]; _scratch = new float[n]; }
    }

    /// <summary>One channel plane.</summary>
    public Span<float> Plane(int channel) => _data.AsSpan(channel * PlaneSize, PlaneSize);

    /// <summary>One channel plane of the scratch area.</summary>
    public Span<float> ScratchPlane(int channel) => _scratch.AsSpan(channel * PlaneSize, PlaneSize);

    /// <summary>Makes the scratch area the image (after a kernel wrote its output there).</summary>
    public void Swap() => (_data, _scratch) = (_scratch, _data);

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
        var d = Data;
        for (int i = 0; i < d.Length; i++) d[i] = Math.Clamp(d[i], 0f, 1f);
    }
}
