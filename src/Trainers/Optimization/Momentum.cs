namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// SGD with (heavy-ball) momentum (<i>Deep Learning</i>, Algorithm 8.2):
/// v ← αv − εg; θ ← θ + v. The velocity v starts at zero.
/// </summary>
internal sealed class Momentum : Optimizer
{
    /// <summary>The default momentum coefficient α.</summary>
    public const float DefaultAlpha = 0.9f;

    private const int Velocity = 0;

    /// <summary>Creates the rule with momentum coefficient <paramref name="alpha"/> ∈ [0, 1).</summary>
    public Momentum(float alpha = DefaultAlpha) => Alpha = alpha;

    /// <summary>The momentum coefficient α: the fraction of the previous velocity kept at each step.</summary>
    public float Alpha { get; }

    /// <inheritdoc/>
    protected override int StateBuffers => 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> theta, ReadOnlySpan<float> gradient, Kernels.AlignedFloats[] state, bool isWeight)
    {
        float epsilon = LearningRate;
        Span<float> v = state[Velocity].Span;
        for (int i = 0; i < theta.Length; i++)
        {
            v[i] = Floored(Alpha * v[i] - epsilon * gradient[i]); // v ← αv − εg (below 2⁻¹⁰⁰: 0, see StateFloor)
            theta[i] += v[i];                            // θ ← θ + v
        }
    }
}
