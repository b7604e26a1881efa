using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions.Transforms;

/// <summary>
/// Base of the transformers that act in training only (augmentation, noise injection, label smoothing).
/// <para>
/// Their row-to-row mapper (what a <see cref="PredictionEngine{TSrc, TDst}"/> and a reloaded model use) never
/// changes a value: each output column equals its input column (or, for label smoothing, the hard one-hot target).
/// <see cref="Transform(IDataView)"/> applies the training behaviour once, to the very <see cref="IDataView"/> instance
/// the transformer was fitted on, which is what <c>EstimatorChain.Fit</c> passes it right after fitting; any other
/// view, and that same view on later calls, pass through (so evaluating a fitted pipeline on its own training data
/// with <c>model.Transform(trainData)</c> sees the original data); <see cref="TransformForTraining(IDataView)"/> gives the training view of any data. Appending
/// with or without <see cref="TransformerScope.Training"/> therefore behaves the same.
/// </para>
/// <para>
/// On a training view every <c>GetRowCursor</c> call starts a new pass: the random draws of a row depend only on the
/// seed, the pass number (0 for the first cursor of that view, then 1, 2, …) and the row's position in the cursor,
/// so a trainer reading the data once per epoch sees fresh draws every epoch, reproducibly. A training view hands out
/// a single cursor even when a cursor set is asked for, so row positions are global. Caching the training view
/// (<c>AppendCacheCheckpoint</c>, <c>mlContext.Data.Cache</c>) freezes the draws of the pass that filled the cache.
/// </para>
/// </summary>
public abstract class TrainingOnlyTransformerBase : RowMappingTransformerBase
{
    private WeakReference<IDataView>? _fittedOn;

    private protected TrainingOnlyTransformerBase(IDataView? fittedOn)
    {
        if (fittedOn is not null) _fittedOn = new WeakReference<IDataView>(fittedOn);
    }

    /// <summary>
    /// The training behaviour is applied on the first call with the very view this transformer was fitted on (the call
    /// <c>EstimatorChain.Fit</c> makes right after fitting); any other view, and later calls, pass through unchanged
    /// (output columns equal their inputs). Use <see cref="TransformForTraining(IDataView)"/> to get a training view explicitly.
    /// </summary>
    /// <param name="input">The data to map.</param>
    /// <returns>A lazily mapped view.</returns>
    public override IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var fittedOn = _fittedOn;
        if (fittedOn is not null && fittedOn.TryGetTarget(out var fitted) && ReferenceEquals(fitted, input)
            && ReferenceEquals(Interlocked.CompareExchange(ref _fittedOn, null, fittedOn), fittedOn))
            return TransformForTraining(input);
        return base.Transform(input);
    }

    /// <summary>
    /// The training view of <paramref name="input"/>: augmented (or noised, or smoothed), with fresh random draws for
    /// each cursor (pass). Use it to train on data other than the view this transformer was fitted on.
    /// </summary>
    /// <param name="input">The data to map; it must have the input columns this transformer expects.</param>
    /// <returns>A lazily mapped view with the training behaviour.</returns>
    public IDataView TransformForTraining(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new TrainingDataView(this, input);
    }

    /// <inheritdoc/>
    protected sealed override Delegate?[] CreateGetters(DataViewRow input, bool[] isActive)
        => CreateGetters(input, isActive, pass: null);

    /// <summary>
    /// Creates the getters of the added columns. <paramref name="pass"/> is null for the pass-through (inference)
    /// mapping, and the pass number of a training cursor otherwise.
    /// </summary>
    private protected abstract Delegate?[] CreateGetters(DataViewRow input, bool[] isActive, long? pass);

    /// <summary>The training view: the same mapping with training getters, one cursor per pass.</summary>
    private sealed class TrainingDataView : IDataView
    {
        private readonly TrainingOnlyTransformerBase _parent;
        private readonly IDataView _input;
        private readonly int _inputCount;
        private readonly int[] _sourceIndices;
        private long _passes = -1;

        public TrainingDataView(TrainingOnlyTransformerBase parent, IDataView input)
        {
            _parent = parent;
            _input = input;
            Schema = parent.GetOutputSchema(input.Schema);
            _inputCount = input.Schema.Count;
            _sourceIndices = parent.InputColumnNames.Select(n => input.Schema[n].Index).Distinct().ToArray();
        }

        public bool CanShuffle => _input.CanShuffle;
        public DataViewSchema Schema { get; }
        public long? GetRowCount() => _input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            ArgumentNullException.ThrowIfNull(columnsNeeded);
            var needed = columnsNeeded.ToArray();
            long pass = Interlocked.Increment(ref _passes);
            var active = new bool[Schema.Count];
            var inputNeeded = new SortedSet<int>();
            foreach (var c in needed)
            {
                active[c.Index] = true;
                if (c.Index < _inputCount) inputNeeded.Add(c.Index);
                else inputNeeded.UnionWith(_sourceIndices);
            }
            var cursor = _input.GetRowCursor(inputNeeded.Select(i => _input.Schema[i]).ToArray(), rand);
            return new TrainingCursor(this, cursor, active, pass);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => new[] { GetRowCursor(columnsNeeded, rand) };

        private sealed class TrainingCursor : DataViewRowCursor
        {
            private readonly TrainingDataView _view;
            private readonly DataViewRowCursor _input;
            private readonly bool[] _active;
            private readonly Delegate?[] _getters;

            public TrainingCursor(TrainingDataView view, DataViewRowCursor input, bool[] active, long pass)
            {
                _view = view;
                _input = input;
                _active = active;
                var addedActive = active.Skip(view._inputCount).ToArray();
                _getters = addedActive.Any(a => a)
                    ? view._parent.CreateGetters(input, addedActive, pass)
                    : new Delegate?[addedActive.Length];
            }

            public override DataViewSchema Schema => _view.Schema;
            public override long Position => _input.Position;
            public override long Batch => _input.Batch;
            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
            public override bool IsColumnActive(DataViewSchema.Column column)
                => column.Index < _view._inputCount ? _input.IsColumnActive(_input.Schema[column.Index]) : _active[column.Index];

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (column.Index < _view._inputCount) return _input.GetGetter<TValue>(_input.Schema[column.Index]);
                var getter = _getters[column.Index - _view._inputCount]
                    ?? throw new InvalidOperationException($"Column '{column.Name}' was not requested from this cursor.");
                return getter as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}; a getter of {typeof(TValue).Name} was asked for.");
            }

            public override bool MoveNext() => _input.MoveNext();

            protected override void Dispose(bool disposing)
            {
                if (disposing) _input.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
