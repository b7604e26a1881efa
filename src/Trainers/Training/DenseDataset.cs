namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Training examples held densely in memory: features row-major [count × featureCount], targets
/// [count × targetCount] (one-hot, soft or scalar) and optional per-example weights.
/// </summary>
internal sealed class DenseDataset
{
    /// <summary>Wraps existing arrays (not copied).</summary>
    public DenseDataset(float[] features, int featureCount, float[] targets, int targetCount, float[]? weights, int count)
    {
        if (features.Length < (long)count * featureCount) throw new ArgumentException("Feature array too short.", nameof(features));
        if (targets.Length < (long)count * targetCount) throw new ArgumentException("Target array too short.", nameof(targets));
        _features = features; FeatureCount = featureCount; Targets = targets; TargetCount = targetCount; Weights = weights; Count = count;
    }

    /// <summary>
    /// Rows held only as lists of their non-zeros (mostly-zero data read for a first layer that reads lists): a fifth of the
    /// dense rows' memory on MNIST. <see cref="Features"/> builds the dense rows from the lists if something asks for them.
    /// </summary>
    public DenseDataset(SparseRows lists, float[] targets, int targetCount, float[]? weights)
    {
        if (targets.Length < (long)lists.Count * targetCount) throw new ArgumentException("Target array too short.", nameof(targets));
        FeatureCount = lists.FeatureCount; Targets = targets; TargetCount = targetCount; Weights = weights; Count = lists.Count;
        Lists = lists;
    }

    private float[]? _features;
    private readonly object _featuresLock = new();

    /// <summary>
    /// Features, [Count × FeatureCount]. For a dataset held as lists only, the first use builds the dense rows from the
    /// lists (thread-safe; the same values) and keeps them.
    /// </summary>
    public float[] Features
    {
        get
        {
            var f = Volatile.Read(ref _features);
            if (f is not null) return f;
            lock (_featuresLock)
            {
                if (_features is null)
                {
                    long size = (long)Count * FeatureCount;
                    if (size > Array.MaxLength)
                        throw new InvalidOperationException(
                            $"{Count} rows of {FeatureCount} features ({size} values) are too many to hold densely (at most {Array.MaxLength}); " +
                            "they are held as lists of their non-zeros, which the options used here cannot read (validation split, validation reuse or loss on the training data): train on fewer rows or without those options.");
                    var dense = new float[size];
                    Lists!.CopyTo(dense);
                    Volatile.Write(ref _features, dense);
                }
                return _features!;
            }
        }
    }

    /// <summary>The dense rows when they exist, null for a dataset held as lists only (without building them).</summary>
    public float[]? DenseFeatures => Volatile.Read(ref _features);

    /// <summary>Values per example.</summary>
    public int FeatureCount { get; }

    /// <summary>Targets, [Count × TargetCount].</summary>
    public float[] Targets { get; }

    /// <summary>Target values per example.</summary>
    public int TargetCount { get; }

    /// <summary>Per-example weights, or null for all ones.</summary>
    public float[]? Weights { get; }

    /// <summary>Number of examples.</summary>
    public int Count { get; }

    /// <summary>
    /// The same feature rows as lists of their non-zeros, when the reader built them (mostly-zero rows); null otherwise.
    /// Copies (<see cref="Select"/>, <see cref="Concat"/>) do not carry them (they copy dense rows).
    /// </summary>
    public SparseRows? Lists { get; init; }

    /// <summary>
    /// The same rows' targets as a second label reader wrote them in the same pass (the plain labels a hold-out is
    /// validated on when the training targets are smoothed or weighted), [Count × TargetCount]; null when none was asked for.
    /// </summary>
    public float[]? PlainTargets { get; init; }

    /// <summary>These rows (features and weights shared, not copied) with <see cref="PlainTargets"/> as their targets.</summary>
    /// <exception cref="InvalidOperationException">The dataset was read without plain targets.</exception>
    public DenseDataset WithPlainTargets()
    {
        var plain = PlainTargets ?? throw new InvalidOperationException("The dataset was read without plain targets.");
        return DenseFeatures is { } dense
            ? new DenseDataset(dense, FeatureCount, plain, TargetCount, Weights, Count)
            : new DenseDataset(Lists!, plain, TargetCount, Weights);
    }

