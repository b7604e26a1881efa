namespace MlNetExtensions.Trainers;

/// <summary>The update rule used to train the network (the lecture's algorithm boxes).</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent: θ ← θ − εg.</summary>
    Sgd,
    /// <summary>SGD with momentum: v ← αv − εg, θ ← θ + v (α = the options' <c>Momentum</c>).</summary>
    Momentum,
    /// <summary>Nesterov momentum: the gradient is taken at the look-ahead point θ + αv (α = <c>Momentum</c>).</summary>
    Nesterov,
    /// <summary>AdaGrad: r ← r + g⊙g, θ ← θ − ε/(δ + √r)⊙g (δ = <c>Epsilon</c>, 1e-7 when null).</summary>
    AdaGrad,
    /// <summary>RMSProp: r ← ρr + (1 − ρ)g⊙g, θ ← θ − ε/√(δ + r)⊙g (ρ = <c>Rho</c>; δ = <c>Epsilon</c>, 1e-6 when null).</summary>
    RmsProp,
    /// <summary>
    /// RMSProp with Nesterov momentum (gradient at θ + αv, v ← αv − ε/√(δ + r)⊙g; ρ = <c>Rho</c>, α = <c>Momentum</c>,
    /// δ = <c>Epsilon</c>, 1e-6 when null).
    /// </summary>
    RmsPropNesterov,
    /// <summary>
    /// Adam with bias-corrected first and second moments (ρ1 = <c>Beta1</c>, ρ2 = <c>Beta2</c>, δ = <c>Epsilon</c>; with the
    /// options' defaults 0.9, 0.95 and 1e-8, where the lecture has ρ2 = 0.999). The default.
    /// </summary>
    Adam,
    /// <summary>
    /// Adam with decoupled weight decay (Loshchilov and Hutter): θ ← θ − ελθ applied apart from the gradient (λ =
    /// <c>WeightDecay</c>; ρ1, ρ2 and δ as for Adam).
    /// </summary>
    AdamW,
}
