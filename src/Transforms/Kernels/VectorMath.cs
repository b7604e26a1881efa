using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetExtensions.Transforms.Kernels;

/// <summary>
/// Small SIMD loops shared by the kernels. Each one performs exactly the scalar reference's float operations, in the
/// same order and without fused multiply–adds, so its results are bit-identical to the scalar loop it replaces.
/// </summary>
internal static class VectorMath
{
    /// <summary><c>Math.Clamp(v, 0, 1)</c> for every value (NaN and −0 kept as <c>Math.Clamp</c> keeps them).</summary>
    public static void Clamp01(Span<float> values)
    {
        ref float d = ref MemoryMarshal.GetReference(values);
        int i = 0, n = values.Length;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= n; i += 8)
            {
                var x = Vector256.LoadUnsafe(ref d, (nuint)i);
                Clamp01(x).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) = Math.Clamp(Unsafe.Add(ref d, i), 0f, 1f);
    }

    /// <summary><c>Math.Clamp(x, 0, 1)</c> lane-wise: below 0 → 0, above 1 → 1, anything else (NaN, −0) unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Clamp01(Vector256<float> x)
    {
        var one = Vector256.Create(1f);
        x = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), Vector256<float>.Zero, x);
        return Vector256.ConditionalSelect(Vector256.GreaterThan(x, one), one, x);
    }

    /// <summary><c>d[i] = Math.Clamp(d[i] + offset + scale · noise[i], 0, 1)</c> (added in that order).</summary>
    public static void AddScaledClamp01(Span<float> values, float offset, float scale, ReadOnlySpan<float> noise)
    {
        if (noise.Length < values.Length) throw new ArgumentException("The noise span is shorter than the values.", nameof(noise));
        ref float d = ref MemoryMarshal.GetReference(values);
        ref float z = ref MemoryMarshal.GetReference(noise);
        int i = 0, n = values.Length;
        if (Vector256.IsHardwareAccelerated)
        {
            var o = Vector256.Create(offset); var s = Vector256.Create(scale);
            for (; i + 8 <= n; i += 8)
            {
                var x = Vector256.LoadUnsafe(ref d, (nuint)i) + o + s * Vector256.LoadUnsafe(ref z, (nuint)i);
                Clamp01(x).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) = Math.Clamp(Unsafe.Add(ref d, i) + offset + scale * Unsafe.Add(ref z, i), 0f, 1f);
    }

    /// <summary><c>d[i] = s[i] · scale</c>.</summary>
    public static void Scale(ReadOnlySpan<float> source, float scale, Span<float> destination)
    {
        ref float s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int i = 0, n = source.Length;
        if (destination.Length < n) throw new ArgumentException("The destination is too short.", nameof(destination));
        if (Vector256.IsHardwareAccelerated)
        {
            var k = Vector256.Create(scale);
            for (; i + 8 <= n; i += 8) (Vector256.LoadUnsafe(ref s, (nuint)i) * k).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i) * scale;
    }

    /// <summary><c>d[i] = (s[i] − shift) · scale</c>.</summary>
    public static void ShiftScale(ReadOnlySpan<float> source, float shift, float scale, Span<float> destination)
    {
        ref float s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int i = 0, n = source.Length;
        if (destination.Length < n) throw new ArgumentException("The destination is too short.", nameof(destination));
        if (Vector256.IsHardwareAccelerated)
        {
            var k = Vector256.Create(scale); var m = Vector256.Create(shift);
            for (; i + 8 <= n; i += 8) ((Vector256.LoadUnsafe(ref s, (nuint)i) - m) * k).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) = (Unsafe.Add(ref s, i) - shift) * scale;
    }

    /// <summary><c>d[i] = s[i] · scale + shift</c> (multiply, then add).</summary>
    public static void ScaleShift(ReadOnlySpan<float> source, float scale, float shift, Span<float> destination)
    {
        ref float s = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int i = 0, n = source.Length;
        if (destination.Length < n) throw new ArgumentException("The destination is too short.", nameof(destination));
        if (Vector256.IsHardwareAccelerated)
        {
            var k = Vector256.Create(scale); var m = Vector256.Create(shift);
            for (; i + 8 <= n; i += 8) (Vector256.LoadUnsafe(ref s, (nuint)i) * k + m).StoreUnsafe(ref d, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) = Unsafe.Add(ref s, i) * scale + shift;
    }
}
