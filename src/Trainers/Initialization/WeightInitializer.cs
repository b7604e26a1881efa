using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Initialization;

/// <summary>
/// Draws the initial weights of one dense layer. Weights are stored row-major as [fanIn × fanOut]:
/// the incoming weights of output unit j form column j.
/// </summary>
internal abstract class WeightInitializer
{
    /// <summary>Fills <paramref name="weights"/> (length fanIn·fanOut) from <paramref name="random"/>.</summary>
    public abstract void Initialize(Span<float> weights, int fanIn, int fanOut, ref RandomStream random);
}
