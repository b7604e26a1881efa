using System.Runtime.CompilerServices;

namespace MlNetExtensions.Transforms.Kernels;

/// <summary>Bilinear sampling of a plane with a border mode, the building block of the geometric kernels.</summary>
internal static class Sampling
{
    /// <summary>
    /// Maps a possibly out-of-range index into [0, n) for <paramref name="mode"/>, or returns -1 where the constant
    /// fill value applies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MapIndex(int i, int n, BorderMode mode)
    {
        if ((uint)i < (uint)n) return i;
        switch (mode)
        {
            case BorderMode.Replicate:
                return i < 0 ? 0 : n - 1;
            case BorderMode.Reflect:
                if (n == 1) return 0;
                // Reflection without repeating the edge pixel (OpenCV's BORDER_REFLECT_101): -1 -> 1, n -> n - 2.
                int period = 2 * (n - 1);
                int m = i % period;
                if (m < 0) m += period;
                return m < n ? m : period - m;
            default:
                return -1;
        }
    }

    /// <summary>The value of <paramref name="plane"/> (<paramref name="width"/> × <paramref name="height"/>) at (x, y), bilinear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Bilinear(ReadOnlySpan<float> plane, int width, int height, float x, float y, BorderMode mode, float fill)
    {
        float fx0 = MathF.Floor(x), fy0 = MathF.Floor(y);
        int x0 = (int)fx0, y0 = (int)fy0;
        float ax = x - fx0, ay = y - fy0;
        if ((uint)x0 < (uint)(width - 1) && (uint)y0 < (uint)(height - 1))
        {
            int i = y0 * width + x0;
            float top = plane[i] + ax * (plane[i + 1] - plane[i]);
            float bottom = plane[i + width] + ax * (plane[i + width + 1] - plane[i + width]);
            return top + ay * (bottom - top);
        }
        float v00 = At(plane, width, height, x0, y0, mode, fill);
        float v01 = ax == 0f ? v00 : At(plane, width, height, x0 + 1, y0, mode, fill);
        float t = v00 + ax * (v01 - v00);
        if (ay == 0f) return t;
        float v10 = At(plane, width, height, x0, y0 + 1, mode, fill);
        float v11 = ax == 0f ? v10 : At(plane, width, height, x0 + 1, y0 + 1, mode, fill);
        float b = v10 + ax * (v11 - v10);
        return t + ay * (b - t);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float At(ReadOnlySpan<float> plane, int width, int height, int x, int y, BorderMode mode, float fill)
    {
        int mx = MapIndex(x, width, mode), my = MapIndex(y, height, mode);
        return mx < 0 || my < 0 ? fill : plane[my * width + mx];
    }
}
