namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// RMSProp with Nesterov momentum (<i>Deep Learning</i>, Algorithm 8.6):
/// θ̃ ← θ + αv; g ← ∇L(θ̃); r ← ρr + (1 − ρ)g⊙g; v ← αv − ε/√(δ + r) ⊙ g; θ ← θ + v.
/// </summary>
/// <remarks>
/// The book's box divides by √r alone; δ = 1e-6 is added under the root here, as in plain RMSProp,
/// so that a coordinate whose gradients have all been zero does not divide by zero.
/// The look-ahead works as in <see cref="Nesterov"/>: <see cref="LookAheadOptimizer.MoveToGradientPoint"/>
/// moves θ to θ + αv and <see cref="Update"/> first restores θ = θ̃ − αv.
/// </remarks>
internal sealed class RmsPropNesterov : LookAheadOptimizer
{
    /// <summary>The default momentum coefficient α.</summary>
    public const float DefaultAlpha = 0.9f;

    /// <summary>The default decay rate ρ.</summary>
    public const float DefaultRho = 0.9f;

    /// <summary>The default δ (not in the book's box; see the remarks).</summary>
    public const float DefaultDelta = 1e-6f;

    private const int SquaredGradientAverage = Velocity + 1;

    /// <summary>Creates the rule with decay rate ρ, momentum α and stabilizer δ.</summary>
    public RmsPropNesterov(float rho = DefaultRho, float alpha = DefaultAlpha, float delta = DefaultDelta) : base(alpha)
    {
        Rho = rho;
        Delta = delta;
    }

    /// <summary>The decay rate ρ of the squared-gradient average.</summary>
    public float Rho { get; }

    /// <summary>The small constant δ added to r under the square root.</summary>
    public float Delta { get; }

    /// <inheritdoc/>
    protected override int StateBuffers => 2;

    /// <inheritdoc/>
    protected override void Update(Span<float> theta, ReadOnlySpan<float> gradient, Kernels.AlignedFloats[] state, bool isWeight)
    {
        float epsilon = LearningRate;
        Span<float> v = state[Velocity].Span;
        Span<float> r = state[SquaredGradientAverage].Span;
        ReturnFromGradientPoint(theta, v); // θ ← θ̃ − αv
        for (int i = 0; i < theta.Length; i++)
        {
            float g = gradient[i];                                        // g = ∇L(θ̃)
            r[i] = Floored(Rho * r[i] + (1f - Rho) * g * g);              // r ← ρr + (1 − ρ)g⊙g (below 2⁻¹⁰⁰: 0, see StateFloor)
            v[i] = Floored(Alpha * v[i] - epsilon / MathF.Sqrt(Delta + r[i]) * g); // v ← αv − ε/√(δ + r)⊙g (floored likewise)
            theta[i] += v[i];                                             // θ ← θ + v
        }
    }
}
