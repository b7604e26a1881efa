using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Performance;

/// <summary>
/// The training data is read through one cursor of a cursor set of one (no split-and-consolidate through ML.NET's
/// worker threads): it must see exactly the rows, in exactly the order, a plain cursor sees, also when a view insists
/// on several cursors.
/// </summary>
public class SequentialCursorTests
{
    private sealed class Row
    {
        public float Label { get; set; }

        [VectorType(3)]
        public float[] Features { get; set; } = new float[3];
    }

    private static IDataView Pipeline(MLContext ml, int rows)
    {
        var data = Enumerable.Range(0, rows).Select(i => new Row { Label = i % 7, Features = new[] { i, i * 0.5f, -i } });
        var view = ml.Data.LoadFromEnumerable(data);
        return ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.NormalizeMinMax("Features")).Fit(view).Transform(view);
    }

    private static List<(uint, float[])> ReadAll(DataViewRowCursor cursor, IDataView view)
    {
        var label = cursor.GetGetter<uint>(view.Schema["Label"]);
        var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
        var rows = new List<(uint, float[])>();
        uint l = 0;
        var f = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            label(ref l);
            features(ref f);
            rows.Add((l, f.DenseValues().ToArray()));
        }
        return rows;
    }

    [Fact]
    public void SeesTheRowsOfAPlainCursorInTheSameOrder()
    {
        var ml = new MLContext(1);
        var view = Pipeline(ml, 5000);
        var columns = new[] { view.Schema["Label"], view.Schema["Features"] };
        List<(uint, float[])> plain, sequential;
        using (var c = view.GetRowCursor(columns)) plain = ReadAll(c, view);
        using (var c = TrainingDataReader.OpenSequentialCursor(view, columns)) sequential = ReadAll(c, view);
        Assert.Equal(5000, sequential.Count);
        for (int i = 0; i < plain.Count; i++)
        {
            Assert.Equal(plain[i].Item1, sequential[i].Item1);
            Assert.Equal(plain[i].Item2, sequential[i].Item2);
        }
    }

    /// <summary>A view that answers every cursor-set request with two cursors.</summary>
    private sealed class TwoCursorView(IDataView inner) : IDataView
    {
        public int SetsOpened;

        public bool CanShuffle => inner.CanShuffle;

        public DataViewSchema Schema => inner.Schema;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => inner.GetRowCursor(columnsNeeded, rand);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        {
            SetsOpened++;
            return new[] { inner.GetRowCursor(columnsNeeded, rand), inner.GetRowCursor(columnsNeeded, rand) };
        }
    }

    [Fact]
    public void FallsBackToAPlainCursorWhenTheViewReturnsSeveral()
    {
        var ml = new MLContext(1);
        var view = new TwoCursorView(Pipeline(ml, 300));
        var columns = new[] { view.Schema["Label"], view.Schema["Features"] };
        using var c = TrainingDataReader.OpenSequentialCursor(view, columns);
        Assert.Equal(1, view.SetsOpened);
        Assert.Equal(300, ReadAll(c, view).Count);
    }
}
