namespace MlNetExtensions.Trainers;

/// <summary>How the learning rate changes with the iteration (parameter update) count k.</summary>
public enum LearningRateScheduleKind
{
    /// <summary>ε_k = ε0 throughout.</summary>
    Constant,
    /// <summary>The lecture's linear decay: ε_k = (1 − k/τ)ε0 + (k/τ)ε_τ until k = τ, then ε_τ (default ε_τ = 0.01·ε0).</summary>
    LinearDecay,
    /// <summary>ε_k = ε0 · γ^⌊k / s⌋: multiplied by γ every s iterations.</summary>
    StepDecay,
    /// <summary>ε_k = ε0 · γ^(k / s): a smooth exponential decay by γ per s iterations.</summary>
    ExponentialDecay,
    /// <summary>Cosine annealing from ε0 down to ε_min over T iterations, then ε_min.</summary>
    Cosine,
}
