namespace MlNetExtensions.Trainers.Losses;

/// <summary>
/// A training loss on the network's raw outputs z (logits for classification). For a minibatch of B
/// examples with weights w_i the loss is L = (1/B)·Σ_i w_i·ℓ(z_i, t_i), and <see cref="Compute"/>
/// returns Σ_i w_i·ℓ_i and writes ∂L/∂z.
/// </summary>
internal abstract class Loss
{
    /// <summary>Values per example in the network output.</summary>
    public abstract int OutputSize { get; }

    /// <summary>Values per example in the target.</summary>
    public abstract int TargetSize { get; }

    /// <summary>
    /// Returns the weighted sum of per-example losses and, unless <paramref name="gradient"/> is empty,
    /// writes ∂L/∂z with L the weighted mean over the batch.
    /// </summary>
    /// <param name="outputs">Network outputs, [batch × OutputSize].</param>
    /// <param name="targets">Targets, [batch × TargetSize].</param>
    /// <param name="weights">Per-example weights, or empty for all ones.</param>
    /// <param name="batch">Number of examples.</param>
    /// <param name="gradient">∂L/∂z, [batch × OutputSize], or empty.</param>
    public abstract double Compute(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, ReadOnlySpan<float> weights, int batch, Span<float> gradient);
}
