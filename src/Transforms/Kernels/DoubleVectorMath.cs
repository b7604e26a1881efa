using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetExtensions.Transforms.Kernels;

/// <summary>
/// Double-precision natural logarithm, sine and cosine over spans, four lanes at a time, accurate to a few units in the
/// last place in the domains the Box–Muller sampler uses (logarithm of positive normal numbers, sine and cosine on
/// [−8, 8]; other inputs go through <see cref="Math"/>). They are not bit-identical to <see cref="Math"/>'s functions;
/// <see cref="NoiseKernels.FillStandardNormal(Span{float}, ref MlNetExtensions.Randomness.RandomStream)"/> guards the float rounding of its results so that its outputs are.
/// </summary>
internal static class DoubleVectorMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01, Ln2Lo = 1.90821492927058770002e-10;
    private const double Sqrt2 = 1.4142135623730951;
    // π/2 in three parts (the first two with trailing zero bits) for Cody–Waite reduction of small multiples.
    private const double PiO2Hi = 1.57079632673412561417e+00, PiO2Mid = 6.07710050650619224932e-11, PiO2Lo = 2.02226624879595063154e-21;
    private const double TwoOverPi = 0.63661977236758134308;

    /// <summary><c>destination[i] = ln(source[i])</c>.</summary>
    public static void Log(ReadOnlySpan<double> source, Span<double> destination)
    {
        int n = source.Length, i = 0;
        if (destination.Length < n) throw new ArgumentException("The destination is too short.", nameof(destination));
        if (Vector256.IsHardwareAccelerated)
        {
            ref double s = ref MemoryMarshal.GetReference(source);
            ref double d = ref MemoryMarshal.GetReference(destination);
            for (; i + 4 <= n; i += 4)
            {
                var x = Vector256.LoadUnsafe(ref s, (nuint)i);
                // Normal positive finite lanes have a biased exponent in [1, 2046] (the sign bit makes negatives fail).
                if (!AllPositiveNormal(x))
                {
                    for (int k = 0; k < 4; k++) Unsafe.Add(ref d, i + k) = Math.Log(Unsafe.Add(ref s, i + k));
                    continue;
                }
                LogNormal(x).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < n; i++) destination[i] = Math.Log(source[i]);
    }

    /// <summary>Whether every lane is a positive, normal, finite number (the domain of <c>LogNormal</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllPositiveNormal(Vector256<double> x)
        => Vector256.LessThanAll(((x.AsUInt64() >>> 52) - Vector256.Create(1UL)), Vector256.Create(2046UL));

    /// <summary>ln x for lanes that are positive, normal and finite (see <c>AllPositiveNormal</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> LogNormal(Vector256<double> x)
    {
        var bits = x.AsUInt64();
        var m = ((bits & Vector256.Create(0x000F_FFFF_FFFF_FFFFUL)) | Vector256.Create(0x3FF0_0000_0000_0000UL)).AsDouble(); // [1, 2)
        var e = (bits >>> 52).AsInt64() - Vector256.Create(1023L);
        var big = Vector256.GreaterThan(m, Vector256.Create(Sqrt2));
        m = Vector256.ConditionalSelect(big, m * Vector256.Create(0.5), m); // [√½, √2]
        e -= big.AsInt64(); // all-ones lanes are −1
        // e → double exactly through the 1.5·2⁵² trick (|e| < 2⁵¹).
        var ed = (Vector256.Create(0x4338_0000_0000_0000L) + e).AsDouble() - Vector256.Create(6755399441055744.0);
        return LogReduced(m, ed);
    }

    /// <summary>ln(m) + e·ln 2 for m in [√½, √2]: 2·atanh((m − 1)/(m + 1)) as an odd series.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> LogReduced(Vector256<double> m, Vector256<double> e)
    {
        var one = Vector256.Create(1.0);
        var f = (m - one) / (m + one);
        var s = f * f;
        // Q(s) = Σ s^j / (2j + 3), j = 0..10 (truncation below 1e-17 relative for s ≤ 0.0295).
        var q = Vector256.Create(1.0 / 23);
        q = q * s + Vector256.Create(1.0 / 21);
        q = q * s + Vector256.Create(1.0 / 19);
        q = q * s + Vector256.Create(1.0 / 17);
        q = q * s + Vector256.Create(1.0 / 15);
        q = q * s + Vector256.Create(1.0 / 13);
        q = q * s + Vector256.Create(1.0 / 11);
        q = q * s + Vector256.Create(1.0 / 9);
        q = q * s + Vector256.Create(1.0 / 7);
        q = q * s + Vector256.Create(1.0 / 5);
        q = q * s + Vector256.Create(1.0 / 3);
        var twoF = f + f;
        return e * Vector256.Create(Ln2Hi) + (twoF + (twoF * s * q + e * Vector256.Create(Ln2Lo)));
    }

    /// <summary><c>sin[i] = sin(source[i])</c>, <c>cos[i] = cos(source[i])</c>.</summary>
    public static void SinCos(ReadOnlySpan<double> source, Span<double> sin, Span<double> cos)
    {
        int n = source.Length, i = 0;
        if (sin.Length < n || cos.Length < n) throw new ArgumentException("The destinations are too short.", nameof(sin));
        if (Vector256.IsHardwareAccelerated)
        {
            ref double src = ref MemoryMarshal.GetReference(source);
            ref double ds = ref MemoryMarshal.GetReference(sin);
            ref double dc = ref MemoryMarshal.GetReference(cos);
            for (; i + 4 <= n; i += 4)
            {
                var x = Vector256.LoadUnsafe(ref src, (nuint)i);
                if (!AllSmall(x))
                {
                    for (int k = 0; k < 4; k++)
                        (Unsafe.Add(ref ds, i + k), Unsafe.Add(ref dc, i + k)) = Math.SinCos(Unsafe.Add(ref src, i + k));
                    continue;
                }
                SinCosSmall(x, out var sv, out var cv);
                sv.StoreUnsafe(ref ds, (nuint)i);
                cv.StoreUnsafe(ref dc, (nuint)i);
            }
        }
        for (; i < n; i++) (sin[i], cos[i]) = Math.SinCos(source[i]);
    }

    /// <summary>Whether every lane lies in [−8, 8] (the domain of <c>SinCosSmall</c>; false for NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllSmall(Vector256<double> x) => Vector256.LessThanOrEqualAll(Vector256.Abs(x), Vector256.Create(8.0));

    /// <summary>sin x and cos x for lanes in [−8, 8] (see <c>AllSmall</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCosSmall(Vector256<double> x, out Vector256<double> sin, out Vector256<double> cos)
    {
        var q = Vector256.Round(x * Vector256.Create(TwoOverPi));
        var r = ((x - q * Vector256.Create(PiO2Hi)) - q * Vector256.Create(PiO2Mid)) - q * Vector256.Create(PiO2Lo); // |r| ≤ π/4 + ε
        var r2 = r * r;
        // sin r = r + r³·S(r²), cos r = 1 − r²/2 + r⁴·C(r²) (Taylor, truncation below 1e-19 for |r| ≤ π/4).
        var ps = Vector256.Create(1.0 / 355687428096000);           // 1/17!
        ps = ps * r2 - Vector256.Create(1.0 / 1307674368000);       // 1/15!
        ps = ps * r2 + Vector256.Create(1.0 / 6227020800);          // 1/13!
        ps = ps * r2 - Vector256.Create(1.0 / 39916800);            // 1/11!
        ps = ps * r2 + Vector256.Create(1.0 / 362880);              // 1/9!
        ps = ps * r2 - Vector256.Create(1.0 / 5040);                // 1/7!
        ps = ps * r2 + Vector256.Create(1.0 / 120);                 // 1/5!
        ps = ps * r2 - Vector256.Create(1.0 / 6);                   // 1/3!
        var sr = r + r * r2 * ps;
        var pc = Vector256.Create(-1.0 / 6402373705728000);         // 1/18!
        pc = pc * r2 + Vector256.Create(1.0 / 20922789888000);      // 1/16!
        pc = pc * r2 - Vector256.Create(1.0 / 87178291200);         // 1/14!
        pc = pc * r2 + Vector256.Create(1.0 / 479001600);           // 1/12!
        pc = pc * r2 - Vector256.Create(1.0 / 3628800);             // 1/10!
        pc = pc * r2 + Vector256.Create(1.0 / 40320);               // 1/8!
        pc = pc * r2 - Vector256.Create(1.0 / 720);                 // 1/6!
        pc = pc * r2 + Vector256.Create(1.0 / 24);                  // 1/4!
        var cr = Vector256.Create(1.0) + (r2 * Vector256.Create(-0.5) + r2 * r2 * pc);
        // Quadrant q mod 4: 0 (s, c), 1 (c, −s), 2 (−s, −c), 3 (−c, s).
        var qi = (q + Vector256.Create(6755399441055744.0)).AsInt64(); // low bits = q mod 4 (two's complement)
        var swap = Vector256.Equals(qi & Vector256.Create(1L), Vector256.Create(1L)).AsDouble();
        var sinNeg = Vector256.Equals(qi & Vector256.Create(2L), Vector256.Create(2L)).AsDouble();
        var cosNeg = Vector256.Equals((qi + Vector256.Create(1L)) & Vector256.Create(2L), Vector256.Create(2L)).AsDouble();
        var sv = Vector256.ConditionalSelect(swap, cr, sr);
        var cv = Vector256.ConditionalSelect(swap, sr, cr);
        var signBit = Vector256.Create(-0.0);
        sin = sv ^ (sinNeg & signBit);
        cos = cv ^ (cosNeg & signBit);
    }

    // The same functions on 512-bit vectors (eight lanes), generated from the 256-bit ones.

    /// <summary>Whether every lane is a positive, normal, finite number (the domain of <c>LogNormal</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllPositiveNormal(Vector512<double> x)
        => Vector512.LessThanAll(((x.AsUInt64() >>> 52) - Vector512.Create(1UL)), Vector512.Create(2046UL));

    /// <summary>ln x for lanes that are positive, normal and finite (see <c>AllPositiveNormal</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> LogNormal(Vector512<double> x)
    {
        var bits = x.AsUInt64();
        var m = ((bits & Vector512.Create(0x000F_FFFF_FFFF_FFFFUL)) | Vector512.Create(0x3FF0_0000_0000_0000UL)).AsDouble(); // [1, 2)
        var e = (bits >>> 52).AsInt64() - Vector512.Create(1023L);
        var big = Vector512.GreaterThan(m, Vector512.Create(Sqrt2));
        m = Vector512.ConditionalSelect(big, m * Vector512.Create(0.5), m); // [√½, √2]
        e -= big.AsInt64(); // all-ones lanes are −1
        // e → double exactly through the 1.5·2⁵² trick (|e| < 2⁵¹).
        var ed = (Vector512.Create(0x4338_0000_0000_0000L) + e).AsDouble() - Vector512.Create(6755399441055744.0);
        return LogReduced(m, ed);
    }

    /// <summary>ln(m) + e·ln 2 for m in [√½, √2]: 2·atanh((m − 1)/(m + 1)) as an odd series.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> LogReduced(Vector512<double> m, Vector512<double> e)
    {
        var one = Vector512.Create(1.0);
        var f = (m - one) / (m + one);
        var s = f * f;
        // Q(s) = Σ s^j / (2j + 3), j = 0..10 (truncation below 1e-17 relative for s ≤ 0.0295).
        var q = Vector512.Create(1.0 / 23);
        q = q * s + Vector512.Create(1.0 / 21);
        q = q * s + Vector512.Create(1.0 / 19);
        q = q * s + Vector512.Create(1.0 / 17);
        q = q * s + Vector512.Create(1.0 / 15);
        q = q * s + Vector512.Create(1.0 / 13);
        q = q * s + Vector512.Create(1.0 / 11);
        q = q * s + Vector512.Create(1.0 / 9);
        q = q * s + Vector512.Create(1.0 / 7);
        q = q * s + Vector512.Create(1.0 / 5);
        q = q * s + Vector512.Create(1.0 / 3);
        var twoF = f + f;
        return e * Vector512.Create(Ln2Hi) + (twoF + (twoF * s * q + e * Vector512.Create(Ln2Lo)));
    }

    /// <summary>Whether every lane lies in [−8, 8] (the domain of <c>SinCosSmall</c>; false for NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllSmall(Vector512<double> x) => Vector512.LessThanOrEqualAll(Vector512.Abs(x), Vector512.Create(8.0));

    /// <summary>sin x and cos x for lanes in [−8, 8] (see <c>AllSmall</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SinCosSmall(Vector512<double> x, out Vector512<double> sin, out Vector512<double> cos)
    {
        var q = Vector512.Round(x * Vector512.Create(TwoOverPi));
        var r = ((x - q * Vector512.Create(PiO2Hi)) - q * Vector512.Create(PiO2Mid)) - q * Vector512.Create(PiO2Lo); // |r| ≤ π/4 + ε
        var r2 = r * r;
        // sin r = r + r³·S(r²), cos r = 1 − r²/2 + r⁴·C(r²) (Taylor, truncation below 1e-19 for |r| ≤ π/4).
        var ps = Vector512.Create(1.0 / 355687428096000);           // 1/17!
        ps = ps * r2 - Vector512.Create(1.0 / 1307674368000);       // 1/15!
        ps = ps * r2 + Vector512.Create(1.0 / 6227020800);          // 1/13!
        ps = ps * r2 - Vector512.Create(1.0 / 39916800);            // 1/11!
        ps = ps * r2 + Vector512.Create(1.0 / 362880);              // 1/9!
        ps = ps * r2 - Vector512.Create(1.0 / 5040);                // 1/7!
        ps = ps * r2 + Vector512.Create(1.0 / 120);                 // 1/5!
        ps = ps * r2 - Vector512.Create(1.0 / 6);                   // 1/3!
        var sr = r + r * r2 * ps;
        var pc = Vector512.Create(-1.0 / 6402373705728000);         // 1/18!
        pc = pc * r2 + Vector512.Create(1.0 / 20922789888000);      // 1/16!
        pc = pc * r2 - Vector512.Create(1.0 / 87178291200);         // 1/14!
        pc = pc * r2 + Vector512.Create(1.0 / 479001600);           // 1/12!
        pc = pc * r2 - Vector512.Create(1.0 / 3628800);             // 1/10!
        pc = pc * r2 + Vector512.Create(1.0 / 40320);               // 1/8!
        pc = pc * r2 - Vector512.Create(1.0 / 720);                 // 1/6!
        pc = pc * r2 + Vector512.Create(1.0 / 24);                  // 1/4!
        var cr = Vector512.Create(1.0) + (r2 * Vector512.Create(-0.5) + r2 * r2 * pc);
        // Quadrant q mod 4: 0 (s, c), 1 (c, −s), 2 (−s, −c), 3 (−c, s).
        var qi = (q + Vector512.Create(6755399441055744.0)).AsInt64(); // low bits = q mod 4 (two's complement)
        var swap = Vector512.Equals(qi & Vector512.Create(1L), Vector512.Create(1L)).AsDouble();
        var sinNeg = Vector512.Equals(qi & Vector512.Create(2L), Vector512.Create(2L)).AsDouble();
        var cosNeg = Vector512.Equals((qi + Vector512.Create(1L)) & Vector512.Create(2L), Vector512.Create(2L)).AsDouble();
        var sv = Vector512.ConditionalSelect(swap, cr, sr);
        var cv = Vector512.ConditionalSelect(swap, sr, cr);
        var signBit = Vector512.Create(-0.0);
        sin = sv ^ (sinNeg & signBit);
        cos = cv ^ (cosNeg & signBit);
    }
}
