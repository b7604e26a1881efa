namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay Regularization"):
/// for connection weights, θ ← θ − ελθ first, then the <see cref="Adam"/> step with the loss gradient.
/// </summary>
/// <remarks>
/// The decay does not pass through the adaptive scaling (unlike an L2 term added to g), so every
/// weight shrinks by the same fraction ελ per step. Biases and batch-normalization parameters
/// (<see cref="Parameter.IsWeight"/> false) are not decayed. ε is the current (scheduled) learning rate.
/// </remarks>
internal sealed class AdamW : Adam
{
    /// <summary>The default decay coefficient λ.</summary>
    public const float DefaultWeightDecay = 0.01f;

    /// <summary>Creates the rule with Adam's ρ1, ρ2, δ and the decay coefficient <paramref name="weightDecay"/> λ ≥ 0.</summary>
    public AdamW(float beta1 = DefaultBeta1, float beta2 = DefaultBeta2, float delta = DefaultDelta, float weightDecay = DefaultWeightDecay)
        : base(beta1, beta2, delta)
        => WeightDecay = weightDecay;

    /// <summary>The decoupled weight-decay coefficient λ.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> theta, ReadOnlySpan<float> gradient, Kernels.AlignedFloats[] state, bool isWeight)
    {
        if (isWeight)
        {
            float shrink = LearningRate * WeightDecay;
            for (int i = 0; i < theta.Length; i++)
            {
                theta[i] -= shrink * theta[i]; // θ ← θ − ελθ
            }
        }
        base.Update(theta, gradient, state, isWeight); // then the Adam step
    }
}
