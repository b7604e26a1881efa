using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Checks that separate validation data's labels mean what the training labels mean. A key label's classes are known by
/// its KeyValues annotation (what MapValueToKey learned), a soft label's by its SlotNames; a MapValueToKey fitted on the
/// validation data alone numbers the same classes in another order (the order they first occur), so that comparing the
/// key counts is not enough: early stopping would then watch scrambled labels.
/// </summary>
internal static class LabelAlignment
{
    /// <summary>
    /// Null when the validation labels can be read as they are (the same classes in the same order, or nothing to compare);
    /// otherwise remap[i] is the training class (0-based) of validation class i.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The label columns have different types, or their classes cannot be matched (a class the training data does not
    /// know, different value types, KeyValues on only one side).
    /// </exception>
    public static int[]? ValidationToTraining(DataViewSchema train, DataViewSchema validation, string labelColumn)
    {
        var a = train[labelColumn];
        var b = validation.GetColumnOrNull(labelColumn)
            ?? throw new ArgumentOutOfRangeException(nameof(validation), $"The validation data has no label column '{labelColumn}'.");
        string fix =
            $"Map the label of both with the same fitted transformer: var toKey = mlContext.Transforms.Conversion.MapValueToKey(\"{labelColumn}\").Fit(trainData); " +
            "then use toKey.Transform(trainData) and toKey.Transform(validationData) (or fit the whole preprocessing pipeline once on the training data and transform both).";
        switch (a.Type, b.Type)
        {
            case (KeyDataViewType ka, KeyDataViewType kb) when ka.RawType == kb.RawType:
            {
                var ta = KeyValueNames.FromColumn(a, (int)Math.Min(ka.Count, int.MaxValue));
                var tb = KeyValueNames.FromColumn(b, (int)Math.Min(kb.Count, int.MaxValue));
                if (ta is null && tb is null) return SameType(a, b, labelColumn, fix);
                if (ta is null || tb is null)
                    throw new ArgumentOutOfRangeException(nameof(validation),
                        $"The label column '{labelColumn}' has KeyValues in the {(ta is null ? "validation" : "training")} data but not in the {(ta is null ? "training" : "validation")} data, " +
                        $"so it cannot be checked that key k means the same class in both. {fix}");
                return Match(ta, tb, labelColumn, "key values", fix);
            }
            case (VectorDataViewType { IsKnownSize: true } va, VectorDataViewType { IsKnownSize: true } vb)
                when va.ItemType == NumberDataViewType.Single && vb.ItemType == NumberDataViewType.Single:
            {
                // Soft labels: the classes are the slots, named by SlotNames when both have them.
                var ta = KeyValueNames.FromSlotNames(a, va.Size);
                var tb = KeyValueNames.FromSlotNames(b, vb.Size);
                if (ta is null || tb is null) return SameType(a, b, labelColumn, fix);
                return Match(ta, tb, labelColumn, "slot names (classes)", fix);
            }
            default:
                return SameType(a, b, labelColumn, fix);
        }
    }

    private static int[]? SameType(DataViewSchema.Column a, DataViewSchema.Column b, string labelColumn, string fix)
    {
        if (!a.Type.Equals(b.Type))
            throw new ArgumentOutOfRangeException("validation",
                $"The validation data's label column '{labelColumn}' is {b.Type}, but the training data's is {a.Type}: both must have the same schema." +
                (a.Type is KeyDataViewType ? " " + fix : ""));
        return null;
    }

    private static int[]? Match(KeyValueNames train, KeyValueNames validation, string labelColumn, string what, string fix)
    {
        if (!train.ItemType.Equals(validation.ItemType))
            throw new ArgumentOutOfRangeException("validation",
                $"The label column '{labelColumn}' has {what} of type {train.ItemType} in the training data but {validation.ItemType} in the validation data. {fix}");
        if (train.Values.AsSpan().SequenceEqual(validation.Values)) return null;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < train.Count; i++) index.TryAdd(train.Values[i], i);
        // Each validation name must stand for one training class or output: a repeated one would leave another unread.
        var repeated = validation.Values.GroupBy(v => v, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new ArgumentOutOfRangeException("validation",
                $"The validation data's label column '{labelColumn}' has '{repeated.Key}' {repeated.Count()} times among its {what}: each must be named once. {fix}");
        var remap = new int[validation.Count];
        var unknown = new List<string>();
        for (int i = 0; i < validation.Count; i++)
        {
            if (index.TryGetValue(validation.Values[i], out int k)) remap[i] = k;
            else unknown.Add(validation.Values[i]);
        }
        if (unknown.Count > 0)
            throw new ArgumentOutOfRangeException("validation",
                $"The validation data's label column '{labelColumn}' has {what} the training data does not have: " +
                $"{string.Join(", ", unknown.Take(5).Select(v => $"'{v}'"))}{(unknown.Count > 5 ? $" and {unknown.Count - 5} more" : "")} " +
                $"(training: {train.Count} classes, validation: {validation.Count}). {fix}");
        bool identity = validation.Count == train.Count && remap.Select((k, i) => k == i).All(x => x);
        return identity ? null : remap;
    }
}
