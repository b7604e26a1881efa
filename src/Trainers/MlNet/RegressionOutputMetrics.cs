namespace MlNetExtensions.Trainers;

/// <summary>
/// The regression metrics of one output of a multi-output model (one slot of the label and Score vectors), as ML.NET's
/// <c>RegressionMetrics</c> defines them; part of <see cref="MultiOutputRegressionMetrics"/>.
/// </summary>
public sealed class RegressionOutputMetrics
{
    internal RegressionOutputMetrics(int index, string name, long count, double meanAbsoluteError, double meanSquaredError, double rSquared)
    {
        Index = index; Name = name; Count = count;
        MeanAbsoluteError = meanAbsoluteError; MeanSquaredError = meanSquaredError; RSquared = rSquared;
    }

    /// <summary>The output's slot in the label and Score vectors (0-based).</summary>
    public int Index { get; }

    /// <summary>The output's name: the label's slot name, else the Score's; "Output i" (i = <see cref="Index"/>) when the slot has none.</summary>
    public string Name { get; }

    /// <summary>The rows this output was evaluated on: those whose label and score in this slot are both finite.</summary>
    public long Count { get; }

    /// <summary>Mean absolute error, Σ|y − ŷ|/n, in the label's units (NaN when <see cref="Count"/> is 0).</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>Mean squared error, Σ(y − ŷ)²/n (NaN when <see cref="Count"/> is 0).</summary>
    public double MeanSquaredError { get; }

    /// <summary>Root mean squared error, √<see cref="MeanSquaredError"/>, in the label's units.</summary>
    public double RootMeanSquaredError => Math.Sqrt(MeanSquaredError);

    /// <summary>
    /// Coefficient of determination, 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (1 is perfect, 0 is predicting the mean, negative is worse);
    /// NaN when the output's labels are all equal (R² is then undefined) or <see cref="Count"/> is 0.
    /// </summary>
    public double RSquared { get; }
}
