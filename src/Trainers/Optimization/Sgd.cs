namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// Stochastic gradient descent (Goodfellow, Bengio and Courville, <i>Deep Learning</i>, Algorithm 8.1):
/// θ ← θ − εg. Keeps no state.
/// </summary>
internal sealed class Sgd : Optimizer
{
    /// <inheritdoc/>
    protected override int StateBuffers => 0;

    /// <inheritdoc/>
    protected override void Update(Span<float> theta, ReadOnlySpan<float> gradient, Kernels.AlignedFloats[] state, bool isWeight)
    {
        float epsilon = LearningRate;
        for (int i = 0; i < theta.Length; i++)
        {
            theta[i] -= epsilon * gradient[i]; // θ ← θ − εg
        }
    }
}
