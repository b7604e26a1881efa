namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// AdaGrad (<i>Deep Learning</i>, Algorithm 8.4): r ← r + g⊙g; Δθ = −ε/(δ + √r) ⊙ g; θ ← θ + Δθ.
/// Each coordinate's step shrinks with the total squared gradient it has seen.
/// </summary>
internal sealed class AdaGrad : Optimizer
{
    /// <summary>The lecture's default δ, the small constant that keeps the division stable.</summary>
    public const float DefaultDelta = 1e-7f;

    private const int SquaredGradientSum = 0;

    /// <summary>Creates the rule with stabilizer <paramref name="delta"/> &gt; 0.</summary>
    public AdaGrad(float delta = DefaultDelta) => Delta = delta;

    /// <summary>The small constant δ added to √r.</summary>
    public float Delta { get; }

    /// <inheritdoc/>
    protected override int StateBuffers => 1;

    /// <inheritdoc/>
    protected override void Update(Span<float> theta, ReadOnlySpan<float> gradient, Kernels.AlignedFloats[] state, bool isWeight)
    {
        float epsilon = LearningRate;
        Span<float> r = state[SquaredGradientSum].Span;
        for (int i = 0; i < theta.Length; i++)
        {
            float g = gradient[i];
            r[i] += g * g;                                        // r ← r + g⊙g
            theta[i] -= epsilon / (Delta + MathF.Sqrt(r[i])) * g; // θ ← θ − ε/(δ + √r)⊙g
        }
    }
}
