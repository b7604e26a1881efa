using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// A zeroed float buffer whose first element sits on a 64-byte boundary (a cache line, one zmm load), for the network's
/// parameters, gradients and optimizer state: the kernels read them in whole lines instead of lines split between two
/// loads, and the first layer's products from lists read the weights in place instead of copying them to an aligned
/// buffer every step (≈ 30 µs of a 40–75 µs product on the reference layer).
/// <para>
/// How the alignment is guaranteed: the buffer is a slice of a float array over-allocated by 15 elements on the pinned
/// object heap (<see cref="GC.AllocateArray{T}(int, bool)"/> with <c>pinned: true</c>), which the runtime never moves,
/// starting at the first element on a 64-byte boundary. Nothing about the heap's layout is assumed, so the alignment holds
/// in any process, however many models it has trained, and for as long as the buffer lives.
/// </para>
/// <para>
/// Lifetime and threads: the array is an ordinary managed object, so a model served for years holds its weights like any
/// other array (no native memory, no handle, nothing to dispose, no finalizer, no use-after-free: a span or pointer taken
/// from <see cref="Span"/> keeps or pins the array as usual). The buffer's fields never change after construction, so it
/// can be read from any thread; writes to its elements follow the callers' own synchronization, as for an array.
/// Buffers under 256 elements (biases, small layers) are plain arrays, not pinned and not necessarily aligned: not worth a
/// pinned allocation, and every kernel handles unaligned operands (tested), only slower.
/// </para>
/// </summary>
internal sealed class AlignedFloats
{
    /// <summary>The alignment in bytes.</summary>
    internal const int Alignment = 64;

    /// <summary>Buffers at least this long are pinned and aligned.</summary>
    internal const int MinAlignedLength = 256;

    private const int Slack = Alignment / sizeof(float) - 1;

    private readonly float[] _storage;
    private readonly int _offset;

    /// <summary>A zeroed buffer of <paramref name="length"/> floats, 64-byte aligned when at least <see cref="MinAlignedLength"/> long.</summary>
    public AlignedFloats(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        if (length < MinAlignedLength)
        {
            _storage = new float[length];
            return;
        }

        _storage = GC.AllocateArray<float>(length + Slack, pinned: true);
        _offset = (Alignment - Misalignment(_storage)) % Alignment / sizeof(float);
    }

    /// <summary>The number of floats.</summary>
    public int Length { get; }

    /// <summary>The floats.</summary>
    public Span<float> Span
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => MemoryMarshal.CreateSpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_storage), _offset), Length);
    }

    /// <summary>The floats as <see cref="Memory{T}"/> (for iterators and other places a span cannot go).</summary>
    public Memory<float> Memory => new(_storage, _offset, Length);

    /// <summary>A copy of the floats in a new (unaligned) array.</summary>
    public float[] ToArray() => Span.ToArray();

    /// <summary>Bytes by which the first element of <paramref name="values"/> misses a 64-byte boundary.</summary>
    public static unsafe int Misalignment(ReadOnlySpan<float> values) =>
        (int)((nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(values)) & (Alignment - 1));
}
