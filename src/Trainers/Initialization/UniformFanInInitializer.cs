using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Initialization;

/// <summary>The lecture's fan-in heuristic: W ~ U(−1/√m, 1/√m), m = fan-in.</summary>
internal sealed class UniformFanInInitializer : WeightInitializer
{
    /// <inheritdoc/>
    public override void Initialize(Span<float> weights, int fanIn, int fanOut, ref RandomStream random)
    {
        WeightShape.Check(weights.Length, fanIn, fanOut);
        float bound = (float)(1.0 / Math.Sqrt(fanIn)); // 1/√m
        WeightShape.FillUniform(weights, bound, ref random);
    }
}
