namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// SGD with Nesterov momentum (<i>Deep Learning</i>, Algorithm 8.3):
/// θ̃ ← θ + αv; g ← ∇L(θ̃); v ← αv − εg; θ ← θ + v.
/// </summary>
/// <remarks>
/// The look-ahead is done by moving the parameters: <see cref="LookAheadOptimizer.MoveToGradientPoint"/>
/// sets θ ← θ + αv before back-propagation, and <see cref="Update"/> first restores θ = θ̃ − αv and then
/// applies the momentum step with the gradient taken at θ̃.
/// </remarks>
internal sealed class Nesterov : LookAheadOptimizer
{
    /// <summary>The default momentum coefficient α.</summary>
    public const float DefaultAlpha = 0.9f;

    /// <summary>Creates the rule with momentum coefficient <paramref name="alpha"/> ∈ [0, 1).</summary>
    public Nesterov(float alpha = DefaultAlpha) : base(alpha) { }

    /// <inheritdoc/>
    protected override int StateBuffers => 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> theta, ReadOnlySpan<float> gradient, Kernels.AlignedFloats[] state, bool isWeight)
    {
        float epsilon = LearningRate;
        Span<float> v = state[Velocity].Span;
        ReturnFromGradientPoint(theta, v); // θ ← θ̃ − αv
        for (int i = 0; i < theta.Length; i++)
        {
            v[i] = Floored(Alpha * v[i] - epsilon * gradient[i]); // v ← αv − εg,  g = ∇L(θ̃) (below 2⁻¹⁰⁰: 0, see StateFloor)
            theta[i] += v[i];                            // θ ← θ + v
        }
    }
}
