using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>Reads a task's label column into target values, row by row.</summary>
internal abstract class LabelReader
{
    /// <summary>Target values per example.</summary>
    public abstract int TargetSize { get; }

    /// <summary>
    /// Returns a function that writes the current row's target into its argument and returns null, or returns a
    /// message saying what is wrong with the label (missing, out of range, not finite).
    /// </summary>
    public abstract Func<Span<float>, string?> CreateReader(DataViewRow row, DataViewSchema.Column label);
}

/// <summary>
/// The one place where an <see cref="IDataView"/> becomes dense arrays for training: checks the columns,
/// reads features, targets and weights, and reports bad values by row and column.
/// </summary>
internal sealed class TrainingDataReader
{
    private readonly string _features, _label;
    private readonly string? _weight;
    private readonly LabelReader _labels;
    private readonly LabelReader? _plainLabels;
    private readonly bool _skipNonFinite, _keepNaN;

    /// <param name="featureColumn">The features column.</param>
    /// <param name="labelColumn">The label column.</param>
    /// <param name="weightColumn">The example weight column, or null.</param>
    /// <param name="labels">Writes the training targets.</param>
    /// <param name="missing">How NaN features are treated.</param>
    /// <param name="plainLabels">Optionally a second reader of the same label column with the same target size, whose
    /// targets go to <see cref="DenseDataset.PlainTargets"/> (read in the same pass).</param>
    public TrainingDataReader(string featureColumn, string labelColumn, string? weightColumn, LabelReader labels, MissingValueHandling missing, LabelReader? plainLabels = null)
    {
        if (plainLabels is not null && plainLabels.TargetSize != labels.TargetSize)
            throw new ArgumentException("The plain label reader writes another number of targets.", nameof(plainLabels));
        _features = featureColumn; _label = labelColumn; _weight = weightColumn; _labels = labels; _plainLabels = plainLabels;
        _skipNonFinite = missing == MissingValueHandling.SkipRows;
        _keepNaN = missing == MissingValueHandling.Impute;
    }

