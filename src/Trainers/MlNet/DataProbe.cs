using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>Detects stochastic upstream data (augmentation, noise): two reads of the first rows that differ.</summary>
internal static class DataProbe
{
    /// <summary>Rows compared.</summary>
    public const int ProbeRows = 64;

    public static bool IsStochastic(IDataView data, string featureColumn)
    {
        var first = ReadFirst(data, featureColumn);
        var second = ReadFirst(data, featureColumn);
        return !first.AsSpan().SequenceEqual(second);
    }

    private static float[] ReadFirst(IDataView data, string featureColumn)
    {
        var column = data.Schema[featureColumn];
        var values = new List<float>();
        using var cursor = TrainingDataReader.OpenSequentialCursor(data, new[] { column });
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        float[] row = Array.Empty<float>();
        for (int i = 0; i < ProbeRows && cursor.MoveNext(); i++)
        {
            getter(ref buffer);
            if (row.Length != buffer.Length) row = new float[buffer.Length];
            buffer.CopyTo(row);
            values.AddRange(row);
        }
        return values.ToArray();
    }
}

/// <summary>Training data read afresh for every epoch after the first (online augmentation).</summary>
internal sealed class ReloadingEpochData : IEpochData
{
    private readonly DenseDataset _first;
    private readonly Func<int, DenseDataset> _read;

    public ReloadingEpochData(DenseDataset first, Func<int, DenseDataset> read)
    {
        _first = first; _read = read;
    }

    public DenseDataset ForEpoch(int epoch) => epoch == 1 ? _first : _read(epoch);

    /// <inheritdoc/>
    public bool SameDataEachEpoch => false;
}
