using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// The preprocessing between the features column and the network, learned from the training rows only and saved with the
/// model: a missing value (NaN) becomes the slot's training median, every slot that had a missing value in training gets
/// an indicator input (1 where the value was missing), and with normalization each slot is rescaled by its
/// <see cref="InputSlotKind"/>. The same code transforms training rows and scored rows, so they get the same bits.
/// Infinite values are not missing values: the caller rejects them.
/// </summary>
internal sealed class InputPreprocessing
{
    /// <summary>The smooth clipping threshold c of x/√(1 + (x/c)²) (RealMLP's value).</summary>
    internal const float ClipThreshold = 3f;

    /// <summary>
    /// A continuous slot keeps its zeros (0 maps to 0) when at least this fraction of its training values is exactly 0:
    /// pixels, counts and sparse text slots stay lists of their non-zeros. A slot with only a few zeros stays centred
    /// (anchoring it too cost breast cancer 0.4 AUC points and changed nothing elsewhere: benchmarks/README.md).
    /// </summary>
    internal const double ZeroAnchorFraction = 0.25;

    /// <summary>
    /// A continuous slot of values ≥ 0 (with fewer than <see cref="ZeroAnchorFraction"/> zeros) becomes
    /// <see cref="InputSlotKind.LogContinuous"/> when its sample skewness E[(x − μ)³]/σ³ over the training values exceeds
    /// this. Chosen on the tabular benchmark (benchmarks/README.md, session 7; 2 gave nearly the same figures).
    /// </summary>
    internal const double LogSkewness = 1.0;

    private const float InverseClipSquared = 1f / (ClipThreshold * ClipThreshold);

    internal InputPreprocessing(InputSlotKind[] kinds, float[] fill, float[] shift, float[] scale, float[] offset, int[] indicators, float[]? logScale = null)
    {
        int d = kinds.Length;
        logScale ??= new float[d];
        if (fill.Length != d || shift.Length != d || scale.Length != d || offset.Length != d || logScale.Length != d)
            throw new ArgumentException("The preprocessing arrays differ in length.");
        for (int j = 0; j < d; j++)
            if (!FitsKind(kinds[j], logScale[j]))
                throw new ArgumentException($"Slot {j}: a log scale (here {logScale[j]}) must be finite and positive exactly for a LogContinuous slot (here {kinds[j]}).");
        foreach (int s in indicators)
            if ((uint)s >= (uint)d) throw new ArgumentException($"Indicator slot {s} is outside the {d} features.");
        Kinds = kinds; Fill = fill; Shift = shift; Scale = scale; Offset = offset; Indicators = indicators; LogScale = logScale;
        _clipMask = new int[d];
        for (int j = 0; j < d; j++) _clipMask[j] = kinds[j] is InputSlotKind.Continuous or InputSlotKind.LogContinuous ? -1 : 0;
        int lanes = Vector<float>.Count;
        _logBlocks = new bool[d / lanes];
        for (int j = 0; j < _logBlocks.Length * lanes; j++) if (logScale[j] > 0f) _logBlocks[j / lanes] = true;
        HasLogSlots = logScale.AsSpan().ContainsAnyExcept(0f);
        IsIdentity = indicators.Length == 0 && kinds.All(k => k == InputSlotKind.Raw)
            && !shift.AsSpan().ContainsAnyExcept(0f) && !scale.AsSpan().ContainsAnyExcept(1f) && !offset.AsSpan().ContainsAnyExcept(0f);
        bool zeros = indicators.Length == 0;
        for (int j = 0; j < d && zeros; j++) zeros = BitConverter.SingleToInt32Bits(TransformOne(j, 0f)) == 0;
        PreservesZeros = zeros;
    }

    private readonly int[] _clipMask;

    /// <summary>Per block of <see cref="Vector{T}.Count"/> slots, whether one of them is a log slot.</summary>
    private readonly bool[] _logBlocks;

    /// <summary>Per slot, what is done with it.</summary>
    public InputSlotKind[] Kinds { get; }

    /// <summary>Per slot, the raw value a missing value is replaced with (the training median).</summary>
    public float[] Fill { get; }

