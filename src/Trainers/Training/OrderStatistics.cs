using System.Numerics;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// The k-th smallest value of a span without sorting all of it (Hoare's selection, "FIND", with a median-of-three pivot;
/// a span that keeps splitting badly is sorted instead, so the worst case stays O(n log n)). The input preprocessing needs
/// only a slot's median and quartiles: selecting them costs a few passes over the values where sorting each of the 784
/// pixel slots of 8,000 MNIST rows took most of the preprocessing's time.
/// </summary>
internal static class OrderStatistics
{
    /// <summary>
    /// The value of rank <paramref name="k"/> (0 = smallest) among <paramref name="values"/>, which are reordered: afterwards
    /// no value before index k is larger and none after it is smaller. The values must be ordered (no NaN).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not an index of <paramref name="values"/>.</exception>
    public static T Select<T>(Span<T> values, int k) where T : struct, INumber<T>
    {
        if ((uint)k >= (uint)values.Length) throw new ArgumentOutOfRangeException(nameof(k), $"Rank {k} of {values.Length} values.");
        int lo = 0, hi = values.Length - 1;
        int budget = 2 * (BitOperations.Log2((uint)values.Length) + 1); // partitions before falling back to a sort
        while (hi > lo)
        {
            if (hi - lo < 16 || budget-- == 0)
            {
                values[lo..(hi + 1)].Sort();
                return values[k];
            }
            T pivot = MedianOfThree(values[lo], values[lo + (hi - lo) / 2], values[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (pivot < values[j]) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            // Now values[lo..j] ≤ pivot, values[i..hi] ≥ pivot, and everything strictly between j and i equals the pivot.
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return values[k];
        }
        return values[k];
    }

    private static T MedianOfThree<T>(T a, T b, T c) where T : struct, INumber<T>
    {
        if (b < a) (a, b) = (b, a);
        if (c < b) b = c < a ? a : c;
        return b;
    }
}