    /// <summary>The rows at <paramref name="indices"/>, copied into a new dataset.</summary>
    public DenseDataset Select(ReadOnlySpan<int> indices)
    {
        var f = new float[indices.Length * FeatureCount];
        var t = new float[indices.Length * TargetCount];
        var w = Weights is null ? null : new float[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            int r = indices[i];
            Features.AsSpan(r * FeatureCount, FeatureCount).CopyTo(f.AsSpan(i * FeatureCount));
            Targets.AsSpan(r * TargetCount, TargetCount).CopyTo(t.AsSpan(i * TargetCount));
            if (w is not null) w[i] = Weights![r];
        }
        return new DenseDataset(f, FeatureCount, t, TargetCount, w, indices.Length);
    }

    /// <summary>This dataset followed by <paramref name="other"/>.</summary>
    public DenseDataset Concat(DenseDataset other)
    {
        if (other.FeatureCount != FeatureCount || other.TargetCount != TargetCount)
            throw new ArgumentException("Datasets of different shapes cannot be concatenated.");
        var f = new float[(Count + other.Count) * FeatureCount];
        var t = new float[(Count + other.Count) * TargetCount];
        Features.AsSpan(0, Count * FeatureCount).CopyTo(f);
        other.Features.AsSpan(0, other.Count * FeatureCount).CopyTo(f.AsSpan(Count * FeatureCount));
        Targets.AsSpan(0, Count * TargetCount).CopyTo(t);
        other.Targets.AsSpan(0, other.Count * TargetCount).CopyTo(t.AsSpan(Count * TargetCount));
        float[]? w = null;
        if (Weights is not null || other.Weights is not null)
        {
            w = new float[Count + other.Count];
            for (int i = 0; i < Count; i++) w[i] = Weights?[i] ?? 1f;
            for (int i = 0; i < other.Count; i++) w[Count + i] = other.Weights?[i] ?? 1f;
        }
        return new DenseDataset(f, FeatureCount, t, TargetCount, w, Count + other.Count);
    }
}

/// <summary>Where each epoch's training data comes from: the same arrays, or a fresh read (fresh augmentation) per epoch.</summary>
internal interface IEpochData
{
    /// <summary>Whether every epoch gets the same dataset object (then anything derived from it once serves every epoch).</summary>
    bool SameDataEachEpoch { get; }

    /// <summary>The data of epoch <paramref name="epoch"/> (1-based). May reuse the arrays of the previous epoch.</summary>
    DenseDataset ForEpoch(int epoch);
}

/// <summary>Data read once and reused every epoch.</summary>
internal sealed class FixedEpochData : IEpochData
{
    private readonly DenseDataset _data;

    /// <summary>Serves <paramref name="data"/> for every epoch.</summary>
    public FixedEpochData(DenseDataset data) => _data = data;

    /// <inheritdoc/>
    public bool SameDataEachEpoch => true;

    /// <inheritdoc/>
    public DenseDataset ForEpoch(int epoch) => _data;
}

/// <summary>Training rows followed by validation rows, for the runs that reuse the validation data after early stopping.</summary>
internal sealed class CombinedEpochData : IEpochData
{
    private readonly IEpochData _train;
    private readonly DenseDataset _validation;
    private readonly int _epochOffset;
    private DenseDataset? _fixed;

    /// <summary>
    /// Serves <paramref name="train"/>'s epoch <c>epochOffset + e</c> followed by <paramref name="validation"/> as epoch e,
    /// so re-read (augmented) training data stays fresh; fixed training data is concatenated once.
    /// </summary>
    public CombinedEpochData(IEpochData train, DenseDataset validation, int epochOffset)
    {
        _train = train; _validation = validation; _epochOffset = epochOffset;
    }

    /// <inheritdoc/>
    public bool SameDataEachEpoch => _train is FixedEpochData;

    /// <inheritdoc/>
    public DenseDataset ForEpoch(int epoch)
    {
        if (_train is FixedEpochData) return _fixed ??= _train.ForEpoch(1).Concat(_validation);
        return _train.ForEpoch(_epochOffset + epoch).Concat(_validation);
    }
}
