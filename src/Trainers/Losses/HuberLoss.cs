namespace MlNetExtensions.Trainers.Losses;

/// <summary>
/// Huber loss with threshold δ: ℓ = ½e² for |e| ≤ δ, δ(|e| − ½δ) beyond, e = z − y; ∂ℓ/∂z = clamp(e, −δ, δ).
/// Less sensitive to outliers than squared error.
/// </summary>
internal sealed class HuberLoss : Loss
{
    /// <summary>Creates the loss with threshold <paramref name="delta"/> (&gt; 0).</summary>
    public HuberLoss(float delta)
    {
        if (!(delta > 0f)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "The Huber threshold must be > 0.");
        Delta = delta;
    }

    /// <summary>Threshold δ between the quadratic and the linear part.</summary>
    public float Delta { get; }

    /// <inheritdoc/>
    public override int OutputSize => 1;

    /// <inheritdoc/>
    public override int TargetSize => 1;

    /// <inheritdoc/>
    public override double Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int batch, Span<float> gradient)
    {
        double total = 0;
        float invB = 1f / batch;
        for (int r = 0; r < batch; r++)
        {
            float e = outputs[r] - targets[r];
            float w = weights.IsEmpty ? 1f : weights[r];
            float a = MathF.Abs(e);
            total += w * (a <= Delta ? 0.5 * e * e : Delta * (a - 0.5 * Delta));
            if (!gradient.IsEmpty) gradient[r] = w * invB * Math.Clamp(e, -Delta, Delta);
        }
        return total;
    }
}
