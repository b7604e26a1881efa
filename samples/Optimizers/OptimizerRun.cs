using MlNetExtensions.Trainers;

namespace Optimizers;

/// <summary>One configuration of the tour: an update rule, its learning rate and a schedule.</summary>
public sealed record OptimizerRun(string Name, OptimizerKind Optimizer, float LearningRate,
    LearningRateScheduleKind Schedule = LearningRateScheduleKind.Constant)
{
    /// <summary>
    /// The tour. Learning rates are each rule's usual starting point (plain SGD needs a larger step than the adaptive
    /// rules); the last three rows add schedules to SGD and Adam.
    /// </summary>
    public static IReadOnlyList<OptimizerRun> Tour { get; } = new OptimizerRun[]
    {
        new("SGD", OptimizerKind.Sgd, 0.05f),
        new("Momentum", OptimizerKind.Momentum, 0.01f),
        new("Nesterov", OptimizerKind.Nesterov, 0.01f),
        new("AdaGrad", OptimizerKind.AdaGrad, 0.02f),
        new("RMSProp", OptimizerKind.RmsProp, 0.001f),
        new("RMSProp+Nesterov", OptimizerKind.RmsPropNesterov, 0.001f),
        new("Adam", OptimizerKind.Adam, 0.001f),
        new("AdamW", OptimizerKind.AdamW, 0.001f),
        new("SGD, linear decay", OptimizerKind.Sgd, 0.1f, LearningRateScheduleKind.LinearDecay),
        new("SGD, step decay", OptimizerKind.Sgd, 0.1f, LearningRateScheduleKind.StepDecay),
        new("Adam, cosine", OptimizerKind.Adam, 0.003f, LearningRateScheduleKind.Cosine),
    };
}
