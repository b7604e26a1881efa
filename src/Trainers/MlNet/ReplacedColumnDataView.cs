using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Trainers;

/// <summary>
/// A view of <c>source</c> whose known-size Single vector column <c>column</c> holds other values, given row by row
/// (<c>rows[i]</c> for the i-th row); every other column, and the schema, is the source's. Rows are read in order only
/// (no shuffling), since the replacement values are matched to rows by position; the source must give the same rows, in the
/// same order, on every read (a source with fewer rows, or random upstream steps, is not detected beyond a row count above
/// the values held).
/// </summary>
internal sealed class ReplacedColumnDataView : IDataView
{
    private readonly IDataView _source;
    private readonly int _column;
    private readonly float[][] _rows;

    public ReplacedColumnDataView(IDataView source, string column, float[][] rows)
    {
        _source = source;
        _column = source.Schema[column].Index;
        _rows = rows;
    }

    public bool CanShuffle => false;

    public DataViewSchema Schema => _source.Schema;

    public long? GetRowCount() => _rows.Length;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new Cursor(this, _source.GetRowCursor(columnsNeeded.Where(c => c.Index != _column)), columnsNeeded.Any(c => c.Index == _column));

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ReplacedColumnDataView _view;
        private readonly DataViewRowCursor _inner;
        private readonly bool _replacedActive;

        public Cursor(ReplacedColumnDataView view, DataViewRowCursor inner, bool replacedActive)
        {
            _view = view;
            _inner = inner;
            _replacedActive = replacedActive;
        }

        public override long Position => _inner.Position;

        public override long Batch => 0;

        public override DataViewSchema Schema => _view.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _view._column ? _replacedActive : _inner.IsColumnActive(column);

        public override bool MoveNext()
        {
            if (!_inner.MoveNext()) return false;
            if (_inner.Position >= _view._rows.Length)
                throw new InvalidOperationException($"The data has more rows than the {_view._rows.Length} it had when the replacement values were computed.");
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _view._column) return _inner.GetGetter<TValue>(column);
            if (!_replacedActive) throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
            if (typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"Column '{column.Name}' holds VBuffer<Single>, not {typeof(TValue).Name}.");
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var row = _view._rows[_inner.Position];
                var editor = VBufferEditor.Create(ref value, row.Length);
                row.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