    /// <summary>Per slot, the value subtracted before scaling.</summary>
    public float[] Shift { get; }

    /// <summary>Per slot, the factor applied after the shift (0 for a constant slot).</summary>
    public float[] Scale { get; }

    /// <summary>Per slot, the value subtracted after clipping (so that 0 maps to 0 where zeros are common).</summary>
    public float[] Offset { get; }

    /// <summary>Per slot, the m of ln(1 + x/m) for a <see cref="InputSlotKind.LogContinuous"/> slot, 0 for the others.</summary>
    public float[] LogScale { get; }

    /// <summary>Whether a slot is <see cref="InputSlotKind.LogContinuous"/>.</summary>
    public bool HasLogSlots { get; }

    /// <summary>The slots with a missing-value indicator input, in the order of those inputs (after the slots).</summary>
    public int[] Indicators { get; }

    /// <summary>Number of slots of the features column.</summary>
    public int InputCount => Kinds.Length;

    /// <summary>Number of network inputs: the slots and then one indicator per slot in <see cref="Indicators"/>.</summary>
    public int OutputCount => Kinds.Length + Indicators.Length;

    /// <summary>Whether every row goes in unchanged (normalization off, no slot with missing values in training).</summary>
    public bool IsIdentity { get; }

    /// <summary>Whether 0 maps to exactly +0 in every slot and there are no indicators (rows held as lists stay lists).</summary>
    public bool PreservesZeros { get; }

    /// <summary>The identity for <paramref name="columns"/> slots.</summary>
    public static InputPreprocessing Identity(int columns)
    {
        var scale = new float[columns];
        scale.AsSpan().Fill(1f);
        return new InputPreprocessing(new InputSlotKind[columns], new float[columns], new float[columns], scale, new float[columns], Array.Empty<int>());
    }

    /// <summary>
    /// From the first model format: per-slot z-scoring (x − μ)·s. A missing value at scoring becomes the mean μ (which
    /// those models never saw in training: they refused NaN), so it enters the network as 0 instead of giving NaN scores.
    /// </summary>
    public static InputPreprocessing FromStandardization(float[] shift, float[] scale) =>
        new(new InputSlotKind[shift.Length], (float[])shift.Clone(), shift, scale, new float[shift.Length], Array.Empty<int>());

