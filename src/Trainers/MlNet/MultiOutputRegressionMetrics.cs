namespace MlNetExtensions.Trainers;

/// <summary>
/// The result of <see cref="MlNetExtensions.MultiOutputRegressionEvaluation.EvaluateMultiOutput"/>: each output's regression metrics and
/// their means over the outputs (each output counts once, whatever its units).
/// </summary>
public sealed class MultiOutputRegressionMetrics
{
    internal MultiOutputRegressionMetrics(IReadOnlyList<RegressionOutputMetrics> perOutput)
    {
        PerOutput = perOutput;
        AverageRSquared = perOutput.Average(m => m.RSquared);
        AverageMeanAbsoluteError = perOutput.Average(m => m.MeanAbsoluteError);
        AverageMeanSquaredError = perOutput.Average(m => m.MeanSquaredError);
        AverageRootMeanSquaredError = perOutput.Average(m => m.RootMeanSquaredError);
    }

    /// <summary>The metrics of each output, in the label's slot order (K entries).</summary>
    public IReadOnlyList<RegressionOutputMetrics> PerOutput { get; }

    /// <summary>The mean over the outputs of their <see cref="RegressionOutputMetrics.RSquared"/> (NaN if one is NaN).</summary>
    public double AverageRSquared { get; }

    /// <summary>
    /// The mean over the outputs of their <see cref="RegressionOutputMetrics.MeanAbsoluteError"/> (a sum of different units
    /// when the outputs have different units: compare it between models of the same outputs only).
    /// </summary>
    public double AverageMeanAbsoluteError { get; }

    /// <summary>The mean over the outputs of their <see cref="RegressionOutputMetrics.MeanSquaredError"/>.</summary>
    public double AverageMeanSquaredError { get; }

    /// <summary>The mean over the outputs of their <see cref="RegressionOutputMetrics.RootMeanSquaredError"/>.</summary>
    public double AverageRootMeanSquaredError { get; }
}
