using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Plumbing;

/// <summary>
/// Where a data view comes from: the chain of row-to-row mapping views above its first non-mapping source
/// (a loader, a filter, a cache, an in-memory view). Two views with the same source instance and the same
/// chain of mapping types carry the same rows through the same kind of transforms — how training-only
/// transforms recognise their training data when ML.NET's nested estimator chains re-create the views
/// in front of them.
/// </summary>
internal sealed class DataViewLineage
{
    private const int MaxDepth = 256;
    private readonly WeakReference<IDataView> _source;
    private readonly Type[] _mappings;

    private DataViewLineage(IDataView source, Type[] mappings)
    {
        _source = new WeakReference<IDataView>(source);
        _mappings = mappings;
    }

    /// <summary>The lineage of <paramref name="view"/>.</summary>
    public static DataViewLineage Of(IDataView view)
    {
        var mappings = new List<Type>();
        var current = view;
        for (int depth = 0; depth < MaxDepth && MappedSource(current) is { } below; depth++)
        {
            mappings.Add(current.GetType());
            current = below;
        }
        return new DataViewLineage(current, mappings.ToArray());
    }

    /// <summary>Whether <paramref name="view"/> has this lineage (same source instance, same mapping types).</summary>
    public bool Matches(IDataView view)
    {
        if (!_source.TryGetTarget(out var source)) return false;
        var other = Of(view);
        return other._source.TryGetTarget(out var otherSource) && ReferenceEquals(source, otherSource)
            && other._mappings.AsSpan().SequenceEqual(_mappings);
    }

    /// <summary>The input of a row-to-row mapping view (ML.NET's or ours), or null for any other view.</summary>
    private static IDataView? MappedSource(IDataView view)
    {
        if (view is RowMappingTransformerBase.IMappedView mapped) return mapped.Source;
        // ML.NET's mapping views (RowToRowMapperTransform, column selection…) map rows one to one and expose their
        // input as IDataTransform.Source (internal); filters, caches and loaders are not row-to-row mappers.
        if (view is not IRowToRowMapper) return null;
        var ml = MlNetInternals.Current;
        return ml.DataTransform.IsInstanceOfType(view) ? ml.DataTransformSourceGetter.Invoke(view, null) as IDataView : null;
    }
}