    /// <summary>
    /// Learns the preprocessing from the <paramref name="data"/>'s rows (finite values or NaN). With
    /// <paramref name="normalize"/> false the values pass unchanged but for missing values.
    /// </summary>
    public static InputPreprocessing Fit(DenseDataset data, bool normalize)
    {
        int d = data.FeatureCount, n = data.Count;
        var columns = ColumnValues.From(data);
        var kinds = new InputSlotKind[d];
        var fill = new float[d];
        var shift = new float[d];
        var scale = new float[d];
        var offset = new float[d];
        var missing = new int[d];
        var logScale = new float[d];
        void FitSlot(int j)
        {
            var c = columns.Column(j, out int zeros, out int nan);
            missing[j] = nan;
            int count = c.Length + zeros; // finite values
            if (count == 0)
            {
                // Never observed: a constant 0 (its indicator says everything).
                kinds[j] = normalize ? InputSlotKind.Constant : InputSlotKind.Raw;
                scale[j] = normalize ? 0f : 1f;
                return;
            }
            int negatives = NegativeCount(c);
            // The value of the given rank among the finite values (the negatives, the zeros, the positives); c holds the
            // non-zero ones and is reordered by each selection.
            float At(Span<float> c, long rank)
                => rank < negatives ? OrderStatistics.Select(c, (int)rank) : rank < negatives + zeros ? 0f : OrderStatistics.Select(c, (int)(rank - zeros));
            float median = At(c, (count - 1) / 2);
            fill[j] = median;
            if (!normalize) { kinds[j] = InputSlotKind.Raw; scale[j] = 1f; return; }
            float lo = At(c, 0), hi = At(c, count - 1);
            if (lo == hi) { kinds[j] = InputSlotKind.Constant; scale[j] = 0f; return; } // x·0: 0 (and zeros stay +0)
            if (IsTwoValued(c, zeros, lo, hi))
            {
                kinds[j] = InputSlotKind.Binary; shift[j] = lo; scale[j] = 1f / (hi - lo);
                return;
            }
            kinds[j] = InputSlotKind.Continuous;
            if (negatives == 0 && zeros < ZeroAnchorFraction * count && Skewness(c, zeros) > LogSkewness)
            {
                // A long right tail: robust-scale ln(1 + x/m) instead (zeros stay 0; the ranks, so At, are unchanged).
                float m = OrderStatistics.Select(c, (c.Length - 1) / 2);
                if (float.IsFinite(Log(hi, m)))
                {
                    for (int q = 0; q < c.Length; q++) c[q] = Log(c[q], m);
                    kinds[j] = InputSlotKind.LogContinuous;
                    logScale[j] = m;
                    median = At(c, (count - 1) / 2);
                }
            }
            shift[j] = median;
            double iqr = (double)At(c, 3L * (count - 1) / 4) - At(c, (count - 1) / 4);
            double spread = iqr > 0 ? iqr : MedianDeviation(c, zeros, median);
            float s = (float)(1.0 / spread);
            scale[j] = float.IsFinite(s) && s > 0 ? s : 1f;
            // A mostly-zero slot keeps its zeros (shifted by a constant, which the first layer's bias absorbs), so
            // mostly-zero rows (pixels, counts, sparse text) stay lists of their non-zeros.
            if (zeros >= ZeroAnchorFraction * count) offset[j] = SmoothClip((0f - shift[j]) * scale[j]);
        }
        if (d >= 32 && (long)n * d >= 1 << 16) Parallel.For(0, d, FitSlot); // each slot alone: the same result on any thread count
        else for (int j = 0; j < d; j++) FitSlot(j);
        var indicators = Enumerable.Range(0, d).Where(j => missing[j] > 0).ToArray();
        return new InputPreprocessing(kinds, fill, shift, scale, offset, indicators, logScale);
    }

    /// <summary>Whether <paramref name="logScale"/> belongs to a slot of <paramref name="kind"/>: finite and positive for a
    /// <see cref="InputSlotKind.LogContinuous"/> slot, 0 for any other.</summary>
    internal static bool FitsKind(InputSlotKind kind, float logScale) =>
        kind == InputSlotKind.LogContinuous ? logScale > 0f && float.IsFinite(logScale) : logScale == 0f;

    /// <summary>ln(1 + max(x, 0)/m): the first step of a <see cref="InputSlotKind.LogContinuous"/> slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Log(float x, float m) => MathF.Log(1f + MathF.Max(x, 0f) / m);

    /// <summary>The sample skewness E[(x − μ)³]/σ³ of the non-zero values <paramref name="nonZeros"/> and <paramref name="zeros"/> zeros (0 when σ = 0).</summary>
    private static double Skewness(ReadOnlySpan<float> nonZeros, int zeros)
    {
        int count = nonZeros.Length + zeros;
        double sum = 0;
        foreach (float v in nonZeros) sum += v;
        double mean = sum / count, m2 = zeros * mean * mean, m3 = -zeros * mean * mean * mean;
        foreach (float v in nonZeros)
        {
            double dv = v - mean;
            m2 += dv * dv;
            m3 += dv * dv * dv;
        }
        m2 /= count; m3 /= count;
        return m2 > 0 ? m3 / (m2 * Math.Sqrt(m2)) : 0;
    }

    private static int NegativeCount(ReadOnlySpan<float> values)
    {
        int count = 0;
        foreach (float v in values) if (v < 0f) count++;
        return count;
    }

    private static bool IsTwoValued(ReadOnlySpan<float> nonZeros, int zeros, float lo, float hi)
    {
        foreach (float v in nonZeros) if (v != lo && v != hi) return false;
        return zeros == 0 || lo == 0f || hi == 0f;
    }

