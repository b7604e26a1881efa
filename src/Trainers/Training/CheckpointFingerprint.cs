using MlNetExtensions.Trainers.Network;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// What must be the same for a checkpoint to continue a run bit for bit: the options that affect training (by name, as
/// text), the effective seed, the sizes of the data read, and hashes of the prepared training and validation rows and of
/// the input preprocessing learned from them (recomputed from the same data, they must come out the same).
/// <see cref="Differences"/> names whatever differs.
/// </summary>
internal sealed class CheckpointFingerprint
{
    /// <summary>The options that affect training, by name (values as invariant text).</summary>
    public required IReadOnlyDictionary<string, string> Options { get; init; }

    /// <summary>The seed every random stream was drawn from (the options' Seed, or the one drawn from the MLContext).</summary>
    public required ulong Seed { get; init; }

    /// <summary>Rows read from the training data (before a hold-out split).</summary>
    public required int TrainingRows { get; init; }

    /// <summary>Slots of the features column.</summary>
    public required int FeatureCount { get; init; }

    /// <summary>Rows skipped for non-finite values (training and validation data).</summary>
    public required long SkippedRows { get; init; }

    /// <summary>Validation rows (a hold-out or separate validation data), 0 for none.</summary>
    public required int ValidationRows { get; init; }

    /// <summary>Hash of the prepared rows trained on in the first epoch (features, targets, weights).</summary>
    public required ulong TrainingData { get; init; }

    /// <summary>Hash of the prepared validation rows, 0 for none.</summary>
    public required ulong ValidationData { get; init; }

    /// <summary>Hash of the input preprocessing and label standardization learned from the training rows.</summary>
    public required ulong Preprocessing { get; init; }

    /// <summary>
    /// What differs between the run that wrote <paramref name="saved"/> and this one, one phrase each (empty when they
    /// match): the options first, by name, then the seed, then the data.
    /// </summary>
    public IReadOnlyList<string> Differences(CheckpointFingerprint saved)
    {
        var found = new List<string>();
        foreach (var name in saved.Options.Keys.Union(Options.Keys).Order(StringComparer.Ordinal))
        {
            saved.Options.TryGetValue(name, out var before);
            Options.TryGetValue(name, out var now);
            if (before != now) found.Add($"option {name} was {Show(before)} and is {Show(now)}");
        }
        if (saved.Seed != Seed) found.Add($"the effective seed was {saved.Seed} and is {Seed}");
        void Compare<T>(string what, T before, T now) where T : IEquatable<T>
        {
            if (!before.Equals(now)) found.Add($"{what} was {before} and is {now}");
        }
        Compare("the training data's row count", saved.TrainingRows, TrainingRows);
        Compare("the features column's slot count", saved.FeatureCount, FeatureCount);
        Compare("the count of skipped rows", saved.SkippedRows, SkippedRows);
        Compare("the validation row count", saved.ValidationRows, ValidationRows);
        if (saved.TrainingData != TrainingData) found.Add("the training rows' values differ (their hash)");
        if (saved.ValidationData != ValidationData) found.Add("the validation rows' values differ (their hash)");
        if (saved.Preprocessing != Preprocessing) found.Add("the input preprocessing learned from the training rows differs (its hash)");
        return found;
    }

    private static string Show(string? value) => value is null ? "absent" : value.Length == 0 ? "unset" : $"'{value}'";

    /// <summary>A hash of <paramref name="data"/>'s rows as the network sees them: the dense features (rows held as lists written out), targets, weights.</summary>
    public static ulong Hash(DenseDataset data)
    {
        var hash = new XxHash3();
        Append(hash, data.Count); Append(hash, data.FeatureCount); Append(hash, data.TargetCount);
        int d = data.FeatureCount;
        if (data.DenseFeatures is null && data.Lists is { } lists)
        {
            // One dense row at a time: the same hash as dense rows of the same values, without the whole dense copy.
            var row = new float[d];
            var index = new int[d];
            for (int r = 0; r < data.Count; r++)
            {
                Array.Clear(row);
                int q = lists.Start[r], length = lists.Start[r + 1] - q;
                lists.CopyIndices(q, index.AsSpan(0, length));
                for (int k = 0; k < length; k++) row[index[k]] = lists.Value[q + k];
                hash.Append(MemoryMarshal.AsBytes(row.AsSpan()));
            }
        }
        else hash.Append(MemoryMarshal.AsBytes(data.Features.AsSpan(0, data.Count * d)));
        hash.Append(MemoryMarshal.AsBytes(data.Targets.AsSpan(0, data.Count * data.TargetCount)));
        Append(hash, data.Weights is null ? 0 : 1);
        if (data.Weights is { } w) hash.Append(MemoryMarshal.AsBytes(w.AsSpan(0, data.Count)));
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>A hash of <paramref name="preprocessing"/>'s per-slot values and the label standardization.</summary>
    public static ulong Hash(InputPreprocessing preprocessing, float[] labelShift, float[] labelScale)
    {
        var hash = new XxHash3();
        Append(hash, preprocessing.InputCount);
        foreach (var kind in preprocessing.Kinds) Append(hash, (int)kind);
        foreach (var values in new[] { preprocessing.Fill, preprocessing.Shift, preprocessing.Scale, preprocessing.Offset, preprocessing.LogScale })
            hash.Append(MemoryMarshal.AsBytes(values.AsSpan()));
        Append(hash, preprocessing.Indicators.Length);
        hash.Append(MemoryMarshal.AsBytes(preprocessing.Indicators.AsSpan()));
        Append(hash, labelShift.Length);
        hash.Append(MemoryMarshal.AsBytes(labelShift.AsSpan()));
        hash.Append(MemoryMarshal.AsBytes(labelScale.AsSpan()));
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>A hash of a network's weights and batch-normalization statistics (the identity of a warm start's reference).</summary>
    public static ulong Hash(MultilayerPerceptron network)
    {
        var hash = new XxHash3();
        foreach (var values in NetworkSnapshot.Capture(network).Values)
        {
            Append(hash, values.Length);
            hash.Append(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        return hash.GetCurrentHashAsUInt64();
    }

    private static void Append(XxHash3 hash, int value) => hash.Append(MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in value)));
}
