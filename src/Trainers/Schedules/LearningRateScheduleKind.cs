namespace MlNetExtensions.Trainers;

/// <summary>
/// How the learning rate changes with the iteration (parameter update) count k. ε0 is the options' <c>LearningRate</c>,
/// τ, s and T their <c>DecayIterations</c>, γ their <c>DecayFactor</c>, ε_τ and ε_min their <c>FinalLearningRate</c>.
/// </summary>
public enum LearningRateScheduleKind
{
    /// <summary>ε_k = ε0 throughout.</summary>
    Constant,
    /// <summary>
    /// The lecture's linear decay: ε_k = (1 − k/τ)ε0 + (k/τ)ε_τ until k = τ (default the whole run), then ε_τ (default
    /// ε_τ = 0.01·ε0).
    /// </summary>
    LinearDecay,
    /// <summary>ε_k = ε0 · γ^⌊k / s⌋: multiplied by γ every s iterations (default s: one epoch).</summary>
    StepDecay,
    /// <summary>ε_k = ε0 · γ^(k / s): a smooth exponential decay by γ per s iterations (default s: one epoch).</summary>
    ExponentialDecay,
    /// <summary>Cosine annealing from ε0 down to ε_min (default 0) over T iterations (default the whole run), then ε_min. The default.</summary>
    Cosine,
}
