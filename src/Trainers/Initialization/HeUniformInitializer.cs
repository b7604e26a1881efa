using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Initialization;

/// <summary>He/Kaiming uniform initialization for ReLU layers: W ~ U(−√(6/m), √(6/m)), so Var(W) = 2/m.</summary>
internal sealed class HeUniformInitializer : WeightInitializer
{
    /// <inheritdoc/>
    public override void Initialize(Span<float> weights, int fanIn, int fanOut, ref RandomStream random)
    {
        WeightShape.Check(weights.Length, fanIn, fanOut);
        float bound = (float)Math.Sqrt(6.0 / fanIn); // √(6/m)
        WeightShape.FillUniform(weights, bound, ref random);
    }
}
