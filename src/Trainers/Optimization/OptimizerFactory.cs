namespace MlNetExtensions.Trainers.Optimization;

/// <summary>Builds the update rule that <see cref="OptimizerSettings"/> describe.</summary>
internal static class OptimizerFactory
{
    /// <summary>
    /// Validates <paramref name="settings"/> and returns a fresh optimizer of their kind, with
    /// <see cref="Optimizer.LearningRate"/> set to the initial learning rate and
    /// <see cref="OptimizerSettings.Epsilon"/> null replaced by the rule's default δ.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of its range.</exception>
    public static Optimizer Create(OptimizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Optimizer optimizer = settings.Kind switch
        {
            OptimizerKind.Sgd => new Sgd(),
            OptimizerKind.Momentum => new Momentum(settings.Momentum),
            OptimizerKind.Nesterov => new Nesterov(settings.Momentum),
            OptimizerKind.AdaGrad => new AdaGrad(settings.Epsilon ?? AdaGrad.DefaultDelta),
            OptimizerKind.RmsProp => new RmsProp(settings.Rho, settings.Epsilon ?? RmsProp.DefaultDelta),
            OptimizerKind.RmsPropNesterov => new RmsPropNesterov(settings.Rho, settings.Momentum, settings.Epsilon ?? RmsPropNesterov.DefaultDelta),
            OptimizerKind.Adam => new Adam(settings.Beta1, settings.Beta2, settings.Epsilon ?? Adam.DefaultDelta),
            OptimizerKind.AdamW => new AdamW(settings.Beta1, settings.Beta2, settings.Epsilon ?? Adam.DefaultDelta, settings.WeightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), $"Unknown {nameof(OptimizerKind)} {settings.Kind}"),
        };
        optimizer.LearningRate = settings.LearningRate;
        return optimizer;
    }
}
