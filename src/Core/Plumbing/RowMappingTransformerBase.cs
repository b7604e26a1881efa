using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Plumbing;

/// <summary>
/// Base of every MlNetExtensions transformer: a row-to-row mapping that appends (or replaces, by
/// name) columns computed from input columns. It implements <see cref="ITransformer"/>,
/// <see cref="IRowToRowMapper"/> and the lazily mapped <see cref="IDataView"/> on ML.NET's public API
/// only, and saves itself through the model bridge. Derived classes describe their output columns,
/// make getters and write their payload; they never see cursors or model contexts.
/// </summary>
public abstract class RowMappingTransformerBase : ITransformer
{
    /// <summary>Describes the columns this transformer adds for <paramref name="inputSchema"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An input column is missing or of the wrong type (the message names it).</exception>
    protected abstract IReadOnlyList<DataViewSchema.DetachedColumn> GetOutputColumns(DataViewSchema inputSchema);

    /// <summary>The names of the input columns the added columns are computed from.</summary>
    protected abstract IReadOnlyList<string> InputColumnNames { get; }

    /// <summary>
    /// Creates the getters (<c>ValueGetter&lt;T&gt;</c>) of the added columns over <paramref name="input"/>; an entry may be
    /// <see langword="null"/> where <paramref name="isActive"/> is false. Getters of one call may share state:
    /// they are used by one thread.
    /// </summary>
    protected abstract Delegate?[] CreateGetters(DataViewRow input, bool[] isActive);

    /// <summary>The model-file identity of this transformer.</summary>
    protected abstract ModelFormat Format { get; }

    /// <summary>Writes this transformer's state; the matching static <c>Load</c> reads it back.</summary>
    protected abstract void SaveModel(BinaryWriter writer);

    /// <summary>Whether <see cref="Transform"/>'s view may hand out parallel cursors (one per input cursor).</summary>
    protected virtual bool AllowsParallelCursors => true;

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        foreach (var column in GetOutputColumns(inputSchema))
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    /// <inheritdoc/>
    public virtual IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return MapView(input, (row, active, _) => CreateGetters(row, active), singleCursor: !AllowsParallelCursors);
    }

    /// <summary>
    /// A lazily mapped view of <paramref name="input"/> whose cursors take the added columns' getters from
    /// <paramref name="createGetters"/>(row, active columns, pass), where pass counts the cursors opened on this view
    /// (0, 1, 2, …). With <paramref name="singleCursor"/>, a request for a cursor set gets one cursor, so row positions
    /// are global.
    /// </summary>
    protected IDataView MapView(IDataView input, Func<DataViewRow, bool[], long, Delegate?[]> createGetters, bool singleCursor)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(createGetters);
        return new MappedDataView(new Mapper(this, input.Schema), input, createGetters, singleCursor);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return new Mapper(this, inputSchema);
    }

    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        var writer = ModelIO.BeginSave(ctx, Format, GetType().Assembly);
        PayloadChecksum.Write(writer, SaveModel); // framed with its CRC-32, checked on load
    }

    private sealed class Mapper : IRowToRowMapper
    {
        private readonly RowMappingTransformerBase _parent;
        private readonly int _inputCount;
        private readonly int[] _sourceIndices;

        public Mapper(RowMappingTransformerBase parent, DataViewSchema inputSchema)
        {
            _parent = parent;
            InputSchema = inputSchema;
            OutputSchema = parent.GetOutputSchema(inputSchema);
            _inputCount = inputSchema.Count;
            _sourceIndices = parent.InputColumnNames.Select(n => inputSchema[n].Index).Distinct().ToArray();
        }

        public DataViewSchema InputSchema { get; }
        public DataViewSchema OutputSchema { get; }

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
        {
            var needed = new SortedSet<int>();
            foreach (var column in dependingColumns)
            {
                if (column.Index < _inputCount) needed.Add(column.Index);
                else needed.UnionWith(_sourceIndices);
            }
            return needed.Select(i => InputSchema[i]).ToArray();
        }

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
            => new MappedRow(this, input, activeColumns, (row, active) => _parent.CreateGetters(row, active));

        public sealed class MappedRow : DataViewRowCursor
        {
            private readonly Mapper _mapper;
            private readonly DataViewRow _input;
            private readonly bool[] _active;
            private readonly Delegate?[] _getters;

            public MappedRow(Mapper mapper, DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns,
                Func<DataViewRow, bool[], Delegate?[]> createGetters)
            {
                _mapper = mapper;
                _input = input;
                _active = new bool[mapper.OutputSchema.Count];
                foreach (var c in activeColumns) _active[c.Index] = true;
                var addedActive = _active.Skip(mapper._inputCount).ToArray();
                _getters = addedActive.Any(a => a) ? createGetters(input, addedActive) : new Delegate?[addedActive.Length];
            }

            public override DataViewSchema Schema => _mapper.OutputSchema;
            public override long Position => _input.Position;
            public override long Batch => _input.Batch;
            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column)
                => column.Index < _mapper._inputCount ? _input.IsColumnActive(_input.Schema[column.Index]) : _active[column.Index];

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (column.Index < _mapper._inputCount) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
                var getter = _getters[column.Index - _mapper._inputCount]
                    ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested from this cursor.");
                return getter as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}; a getter of {typeof(TValue).Name} was asked for.");
            }

            public override bool MoveNext()
                => _input is DataViewRowCursor cursor ? cursor.MoveNext()
                : throw new InvalidOperationException("A row obtained from GetRowToRowMapper cannot be moved.");

            protected override void Dispose(bool disposing)
            {
                if (disposing) _input.Dispose();
                base.Dispose(disposing);
            }
        }
    }

    /// <summary>A view produced by <see cref="MapView"/>: its input, for lineage checks.</summary>
    internal interface IMappedView
    {
        /// <summary>The view that was mapped.</summary>
        IDataView Source { get; }
    }

    private sealed class MappedDataView : IDataView, IMappedView
    {
        private readonly Mapper _mapper;
        private readonly IDataView _input;
        private readonly Func<DataViewRow, bool[], long, Delegate?[]> _createGetters;
        private readonly bool _singleCursor;
        private long _passes = -1;

        public MappedDataView(Mapper mapper, IDataView input, Func<DataViewRow, bool[], long, Delegate?[]> createGetters, bool singleCursor)
        {
            _mapper = mapper;
            _input = input;
            _createGetters = createGetters;
            _singleCursor = singleCursor;
        }

        public IDataView Source => _input;
        public bool CanShuffle => _input.CanShuffle;
        public DataViewSchema Schema => _mapper.OutputSchema;
        public long? GetRowCount() => _input.GetRowCount();

        private Mapper.MappedRow Wrap(DataViewRowCursor cursor, DataViewSchema.Column[] needed, long pass)
            => new(_mapper, cursor, needed, (row, active) => _createGetters(row, active, pass));

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var needed = columnsNeeded.ToArray();
            long pass = Interlocked.Increment(ref _passes);
            return Wrap(_input.GetRowCursor(_mapper.GetDependencies(needed), rand), needed, pass);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        {
            var needed = columnsNeeded.ToArray();
            if (_singleCursor || n <= 1) return new[] { GetRowCursor(needed, rand) };
            long pass = Interlocked.Increment(ref _passes);
            return _input.GetRowCursorSet(_mapper.GetDependencies(needed), n, rand)
                .Select(c => (DataViewRowCursor)Wrap(c, needed, pass)).ToArray();
        }
    }
}
