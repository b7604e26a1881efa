using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Trainers;

/// <summary>
/// One member network of a bagged ensemble (<see cref="MlpTrainerOptionsBase.NumberOfModels"/> ≥ 2): its seed, its own
/// training history, and its loss and metric on its out-of-bag rows (the training rows its bootstrap sample never drew).
/// It shares the ensemble's input preprocessing and label standardization; <see cref="Parameters"/> scores it alone.
/// </summary>
public sealed class MlpEnsembleMember
{
    internal MlpEnsembleMember(int index, ulong seed, MultilayerPerceptron network, TrainingHistory history,
        int outOfBagRows, double outOfBagLoss, double outOfBagMetric)
    {
        Index = index; Seed = seed; Network = network; History = history;
        OutOfBagRows = outOfBagRows; OutOfBagLoss = outOfBagLoss; OutOfBagMetric = outOfBagMetric;
    }

    /// <summary>The member's number in the ensemble, 0-based (its bootstrap sample and seed are drawn from it).</summary>
    public int Index { get; }

    /// <summary>
    /// The seed the member trained with (initialization, shuffling, dropout, noise), derived from the ensemble's seed and
    /// <see cref="Index"/>; in [0, uint.MaxValue], the range of a single network's seed read as unsigned (Seed =
    /// <c>unchecked((int)member.Seed)</c> trains with the same seed).
    /// </summary>
    public ulong Seed { get; }

    internal MultilayerPerceptron Network { get; }

    /// <summary>The member's per-epoch losses and metrics (on its bootstrap sample, and on the ensemble's validation rows when there are any), kept epoch and stop reason.</summary>
    public TrainingHistory History { get; }

    /// <summary>How many training rows the member's bootstrap sample never drew (about 37 % of them); 0 makes the out-of-bag figures NaN.</summary>
    public int OutOfBagRows { get; }

    /// <summary>
    /// The member's mean loss on its out-of-bag rows, computed as the training loss is (the training targets, with label
    /// smoothing and class weights when set; regression in standardized label units); NaN without out-of-bag rows.
    /// </summary>
    public double OutOfBagLoss { get; }

    /// <summary>The task's metric (accuracy for classification, R² for regression) of the member on its out-of-bag rows; NaN without out-of-bag rows.</summary>
    public double OutOfBagMetric { get; }

    private MlpModelParameters? _ensemble, _alone;

    /// <summary>Makes the member one of <paramref name="ensemble"/>'s (once, by the ensemble's constructor).</summary>
    internal void JoinEnsemble(MlpModelParameters ensemble)
    {
        if (_ensemble is not null && !ReferenceEquals(_ensemble, ensemble)) throw new InvalidOperationException("The member already belongs to another ensemble.");
        _ensemble = ensemble;
    }

    /// <summary>
    /// The member alone, as a single-network model (the ensemble's preprocessing, label standardization and options, the
    /// member's network and history): for instance to score it on its own.
    /// </summary>
    public MlpModelParameters Parameters
    {
        get
        {
            var ensemble = _ensemble ?? throw new InvalidOperationException("The member belongs to no ensemble yet.");
            return _alone ??= new MlpModelParameters(Network, ensemble.Preprocessing, ensemble.LabelShift, ensemble.LabelScale, ensemble.Options, History);
        }
    }
}
