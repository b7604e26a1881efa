using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Float arrays whose first element sits on a 64-byte boundary (a cache line, one zmm load), for the network's parameters,
/// gradients and optimizer state: the kernels read them in whole lines instead of lines split between two loads, and the
/// first layer's products from lists read the weights in place instead of copying them to an aligned buffer every step
/// (≈ 30 µs of a 40–75 µs product on the reference layer). .NET has no aligned-array allocation: the array is allocated
/// on the pinned object heap (it never moves, so the alignment lasts), and when it lands off a boundary a filler of the
/// missing size is allocated and the array tried again. Where the heap does not cooperate the array is simply unaligned,
/// which every kernel handles (tested), only slower.
/// </summary>
internal static class AlignedArray
{
    private const int Alignment = 64;

    /// <summary>A zeroed float array of <paramref name="length"/> elements, 64-byte aligned when the heap allows.</summary>
    public static float[] Floats(int length)
    {
        if (length < 256)
        {
            return new float[length]; // small: not worth a pinned allocation
        }

        float[] array = GC.AllocateArray<float>(length, pinned: true);
        for (int attempt = 0; attempt < 4 && Misalignment(array) != 0; attempt++)
        {
            // Objects are 8-byte aligned and a byte[] of n bytes takes 24 + n rounded up to 8: a filler of the distance to the
            // next boundary (at least the minimum object size) usually moves the next allocation onto it.
            int gap = (Alignment - Misalignment(array)) % Alignment;
            while (gap < 24) gap += Alignment;
            _ = GC.AllocateUninitializedArray<byte>(gap - 24, pinned: true);
            array = GC.AllocateArray<float>(length, pinned: true);
        }

        return array;
    }

    /// <summary>Bytes by which the first element of <paramref name="array"/> misses a 64-byte boundary.</summary>
    public static unsafe int Misalignment(float[] array) =>
        (int)((nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array)) & (Alignment - 1));
}
