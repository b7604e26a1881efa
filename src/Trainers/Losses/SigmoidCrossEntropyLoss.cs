using System.Runtime.CompilerServices;

namespace MlNetExtensions.Trainers.Losses;

/// <summary>
/// Sigmoid (logistic) cross-entropy for a binary target t ∈ [0, 1] on one logit z:
/// ℓ = −t log σ(z) − (1 − t) log(1 − σ(z)) = softplus(z) − t·z, ∂ℓ/∂z = σ(z) − t.
/// </summary>
internal sealed class SigmoidCrossEntropyLoss : Loss
{
    /// <inheritdoc/>
    public override int OutputSize => 1;

    /// <inheritdoc/>
    public override int TargetSize => 1;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: a short Fit never leaves tier 0
    public override double Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int batch, Span<float> gradient)
    {
        double total = 0;
        float invB = 1f / batch;
        for (int r = 0; r < batch; r++)
        {
            double z = outputs[r], t = targets[r];
            float w = weights.IsEmpty ? 1f : weights[r];
            // softplus(z) computed stably: max(z, 0) + log(1 + e^−|z|)
            double softplus = Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            total += w * (softplus - t * z);
            if (!gradient.IsEmpty) gradient[r] = (float)(w * invB * (1.0 / (1.0 + Math.Exp(-z)) - t));
        }
        return total;
    }
}
