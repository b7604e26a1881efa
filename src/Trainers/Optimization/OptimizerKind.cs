namespace MlNetExtensions.Trainers;

/// <summary>The update rule used to train the network (the lecture's algorithm boxes).</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent: θ ← θ − εg.</summary>
    Sgd,
    /// <summary>SGD with momentum: v ← αv − εg, θ ← θ + v.</summary>
    Momentum,
    /// <summary>Nesterov momentum: the gradient is taken at the look-ahead point θ + αv.</summary>
    Nesterov,
    /// <summary>AdaGrad: r ← r + g⊙g, θ ← θ − ε/(δ + √r)⊙g, δ = 1e-7.</summary>
    AdaGrad,
    /// <summary>RMSProp: r ← ρr + (1 − ρ)g⊙g, θ ← θ − ε/√(δ + r)⊙g, δ = 1e-6.</summary>
    RmsProp,
    /// <summary>RMSProp with Nesterov momentum (gradient at θ + αv, v ← αv − ε/√(δ + r)⊙g).</summary>
    RmsPropNesterov,
    /// <summary>Adam with bias-corrected first and second moments (ρ1 = 0.9, ρ2 = 0.999, δ = 1e-8).</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter): θ ← θ − ελθ applied apart from the gradient.</summary>
    AdamW,
}