    /// <summary>The median of |x − m| over the finite values x ≠ m (1 if there are none).</summary>
    private static double MedianDeviation(ReadOnlySpan<float> nonZeros, int zeros, float m)
    {
        var dev = new double[nonZeros.Length + (m != 0f ? zeros : 0)];
        int count = 0;
        foreach (float v in nonZeros) if (v != m) dev[count++] = Math.Abs((double)v - m);
        if (m != 0f) for (int i = 0; i < zeros; i++) dev[count++] = Math.Abs((double)m);
        if (count == 0) return 1.0;
        return OrderStatistics.Select(dev.AsSpan(0, count), (count - 1) / 2);
    }

    /// <summary>
    /// Beyond this |x| the smooth clip is ±3 in single precision; x is clamped to it first so that x² cannot overflow
    /// (∞/∞ would give NaN, and a huge x over an infinite root 0).
    /// </summary>
    private const float ClipLimit = 1e18f;

    /// <summary>x/√(1 + (x/3)²): about x near 0, tending to ±3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float SmoothClip(float x)
    {
        x = Math.Clamp(x, -ClipLimit, ClipLimit);
        return x / MathF.Sqrt(1f + x * x * InverseClipSquared);
    }

    /// <summary>The network input of slot <paramref name="j"/> for the raw value <paramref name="x"/> (NaN: missing).</summary>
    internal float TransformOne(int j, float x)
    {
        if (float.IsNaN(x)) x = Fill[j];
        if (LogScale[j] > 0f) x = Log(x, LogScale[j]);
        float y = (x - Shift[j]) * Scale[j];
        if (_clipMask[j] != 0) y = SmoothClip(y);
        return y - Offset[j];
    }

    /// <summary>
    /// Writes the network inputs of one row: <paramref name="x"/> has <see cref="InputCount"/> raw values,
    /// <paramref name="output"/> gets <see cref="OutputCount"/> values. May not overlap unless they are the same span.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Transform(ReadOnlySpan<float> x, Span<float> output)
    {
        int d = Kinds.Length;
        x = x[..d];
        output = output[..OutputCount];
        // Indicators first (the slots' values are overwritten when x and output are the same span).
        for (int k = 0; k < Indicators.Length; k++) output[d + k] = float.IsNaN(x[Indicators[k]]) ? 1f : 0f;
        if (IsIdentity)
        {
            x.CopyTo(output);
            // A value missing at scoring in a model that saw none in training still gets the slot's median.
            if (ContainsNaN(x)) for (int i = 0; i < d; i++) if (float.IsNaN(output[i])) output[i] = Fill[i];
            return;
        }
        int j = 0;
        if (Vector.IsHardwareAccelerated && d >= Vector<float>.Count)
        {
            var inverseClip = new Vector<float>(InverseClipSquared);
            var limit = new Vector<float>(ClipLimit);
            var fill = MemoryMarshal.Cast<float, Vector<float>>(Fill);
            var shift = MemoryMarshal.Cast<float, Vector<float>>(Shift);
            var scale = MemoryMarshal.Cast<float, Vector<float>>(Scale);
            var offset = MemoryMarshal.Cast<float, Vector<float>>(Offset);
            var clip = MemoryMarshal.Cast<int, Vector<int>>(_clipMask);
            var xs = MemoryMarshal.Cast<float, Vector<float>>(x);
            var os = MemoryMarshal.Cast<float, Vector<float>>(output);
            Span<float> lanes = stackalloc float[Vector<float>.Count];
            for (int v = 0; v < xs.Length; v++)
            {
                var a = xs[v];
                a = Vector.ConditionalSelect(Vector.Equals(a, a), a, fill[v]);
                if (_logBlocks[v])
                {
                    // The log lanes one by one, with the scalar path's function (the same bits).
                    a.CopyTo(lanes);
                    for (int i = 0, j0 = v * lanes.Length; i < lanes.Length; i++)
                        if (LogScale[j0 + i] > 0f) lanes[i] = Log(lanes[i], LogScale[j0 + i]);
                    a = new Vector<float>(lanes);
                }
                var y = (a - shift[v]) * scale[v];
                var c = Vector.Min(Vector.Max(y, -limit), limit);
                var clipped = c / Vector.SquareRoot(Vector<float>.One + c * c * inverseClip);
                os[v] = Vector.ConditionalSelect(clip[v], clipped, y) - offset[v];
            }
            j = xs.Length * Vector<float>.Count;
        }
        for (; j < d; j++) output[j] = TransformOne(j, x[j]);
    }

