namespace MlNetExtensions.Trainers.Losses;

/// <summary>Squared error ℓ = ½(z − y)², ∂ℓ/∂z = z − y.</summary>
internal sealed class SquaredErrorLoss : Loss
{
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
            total += 0.5 * w * e * e;
            if (!gradient.IsEmpty) gradient[r] = w * invB * e;
        }
        return total;
    }
}
