using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Initialization;

/// <summary>He/Kaiming normal initialization for ReLU layers (He et al. 2015): W ~ N(0, 2/m), m = fan-in.</summary>
internal sealed class HeNormalInitializer : WeightInitializer
{
    /// <inheritdoc/>
    public override void Initialize(Span<float> weights, int fanIn, int fanOut, ref RandomStream random)
    {
        WeightShape.Check(weights.Length, fanIn, fanOut);
        float standardDeviation = (float)Math.Sqrt(2.0 / fanIn); // σ = √(2/m)
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = random.NextGaussian(0f, standardDeviation);
        }
    }
}
