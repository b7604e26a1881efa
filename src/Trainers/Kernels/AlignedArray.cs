using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Float arrays whose first element sits on a 64-byte boundary (a cache line, one zmm load), for the network's parameters,
/// gradients and optimizer state: the kernels read them in whole lines instead of lines split between two loads, and the
/// first layer's products from lists read the weights in place instead of copying them to an aligned buffer every step
/// (≈ 30 µs of a 40–75 µs product on the reference layer). .NET has no aligned-array allocation, so the array goes on the
/// pinned object heap (it never moves: the alignment lasts), placed by what that heap does, allocating one object after
/// the other: an empty probe shows where the next object would start, and a filler of the missing size moves the array
/// onto the boundary. If another thread's pinned allocation slips in between, it tries again; where the heap does not
/// cooperate the array is simply unaligned, which every kernel handles (tested), only slower.
/// </summary>
internal static class AlignedArray
{
    private const int Alignment = 64;

    /// <summary>Bytes of an array object before its first element, and the smallest object: sync block, method table, length.</summary>
    private const int ArrayHeader = 24;

    /// <summary>A zeroed float array of <paramref name="length"/> elements, 64-byte aligned when the heap allows.</summary>
    public static float[] Floats(int length)
    {
        if (length < 256)
        {
            return new float[length]; // small: not worth a pinned allocation
        }

        float[] array = null!;
        for (int attempt = 0; attempt < 4; attempt++)
        {
            // The next object's elements start ArrayHeader bytes past the end of the (empty) probe's.
            int next = (Misalignment(GC.AllocateUninitializedArray<byte>(0, pinned: true)) + ArrayHeader) % Alignment;
            int filler = (Alignment - next) % Alignment;
            if (filler < ArrayHeader) filler += Alignment;
            _ = GC.AllocateUninitializedArray<byte>(filler - ArrayHeader, pinned: true);
            array = GC.AllocateArray<float>(length, pinned: true);
            if (Misalignment(array) == 0) break;
        }

        return array;
    }

    /// <summary>Bytes by which the first element of <paramref name="array"/> misses a 64-byte boundary.</summary>
    public static unsafe int Misalignment<T>(T[] array) where T : unmanaged =>
        (int)((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array)) & (Alignment - 1));
}
