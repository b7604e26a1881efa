using MlNetExtensions.Trainers.Losses;

namespace MlNetExtensions.Trainers;

/// <summary>
/// The options the two regression trainers share (<see cref="MlpRegressionTrainer.Options"/>,
/// <see cref="MlpMultiOutputRegressionTrainer.Options"/>): the loss, its Huber threshold, the label standardization, and
/// regression's starting learning rate.
/// </summary>
public abstract class MlpRegressionOptionsBase : MlpTrainerOptionsBase
{
    /// <summary>
    /// Options at their defaults. <see cref="MlpTrainerOptionsBase.LearningRate"/> starts at 0.002 for regression (0.001 for
    /// classification): with the automatic L2 penalty, regression on the tabular benchmark gained 0.6 R² points on the
    /// mean of 11 sets from it and lost at most 0.2 on any (benchmarks/README.md, "Session 9").
    /// </summary>
    protected MlpRegressionOptionsBase() => LearningRate = 0.002f;

    /// <summary>The loss, applied to each output; any defined member. Default <see cref="RegressionLoss.SquaredError"/>.</summary>
    public RegressionLoss Loss { get; set; } = RegressionLoss.SquaredError;

    /// <summary>
    /// Huber threshold δ of every output, in standardized label units when <see cref="StandardizeLabel"/> is on, else in
    /// the label's units (used by <see cref="RegressionLoss.Huber"/> only, checked always). Range (0, ∞). Default 1.
    /// </summary>
    public float HuberDelta { get; set; } = 1f;

    /// <summary>
    /// Standardize the label (each output of a vector label with its own) with the training mean and standard deviation
    /// inside the model (losses in the history are then in standardized units; Score is always in the label's units).
    /// Default true.
    /// </summary>
    public bool StandardizeLabel { get; set; } = true;

    /// <summary>Throws for an undefined <see cref="Loss"/> or a <see cref="HuberDelta"/> that is not finite and &gt; 0.</summary>
    internal void Validate()
    {
        if (!Enum.IsDefined(Loss)) throw new ArgumentOutOfRangeException(nameof(Loss), Loss, "Option Loss must be a defined RegressionLoss.");
        if (!(HuberDelta > 0f) || !float.IsFinite(HuberDelta))
            throw new ArgumentOutOfRangeException(nameof(HuberDelta), HuberDelta, $"Option HuberDelta must be finite and > 0, got {HuberDelta}.");
    }

    /// <summary>The loss of <see cref="Loss"/> over <paramref name="outputs"/> outputs per example.</summary>
    internal Losses.Loss CreateLoss(int outputs) => Loss == RegressionLoss.Huber ? new HuberLoss(HuberDelta, outputs) : new SquaredErrorLoss(outputs);
}