    /// <summary>Whether <paramref name="x"/> holds a NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool ContainsNaN(ReadOnlySpan<float> x)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var all = MemoryMarshal.Cast<float, Vector<float>>(x);
            for (int v = 0; v < all.Length; v++) if (!Vector.EqualsAll(all[v], all[v])) return true;
            i = all.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) if (float.IsNaN(x[i])) return true;
        return false;
    }

    /// <summary>
    /// A new dataset of the network inputs of <paramref name="data"/>'s rows (targets and weights shared). Rows held only
    /// as lists stay lists, transformed in place, when <see cref="PreservesZeros"/>; the identity returns the same object.
    /// </summary>
    public DenseDataset Apply(DenseDataset data)
    {
        if (data.FeatureCount != InputCount)
            throw new ArgumentException($"The data has {data.FeatureCount} features; the preprocessing expects {InputCount}.", nameof(data));
        if (IsIdentity) return data;
        if (data.DenseFeatures is null && data.Lists is { } lists && PreservesZeros)
        {
            var value = lists.Value;
            for (int q = 0; q < lists.Start[lists.Count]; q++)
                value[q] = TransformOne(lists.ColumnOf(q), value[q]);
            return data;
        }
        int d = InputCount, o = OutputCount, n = data.Count;
        var src = data.Features;
        float[] dst = o == d ? src : new float[checked(n * o)];
        for (int r = 0; r < n; r++)
        {
            var row = src.AsSpan(r * d, d);
            if (ReferenceEquals(src, dst)) Transform(row, row);
            else Transform(row, dst.AsSpan(r * o, o));
        }
        return new DenseDataset(dst, o, data.Targets, data.TargetCount, data.Weights, n);
    }

    /// <summary>Each slot's values of a dataset, gathered one slot at a time (zeros and NaN counted, not listed).</summary>
    private sealed class ColumnValues
    {
        private readonly float[]? _dense;
        private readonly int _n, _d;
        private readonly int[]? _colStart;
        private readonly float[]? _colValues;

        private ColumnValues(float[]? dense, int n, int d, int[]? colStart, float[]? colValues)
        {
            _dense = dense; _n = n; _d = d; _colStart = colStart; _colValues = colValues;
        }

        public static ColumnValues From(DenseDataset data)
        {
            int n = data.Count, d = data.FeatureCount;
            if (data.DenseFeatures is null && data.Lists is { } lists)
            {
                // Lists by row → lists by column (counting sort on the column index).
                int entries = lists.Start[lists.Count];
                var start = new int[d + 1];
                for (int q = 0; q < entries; q++) start[lists.ColumnOf(q) + 1]++;
                for (int j = 0; j < d; j++) start[j + 1] += start[j];
                var next = start[..d];
                var values = new float[entries];
                for (int q = 0; q < entries; q++) values[next[lists.ColumnOf(q)]++] = lists.Value[q];
                return new ColumnValues(null, n, d, start, values);
            }
            return new ColumnValues(data.Features, n, d, null, null);
        }

        /// <summary>
        /// Slot <paramref name="j"/>'s finite non-zero values (for rows held as lists, the slot's own segment of the transposed
        /// entries, reordered in place: each slot is read once), and how many zeros and NaN it has.
        /// </summary>
        public Span<float> Column(int j, out int zeros, out int nan)
        {
            Span<float> values;
            if (_dense is not null)
            {
                var column = new float[_n];
                int m = 0;
                for (int r = 0; r < _n; r++)
                {
                    float v = _dense[(long)r * _d + j];
                    if (v != 0f) column[m++] = v;
                }
                values = column.AsSpan(0, m);
            }
            else values = _colValues.AsSpan(_colStart![j], _colStart[j + 1] - _colStart[j]);
            // Drop the NaN (compacting in place).
            int kept = 0;
            foreach (float v in values) if (!float.IsNaN(v)) values[kept++] = v;
            nan = values.Length - kept;
            values = values[..kept];
            zeros = _n - nan - kept;
            return values;
        }
    }
}
