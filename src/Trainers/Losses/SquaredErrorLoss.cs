using System.Runtime.CompilerServices;

namespace MlNetExtensions.Trainers.Losses;

/// <summary>
/// Squared error summed over the K outputs of an example: ℓ = ½Σ_k (z_k − y_k)², ∂ℓ/∂z_k = z_k − y_k (K = 1 for
/// single-output regression).
/// </summary>
internal sealed class SquaredErrorLoss : Loss
{
    /// <summary>Creates the loss for <paramref name="outputs"/> outputs per example (≥ 1).</summary>
    public SquaredErrorLoss(int outputs = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        OutputSize = outputs;
    }

    /// <inheritdoc/>
    public override int OutputSize { get; }

    /// <inheritdoc/>
    public override int TargetSize => OutputSize;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: a short Fit never leaves tier 0
    public override double Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int batch, Span<float> gradient)
    {
        int k = OutputSize;
        double total = 0;
        float invB = 1f / batch;
        for (int r = 0; r < batch; r++)
        {
            float w = weights.IsEmpty ? 1f : weights[r];
            for (int c = r * k, end = c + k; c < end; c++)
            {
                float e = outputs[c] - targets[c];
                total += 0.5 * w * e * e;
                if (!gradient.IsEmpty) gradient[c] = w * invB * e;
            }
        }
        return total;
    }
}
