using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Initialization;

/// <summary>
/// Xavier/Glorot normalized initialization (Glorot and Bengio 2010):
/// W ~ U(−√(6/(m+n)), √(6/(m+n))), m = fan-in, n = fan-out, so Var(W) = 2/(m+n).
/// </summary>
internal sealed class XavierUniformInitializer : WeightInitializer
{
    /// <inheritdoc/>
    public override void Initialize(Span<float> weights, int fanIn, int fanOut, ref RandomStream random)
    {
        WeightShape.Check(weights.Length, fanIn, fanOut);
        // The lecture slide prints the bound as 6/√(m+n); that is a slip. Glorot and Bengio's bound is
        // √(6/(m+n)), which gives the variance 2/(m+n) that balances the forward and backward signals.
        float bound = (float)Math.Sqrt(6.0 / ((double)fanIn + fanOut));
        WeightShape.FillUniform(weights, bound, ref random);
    }
}
