using System.Runtime.CompilerServices;

namespace MlNetExtensions.Trainers.Losses;

/// <summary>
/// Huber loss with threshold δ, summed over the K outputs of an example: per output ℓ = ½e² for |e| ≤ δ, δ(|e| − ½δ)
/// beyond, e = z − y; ∂ℓ/∂z = clamp(e, −δ, δ). Less sensitive to outliers than squared error.
/// </summary>
internal sealed class HuberLoss : Loss
{
    /// <summary>Creates the loss with threshold <paramref name="delta"/> (&gt; 0) for <paramref name="outputs"/> outputs per example (≥ 1).</summary>
    public HuberLoss(float delta, int outputs = 1)
    {
        if (!(delta > 0f)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "The Huber threshold must be > 0.");
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        Delta = delta;
        OutputSize = outputs;
    }

    /// <summary>Threshold δ between the quadratic and the linear part.</summary>
    public float Delta { get; }

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
                float a = MathF.Abs(e);
                total += w * (a <= Delta ? 0.5 * e * e : Delta * (a - 0.5 * Delta));
                if (!gradient.IsEmpty) gradient[c] = w * invB * Math.Clamp(e, -Delta, Delta);
            }
        }
        return total;
    }
}
