using System.Runtime.CompilerServices;

namespace MlNetExtensions.Trainers.Losses;

/// <summary>
/// Softmax cross-entropy for K classes against a target distribution t (one-hot, smoothed or soft):
/// p = softmax(z), ℓ = −Σ_k t_k log p_k, ∂ℓ/∂z = p·Σt − t (= p − t for a distribution; a target scaled by a
/// class weight w, Σt = w, gives w times the unweighted loss and gradient).
/// </summary>
internal sealed class SoftmaxCrossEntropyLoss : Loss
{
    /// <summary>Creates the loss for <paramref name="classes"/> classes.</summary>
    public SoftmaxCrossEntropyLoss(int classes) => OutputSize = classes;

    /// <inheritdoc/>
    public override int OutputSize { get; }

    /// <inheritdoc/>
    public override int TargetSize => OutputSize;

    /// <inheritdoc/>
[MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public override double Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int batch, Span<float> gradient)
    {
        int k = OutputSize;
        double total = 0;
        float invB = 1f / batch;
        Span<float> p = k <= 256 ? stackalloc float[k] : new float[k];
        for (int r = 0; r < batch; r++)
        {
            var z = outputs.Slice(r * k, k);
            var t = targets.Slice(r * k, k);
            float w = weights.IsEmpty ? 1f : weights[r];
            float max = z[0];
            for (int c = 1; c < k; c++) max = MathF.Max(max, z[c]); // TensorPrimitives.Max's value (NaN propagates, +0 > −0)
            double sum = 0;
            for (int c = 0; c < k; c++) { p[c] = MathF.Exp(z[c] - max); sum += p[c]; }
            double logSum = Math.Log(sum);
            double loss = 0;
            float tSum = 0;
            for (int c = 0; c < k; c++)
            {
                tSum += t[c];
                if (t[c] != 0f) loss -= t[c] * (z[c] - max - logSum);
            }
            total += w * loss;
            if (!gradient.IsEmpty)
            {
                float scale = w * invB, inv = (float)(tSum / sum);
                var g = gradient.Slice(r * k, k);
                for (int c = 0; c < k; c++) g[c] = scale * (p[c] * inv - t[c]);
            }
        }
        return total;
    }
}
