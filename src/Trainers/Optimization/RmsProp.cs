namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// RMSProp (<i>Deep Learning</i>, Algorithm 8.5): r ← ρr + (1 − ρ)g⊙g; Δθ = −ε/√(δ + r) ⊙ g; θ ← θ + Δθ.
/// Like AdaGrad, but the squared-gradient history decays exponentially, so old gradients are forgotten.
/// </summary>
internal sealed class RmsProp : Optimizer
{
    /// <summary>The default decay rate ρ.</summary>
    public const float DefaultRho = 0.9f;

    /// <summary>The lecture's default δ, added under the square root.</summary>
    public const float DefaultDelta = 1e-6f;

    private const int SquaredGradientAverage = 0;

    /// <summary>Creates the rule with decay rate <paramref name="rho"/> ∈ [0, 1) and stabilizer <paramref name="delta"/> &gt; 0.</summary>
    public RmsProp(float rho = DefaultRho, float delta = DefaultDelta)
    {
        Rho = rho;
        Delta = delta;
    }

    /// <summary>The decay rate ρ of the squared-gradient average.</summary>
    public float Rho { get; }

    /// <summary>The small constant δ added to r under the square root.</summary>
    public float Delta { get; }

    /// <inheritdoc/>
    protected override int StateBuffers => 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> theta, ReadOnlySpan<float> gradient, Kernels.AlignedFloats[] state, bool isWeight)
    {
        float epsilon = LearningRate;
        Span<float> r = state[SquaredGradientAverage].Span;
        for (int i = 0; i < theta.Length; i++)
        {
            float g = gradient[i];
            r[i] = Floored(Rho * r[i] + (1f - Rho) * g * g);    // r ← ρr + (1 − ρ)g⊙g (below 2⁻¹⁰⁰: 0, see StateFloor)
            theta[i] -= epsilon / MathF.Sqrt(Delta + r[i]) * g; // θ ← θ − ε/√(δ + r)⊙g
        }
    }
}
