using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Network;

/// <summary>
/// Noise injection on the inputs (the lecture's first kind): at training time y = x + η with
/// η ~ N(0, σ²) drawn afresh per value per step; at inference the identity. Gradient: dx = dy.
/// </summary>
internal sealed class GaussianNoiseLayer : Layer
{
    /// <summary>Creates the layer with standard deviation <paramref name="sigma"/>.</summary>
    public GaussianNoiseLayer(int size, float sigma) : base(size, size)
    {
        if (!(sigma >= 0f) || float.IsInfinity(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "The noise standard deviation must be finite and ≥ 0.");
        Sigma = sigma;
    }

    /// <summary>Standard deviation σ of the noise.</summary>
    public float Sigma { get; }

    /// <inheritdoc/>
    public override bool IsTrainingOnly => true;

    /// <inheritdoc/>
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int batch, bool training, ref RandomStream random)
    {
        int count = batch * InputSize;
        if (!training || Sigma == 0f) { x[..count].CopyTo(y); return; }
        for (int i = 0; i < count; i++) y[i] = x[i] + Sigma * (float)random.NextGaussian();
    }

    /// <inheritdoc/>
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        if (!dx.IsEmpty) dy[..(batch * InputSize)].CopyTo(dx);
    }
}
