using System.Collections.Immutable;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions;

/// <summary>
/// Permutation feature importance of a whole fitted pipeline that contains an Mlp, the form
/// <c>mlContext.*.PermutationFeatureImportance(ITransformer model, IDataView data)</c> offers for ML.NET's own trainers.
/// </summary>
/// <remarks>
/// ML.NET's <see cref="ITransformer"/>-taking form looks for its internal non-generic <c>ISingleFeaturePredictionTransformer</c>
/// interface, which a component outside ML.NET cannot implement, so on an Mlp it fails with "The model provided does not
/// have a compatible predictor". ML.NET's typed form (<c>PermutationFeatureImportance(ISingleFeaturePredictionTransformer&lt;TModel&gt;, ...)</c>)
/// works on the Mlp's prediction transformer and featurized data; these methods find the Mlp in the pipeline, featurize
/// <c>data</c> with the transformers in front of it and call that form. Transformers after the Mlp (such as
/// <c>MapKeyToValue</c>) do not take part.
/// </remarks>
public static class MlpFeatureImportance
{
    /// <summary>Permutation feature importance of the binary Mlp in <paramref name="model"/>: one entry per feature slot.</summary>
    /// <param name="catalog"><c>mlContext.BinaryClassification</c>.</param>
    /// <param name="model">A fitted pipeline (a transformer chain, nested chains allowed) whose last prediction step is a binary Mlp, or that Mlp itself.</param>
    /// <param name="data">Data in the pipeline's input schema, with the label.</param>
    /// <param name="labelColumnName">The label column the metrics are computed against (default "Label").</param>
    /// <param name="useFeatureWeightFilter">Passed to ML.NET (ignored for the Mlp, which has no feature weights). Default false.</param>
    /// <param name="numberOfExamplesToUse">Rows used (default null: all).</param>
    /// <param name="permutationCount">Permutations per feature (default 1, at least 1).</param>
    /// <returns>The change of every metric when each slot is permuted, keyed by the slot's name ("Slot i" when it has none).</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> contains no binary Mlp.</exception>
    public static ImmutableDictionary<string, BinaryClassificationMetricsStatistics> PermutationFeatureImportanceOfMlp(
        this BinaryClassificationCatalog catalog, ITransformer model, IDataView data, string labelColumnName = "Label",
        bool useFeatureWeightFilter = false, int? numberOfExamplesToUse = null, int permutationCount = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var (mlp, featurized) = MlpPipelineStage.Find<MlpBinaryPredictionTransformer>(model, data, "binary");
        var result = catalog.PermutationFeatureImportance(mlp, featurized, labelColumnName, useFeatureWeightFilter, numberOfExamplesToUse, permutationCount);
        return BySlotName(featurized.Schema[mlp.FeatureColumnName], result);
    }

    /// <summary>Permutation feature importance of the multiclass Mlp in <paramref name="model"/>: one entry per feature slot.</summary>
    /// <param name="catalog"><c>mlContext.MulticlassClassification</c>.</param>
    /// <param name="model">A fitted pipeline (a transformer chain, nested chains allowed) whose last prediction step is a multiclass Mlp, or that Mlp itself.</param>
    /// <param name="data">Data in the pipeline's input schema, with the label.</param>
    /// <param name="labelColumnName">The key label column the metrics are computed against (default "Label").</param>
    /// <param name="useFeatureWeightFilter">Passed to ML.NET (ignored for the Mlp, which has no feature weights). Default false.</param>
    /// <param name="numberOfExamplesToUse">Rows used (default null: all).</param>
    /// <param name="permutationCount">Permutations per feature (default 1, at least 1).</param>
    /// <returns>The change of every metric when each slot is permuted, keyed by the slot's name ("Slot i" when it has none).</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> contains no multiclass Mlp.</exception>
    public static ImmutableDictionary<string, MulticlassClassificationMetricsStatistics> PermutationFeatureImportanceOfMlp(
        this MulticlassClassificationCatalog catalog, ITransformer model, IDataView data, string labelColumnName = "Label",
        bool useFeatureWeightFilter = false, int? numberOfExamplesToUse = null, int permutationCount = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var (mlp, featurized) = MlpPipelineStage.Find<MlpMulticlassPredictionTransformer>(model, data, "multiclass");
        var result = catalog.PermutationFeatureImportance(mlp, featurized, labelColumnName, useFeatureWeightFilter, numberOfExamplesToUse, permutationCount);
        return BySlotName(featurized.Schema[mlp.FeatureColumnName], result);
    }

    /// <summary>Permutation feature importance of the regression Mlp in <paramref name="model"/>: one entry per feature slot.</summary>
    /// <param name="catalog"><c>mlContext.Regression</c>.</param>
    /// <param name="model">A fitted pipeline (a transformer chain, nested chains allowed) whose last prediction step is a regression Mlp, or that Mlp itself.</param>
    /// <param name="data">Data in the pipeline's input schema, with the label.</param>
    /// <param name="labelColumnName">The label column the metrics are computed against (default "Label").</param>
    /// <param name="useFeatureWeightFilter">Passed to ML.NET (ignored for the Mlp, which has no feature weights). Default false.</param>
    /// <param name="numberOfExamplesToUse">Rows used (default null: all).</param>
    /// <param name="permutationCount">Permutations per feature (default 1, at least 1).</param>
    /// <returns>The change of every metric when each slot is permuted, keyed by the slot's name ("Slot i" when it has none).</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> contains no regression Mlp (a multi-output Mlp is not one: the
    /// message says so).</exception>
    public static ImmutableDictionary<string, RegressionMetricsStatistics> PermutationFeatureImportanceOfMlp(
        this RegressionCatalog catalog, ITransformer model, IDataView data, string labelColumnName = "Label",
        bool useFeatureWeightFilter = false, int? numberOfExamplesToUse = null, int permutationCount = 1)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var (mlp, featurized) = MlpPipelineStage.Find<MlpRegressionPredictionTransformer>(model, data, "regression",
            "A multi-output Mlp is not offered here: ML.NET's permutation feature importance computes a Single score's metrics " +
            "(permute a slot yourself and compare mlContext.Regression.EvaluateMultiOutput before and after).");
        var result = catalog.PermutationFeatureImportance(mlp, featurized, labelColumnName, useFeatureWeightFilter, numberOfExamplesToUse, permutationCount);
        return BySlotName(featurized.Schema[mlp.FeatureColumnName], result);
    }

    private static ImmutableDictionary<string, TResult> BySlotName<TResult>(DataViewSchema.Column features, ImmutableArray<TResult> result)
    {
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        if (features.HasSlotNames()) features.GetSlotNames(ref names);
        var dense = names.Length == result.Length ? names.DenseValues().Select(n => n.ToString()).ToArray() : new string[result.Length];
        var builder = ImmutableDictionary.CreateBuilder<string, TResult>();
        for (int i = 0; i < result.Length; i++)
        {
            string name = string.IsNullOrEmpty(dense[i]) ? $"Slot {i}" : dense[i];
            if (builder.ContainsKey(name)) name = $"{name} (slot {i})";
            builder.Add(name, result[i]);
        }
        return builder.ToImmutable();
    }
}