    /// <summary>Checks the schema and returns the feature count.</summary>
    public int CheckSchema(DataViewSchema schema, string dataName)
    {
        var f = schema.GetColumnOrNull(_features)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"The {dataName} has no features column '{_features}'.");
        if (f.Type is not VectorDataViewType { IsKnownSize: true } vt || vt.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"The features column '{_features}' of the {dataName} must be a known-size vector of Single (Vector<Single, N>), but is {f.Type}. " +
                "Use mlContext.Transforms.Concatenate to build it and Conversion.ConvertType for other numeric types.");
        if (schema.GetColumnOrNull(_label) is null)
            throw new ArgumentOutOfRangeException(nameof(schema), $"The {dataName} has no label column '{_label}'.");
        if (_weight is not null)
        {
            var w = schema.GetColumnOrNull(_weight)
                ?? throw new ArgumentOutOfRangeException(nameof(schema), $"The {dataName} has no example weight column '{_weight}'.");
            if (w.Type != NumberDataViewType.Single)
                throw new ArgumentOutOfRangeException(nameof(schema), $"The example weight column '{_weight}' must be Single, but is {w.Type}.");
        }
        return vt.Size;
    }

    /// <summary>
    /// Reads every row of <paramref name="data"/>; returns the dataset and the number of rows skipped. With
    /// <paramref name="listNonZeros"/> the accepted rows are listed as they are read, and while they prove mostly zeros the
    /// dataset holds them only as lists (<see cref="DenseDataset.Lists"/>; dense rows are built from them on demand).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per Fit (or epoch): no time to tier up
    public (DenseDataset Data, long Skipped) Read(IDataView data, string dataName, int? expectedFeatures = null, DenseDataset? reuse = null, bool listNonZeros = false)
    {
        int d = CheckSchema(data.Schema, dataName);
        if (expectedFeatures is { } e && e != d)
            throw new ArgumentOutOfRangeException(nameof(data), $"The {dataName}'s features column '{_features}' has {d} values per row; the training data has {e}.");
        int t = _labels.TargetSize;
        var fCol = data.Schema[_features];
        var lCol = data.Schema[_label];
        var wCol = _weight is null ? (DataViewSchema.Column?)null : data.Schema[_weight];
        var columns = new List<DataViewSchema.Column> { fCol, lCol };
        if (wCol is { } wc) columns.Add(wc);
        long? rowCount = data.GetRowCount();
        int capacity = (int)Math.Clamp(rowCount ?? 1024, 16, int.MaxValue / Math.Max(d, 1));
        // With lists, the rows are kept only as lists while they prove mostly zeros (a fifth of the memory on MNIST): each
        // row is read into one row's buffer and listed; if they prove dense, the rows so far are written densely and the
        // rest is read as without lists.
        var lists = listNonZeros ? new SparseRows.Builder(d, capacity) : null;
        float[]? rowBuffer = lists is null ? null : new float[d];
        float[]? features = lists is not null ? null
            : reuse?.DenseFeatures is { } rf && rf.Length >= capacity * d ? rf : new float[capacity * d];
        var targets = reuse is not null && reuse.Targets.Length >= capacity * t ? reuse.Targets : new float[capacity * t];
        var plainTargets = _plainLabels is null ? null : reuse?.PlainTargets is { } rp && rp.Length >= capacity * t ? rp : new float[capacity * t];
        float[]? weights = wCol is null ? null : reuse?.Weights is { } rw && rw.Length >= capacity ? rw : new float[capacity];
        int n = 0;
        long skipped = 0, row = -1;
        string[]? slotNames = null;
        using (var cursor = OpenSequentialCursor(data, columns))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(fCol);
            var readLabel = _labels.CreateReader(cursor, lCol);
            var readPlainLabel = _plainLabels?.CreateReader(cursor, lCol);
            var getWeight = wCol is { } w2 ? cursor.GetGetter<float>(w2) : null;
            var buffer = default(VBuffer<float>);
            float weight = 1f;
            while (cursor.MoveNext())
            {
                row++;
                if (n == capacity)
                {
                    capacity = checked(capacity * 2);
                    if (features is not null) Array.Resize(ref features, capacity * d);
                    Array.Resize(ref targets, capacity * t);
                    if (plainTargets is not null) Array.Resize(ref plainTargets, capacity * t);
                    if (weights is not null) Array.Resize(ref weights, capacity);
                }
                getFeatures(ref buffer);
                if (buffer.Length != d)
                    throw new InvalidOperationException($"Row {row} of the {dataName}: column '{_features}' has {buffer.Length} values, expected {d}.");
                var x = features is null ? rowBuffer.AsSpan() : features.AsSpan(n * d, d);
                buffer.CopyTo(x);
                int bad = _keepNaN ? IndexOfInfinity(x) : IndexOfNonFinite(x);
                string? labelError = readLabel(targets.AsSpan(n * t, t));
                if (readPlainLabel is not null) labelError ??= readPlainLabel(plainTargets.AsSpan(n * t, t));
                if (getWeight is not null)
                {
                    getWeight(ref weight);
                    if (!float.IsFinite(weight) || weight < 0) labelError ??= $"example weight '{_weight}' is {weight}, expected a finite value ≥ 0";
                }
                if (bad >= 0 || labelError is not null)
                {
                    if (_skipNonFinite) { skipped++; continue; }
                    if (bad >= 0)
                    {
                        slotNames ??= SlotNames(fCol, d);
                        string slot = slotNames is not null && !string.IsNullOrEmpty(slotNames[bad]) ? $" ('{slotNames[bad]}')" : "";
                        throw new InvalidOperationException(
                            $"Row {row} of the {dataName}: column '{_features}' slot {bad}{slot} is {x[bad]}. " + (_keepNaN
                                ? "Features must be finite or NaN (a missing value, imputed): clean the data, or set MissingValues = MissingValueHandling.SkipRows to skip such rows."
                                : "Features must be finite with MissingValues = Error: clean the data, use MissingValues = Impute (the default) for NaN, or MissingValues = SkipRows to skip such rows."));
                    }
                    throw new InvalidOperationException($"Row {row} of the {dataName}: {labelError}. Fix the data, or set MissingValues = MissingValueHandling.SkipRows to skip such rows.");
                }
                if (weights is not null) weights[n] = weight;
                if (features is null)
                {
                    lists!.Add(x);
                    if (!lists.Active)
                    {
                        // Too dense for lists: rows 0..n-1 from the lists, this one from its buffer, the rest read in place.
                        features = new float[capacity * d];
                        lists.MoveToDense(features);
                        x.CopyTo(features.AsSpan(n * d, d));
                    }
                }
                n++;
            }
        }
        if (features is null) return (new DenseDataset(lists!.Finish()!, targets, t, weights) { PlainTargets = plainTargets }, skipped);
        return (new DenseDataset(features, d, targets, t, weights, n) { PlainTargets = plainTargets }, skipped);
    }

    /// <summary>
    /// One cursor over <paramref name="data"/> in its row order. Asking for a cursor set of one first: a plain
    /// <c>GetRowCursor</c> through ML.NET's row-mapping transforms (e.g. <c>MapValueToKey</c>) on a multi-core machine
    /// splits the upstream cursor over worker threads and consolidates the rows again, which for a single sequential read
    /// only adds pipes, locks and their first-use compilation (≈ 60 ms cold on the reference workload). When a view
    /// returns more than one cursor anyway, they are closed and the plain cursor is used.
    /// </summary>
    internal static DataViewRowCursor OpenSequentialCursor(IDataView data, IEnumerable<DataViewSchema.Column> columns)
    {
        var set = data.GetRowCursorSet(columns, 1);
        if (set.Length == 1) return set[0];
        foreach (var c in set) c.Dispose();
        return data.GetRowCursor(columns);
    }

    /// <summary>The index of the first infinite value of <paramref name="x"/>, or -1 (NaN is allowed: a missing value).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int IndexOfInfinity(ReadOnlySpan<float> x)
    {
        int at = IndexOfNonFinite(x);
        if (at < 0) return -1;
        for (int i = at; i < x.Length; i++) if (float.IsInfinity(x[i])) return i;
        return -1;
    }

    /// <summary>The index of the first NaN or infinite value of <paramref name="x"/>, or -1.</summary>
    /// <remarks>Called once per row during a single read: compiled fully optimized from the first call (at tier 0 this
    /// scalar scan took ≈ 40 ms of the 8,000 × 784 reference read). x − x is 0 exactly when x is finite.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int IndexOfNonFinite(ReadOnlySpan<float> x)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var all = MemoryMarshal.Cast<float, Vector<float>>(x);
            for (int v = 0; v < all.Length; v++)
            {
                var a = all[v];
                if (!Vector.EqualsAll(a - a, Vector<float>.Zero)) break;
                i += Vector<float>.Count;
            }
        }
        for (; i < x.Length; i++) if (!float.IsFinite(x[i])) return i;
        return -1;
    }

    private static string[]? SlotNames(DataViewSchema.Column column, int size)
    {
        if (!column.HasSlotNames()) return null;
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetSlotNames(ref names);
        return names.DenseValues().Select(m => m.ToString()).ToArray();
    }
}
