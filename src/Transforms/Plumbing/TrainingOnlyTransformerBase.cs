using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions.Transforms;

/// <summary>
/// Base of the transformers that act in training only (augmentation, noise injection, label smoothing).
/// <para>
/// Their row-to-row mapper (what a <see cref="PredictionEngine{TSrc, TDst}"/> and a reloaded model use) never
/// changes a value: each output column equals its input column (or, for label smoothing, the hard one-hot target).
/// <see cref="Transform(IDataView)"/> applies the training behaviour to the data the transformer was fitted on: the very
/// <see cref="IDataView"/> instance <c>EstimatorChain.Fit</c> passes it right after fitting, or a view ML.NET re-creates
/// from the same source through the same mappings (nested chains do, as the outer chain feeds the next estimator);
/// any other view passes through (test data, a train/test split's other part, a PredictionEngine's rows).
/// <see cref="TransformForTraining(IDataView)"/> gives the training view of any data. Appending with or without
/// <see cref="TransformerScope.Training"/> therefore behaves the same. To evaluate a fitted pipeline on its own training
/// rows without augmentation, load them into a new view (a different instance).
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
    private readonly WeakReference<IDataView>? _fittedOn;
    private readonly DataViewLineage? _fittedLineage;

    private protected TrainingOnlyTransformerBase(IDataView? fittedOn)
    {
        if (fittedOn is null) return;
        _fittedOn = new WeakReference<IDataView>(fittedOn);
        _fittedLineage = DataViewLineage.Of(fittedOn);
    }

    /// <summary>
    /// Whether <paramref name="input"/> is the training data this transformer was fitted on: the very view, or a view that
    /// ML.NET re-created from the same source through the same mappings (as nested estimator chains do).
    /// </summary>
    private bool IsTrainingData(IDataView input) =>
        (_fittedOn is { } fitted && fitted.TryGetTarget(out var view) && ReferenceEquals(view, input))
        || (_fittedLineage?.Matches(input) ?? false);

    /// <summary>
    /// The training behaviour is applied when <paramref name="input"/> is the data this transformer was fitted on (the same
    /// view, or one re-created from the same source through the same mappings); any other view passes through unchanged
    /// (output columns equal their inputs). Use <see cref="TransformForTraining(IDataView)"/> to get a training view explicitly.
    /// </summary>
    /// <param name="input">The data to map.</param>
    /// <returns>A lazily mapped view.</returns>
    public override IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (IsTrainingData(input)) return TransformForTraining(input);
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
        return MapView(input, (row, active, pass) => CreateGetters(row, active, pass), singleCursor: true);
    }

    /// <inheritdoc/>
    protected sealed override Delegate?[] CreateGetters(DataViewRow input, bool[] isActive)
        => CreateGetters(input, isActive, pass: null);

    /// <summary>
    /// Creates the getters of the added columns. <paramref name="pass"/> is null for the pass-through (inference)
    /// mapping, and the pass number of a training cursor otherwise.
    /// </summary>
    private protected abstract Delegate?[] CreateGetters(DataViewRow input, bool[] isActive, long? pass);
}
