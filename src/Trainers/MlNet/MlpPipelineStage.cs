using Microsoft.ML;

namespace MlNetExtensions.Trainers;

/// <summary>Finds the Mlp stage of a fitted pipeline and the data as that stage sees it (for the helpers that work on the Mlp alone).</summary>
internal static class MlpPipelineStage
{
    /// <summary>The last Mlp of type <typeparamref name="T"/> in the pipeline, and <paramref name="data"/> through the steps before it.</summary>
    public static (T Mlp, IDataView Featurized) Find<T>(ITransformer model, IDataView data, string task, string? multiOutputHint = null) where T : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var steps = new List<ITransformer>();
        Flatten(model, steps);
        int last = steps.FindLastIndex(t => t is T);
        if (last < 0)
            throw new ArgumentException($"The model contains no {task} Mlp (its steps: {string.Join(", ", steps.Select(s => s.GetType().Name))})." +
                (steps.Any(s => s is MlpMultiOutputRegressionPredictionTransformer)
                    ? " " + (multiOutputHint ?? "This helper does not take a multi-output Mlp.")
                    : ""), nameof(model));
        var view = data;
        for (int i = 0; i < last; i++) view = steps[i].Transform(view);
        return ((T)steps[last], view);
    }

    private static void Flatten(ITransformer transformer, List<ITransformer> steps)
    {
        if (transformer is IEnumerable<ITransformer> chain) foreach (var t in chain) Flatten(t, steps);
        else steps.Add(transformer);
    }
}
