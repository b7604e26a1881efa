using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions;

/// <summary>
/// Evaluation of multi-output regression: <c>mlContext.Regression.EvaluateMultiOutput(scored, "Label", "Score")</c>.
/// ML.NET's <c>mlContext.Regression.Evaluate</c> takes a Single score column only (its multi-output evaluator is internal),
/// so a Vector&lt;Single, K&gt; Score is evaluated here, slot by slot, with ML.NET's regression definitions.
/// </summary>
public static class MultiOutputRegressionEvaluation
{
    /// <summary>
    /// Per-output R², mean absolute error and (root) mean squared error of a scored data view, and their means over the
    /// outputs. Rows whose label or score is NaN in a slot are left out of that output's metrics only; infinite values count
    /// (as in ML.NET's regression evaluator), so an infinite score makes that output's errors infinite.
    /// </summary>
    /// <param name="catalog">mlContext.Regression.</param>
    /// <param name="data">Scored data (for instance <c>model.Transform(testData)</c>) with the label and score columns.</param>
    /// <param name="labelColumnName">The label column, a known-size Vector&lt;Single, K&gt;. Default "Label".</param>
    /// <param name="scoreColumnName">The score column, a Vector&lt;Single, K&gt; of the same size. Default "Score".</param>
    /// <returns>The metrics of each of the K outputs, named by the label's slot names (else the score's; "Output i" for a slot without a name).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing, not a known-size vector of Single, or the two sizes differ.</exception>
    public static MultiOutputRegressionMetrics EvaluateMultiOutput(this RegressionCatalog catalog, IDataView data,
        string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labelColumnName);
        ArgumentNullException.ThrowIfNull(scoreColumnName);
        var label = VectorColumn(data.Schema, labelColumnName, "label");
        var score = VectorColumn(data.Schema, scoreColumnName, "score");
        int k = ((VectorDataViewType)label.Type).Size;
        int scoreSize = ((VectorDataViewType)score.Type).Size;
        if (scoreSize != k)
            throw new ArgumentOutOfRangeException(nameof(data),
                $"The score column '{scoreColumnName}' has {scoreSize} values per row, the label column '{labelColumnName}' {k}: they must be the same outputs.");

        // Per output, Welford's running mean and sum of squared deviations of the label, and the error sums.
        var count = new long[k];
        var mean = new double[k];
        var m2 = new double[k];
        var absolute = new double[k];
        var squared = new double[k];
        using (var cursor = data.GetRowCursor(new[] { label, score }))
        {
            var getLabel = cursor.GetGetter<VBuffer<float>>(label);
            var getScore = cursor.GetGetter<VBuffer<float>>(score);
            VBuffer<float> labelBuffer = default, scoreBuffer = default;
            var y = new float[k];
            var s = new float[k];
            while (cursor.MoveNext())
            {
                getLabel(ref labelBuffer);
                getScore(ref scoreBuffer);
                labelBuffer.CopyTo(y);
                scoreBuffer.CopyTo(s);
                for (int c = 0; c < k; c++)
                {
                    // As ML.NET's regression evaluator: a NaN leaves the row out; an infinite score counts (and shows).
                    if (float.IsNaN(y[c]) || float.IsNaN(s[c])) continue;
                    double v = y[c], e = v - s[c];
                    long n = ++count[c];
                    double delta = v - mean[c];
                    mean[c] += delta / n;
                    m2[c] += delta * (v - mean[c]);
                    absolute[c] += Math.Abs(e);
                    squared[c] += e * e;
                }
            }
        }

        var names = SlotNames(label, k) ?? SlotNames(score, k);
        var outputs = new RegressionOutputMetrics[k];
        for (int c = 0; c < k; c++)
        {
            long n = count[c];
            double r2 = n > 0 && m2[c] > 0 ? 1 - squared[c] / m2[c] : double.NaN;
            outputs[c] = new RegressionOutputMetrics(c, string.IsNullOrEmpty(names?[c]) ? $"Output {c}" : names[c], n,
                n > 0 ? absolute[c] / n : double.NaN, n > 0 ? squared[c] / n : double.NaN, r2);
        }
        return new MultiOutputRegressionMetrics(outputs);
    }

    private static DataViewSchema.Column VectorColumn(DataViewSchema schema, string name, string role)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"The data has no {role} column '{name}'.");
        if (column.Type is not VectorDataViewType { IsKnownSize: true } vt || vt.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"The {role} column '{name}' must be a known-size vector of Single (Vector<Single, K>), but is {column.Type}" +
                (column.Type == NumberDataViewType.Single ? ": for a Single column use mlContext.Regression.Evaluate." : "."));
        return column;
    }

    private static string[]? SlotNames(DataViewSchema.Column column, int k)
    {
        var names = KeyValueNames.FromSlotNames(column, k);
        return names is null || names.Values.All(string.IsNullOrEmpty) ? null : names.Values;
    }
}
