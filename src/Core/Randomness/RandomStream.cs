using System.Numerics;
using System.Runtime.CompilerServices;

namespace MlNetExtensions.Randomness;

/// <summary>
/// A small, fast, reproducible random number generator (xoshiro256**, seeded through SplitMix64).
/// Its sequence depends only on the seed, never on the process, the runtime version or thread
/// scheduling, so it is what every stochastic step in MlNetExtensions draws from. A struct: copy it
/// only to fork a stream on purpose.
/// </summary>
internal struct RandomStream
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a stream from a 64-bit seed.</summary>
    public RandomStream(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>
    /// A stream determined by a seed and up to three counters (for instance pass number and row position),
    /// statistically independent of the streams of other counter values.
    /// </summary>
    public static RandomStream For(ulong seed, ulong a, ulong b = 0, ulong c = 0)
        => new(Mix(Mix(Mix(seed ^ 0x6A09E667F3BCC909UL) ^ a) ^ (b * 0x9E3779B97F4A7C15UL)) ^ Mix(c + 0xBB67AE8584CAA73BUL));

    /// <summary>
    /// A stable 64-bit value for <paramref name="tag"/> (FNV-1a over its UTF-16 code units, then mixed), to give each
    /// component its own streams for the same seed. Unlike <c>string.GetHashCode</c> it is the same in every process.
    /// </summary>
    public static ulong Salt(string tag)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char ch in tag) { h ^= ch; h *= 0x100000001B3UL; }
        return Mix(h);
    }

    /// <summary>The SplitMix64 finalizer: a bijective 64-bit hash.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    /// <summary>The next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float NextSingle() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform float in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public float NextSingle(float low, float high) => low + (high - low) * NextSingle();

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>) without modulo bias (Lemire's method).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        ulong range = (ulong)maxExclusive;
        // With a 32-bit draw times a 31-bit range, the high word of the 64-bit product is the result.
        ulong x = NextUInt64() >> 32;
        ulong product = x * range;
        uint low = (uint)product;
        if (low < range)
        {
            uint threshold = (uint)((0x1_0000_0000UL - range) % range);
            while (low < threshold)
            {
                x = NextUInt64() >> 32;
                product = x * range;
                low = (uint)product;
            }
        }
        return (int)(product >> 32);
    }

    /// <summary>A standard normal draw (Box–Muller; one of the pair is used, so draws stay independent of call order).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A normal draw with the given mean and standard deviation, as float.</summary>
    public float NextGaussian(float mean, float standardDeviation) => (float)(mean + standardDeviation * NextGaussian());

    /// <summary>Fisher–Yates shuffle of <paramref name="items"/> in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
