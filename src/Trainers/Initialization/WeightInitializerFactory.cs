using System.Globalization;

namespace MlNetExtensions.Trainers.Initialization;

/// <summary>Builds the initializer of a <see cref="WeightInitialization"/> scheme.</summary>
internal static class WeightInitializerFactory
{
    /// <summary>
    /// Returns the initializer of <paramref name="kind"/>. <paramref name="gain"/> scales the
    /// orthogonal and sparse schemes (the others follow their formulas exactly and ignore it);
    /// <paramref name="sparseConnections"/> is the k of the sparse scheme.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="kind"/> is unknown, or the gain (orthogonal, sparse) is not a finite number &gt; 0,
    /// or <paramref name="sparseConnections"/> (sparse) is below 1.
    /// </exception>
    public static WeightInitializer Create(WeightInitialization kind, float gain, int sparseConnections)
    {
        if (kind is WeightInitialization.Orthogonal or WeightInitialization.Sparse && !(float.IsFinite(gain) && gain > 0f))
            throw new ArgumentOutOfRangeException(nameof(gain), $"{nameof(gain)} must be a finite number > 0, got {gain.ToString(CultureInfo.InvariantCulture)}");
        if (kind == WeightInitialization.Sparse && sparseConnections < 1)
            throw new ArgumentOutOfRangeException(nameof(sparseConnections), $"{nameof(sparseConnections)} must be at least 1, got {sparseConnections}");
        return kind switch
        {
            WeightInitialization.UniformFanIn => new UniformFanInInitializer(),
            WeightInitialization.XavierUniform => new XavierUniformInitializer(),
            WeightInitialization.HeNormal => new HeNormalInitializer(),
            WeightInitialization.HeUniform => new HeUniformInitializer(),
            WeightInitialization.Orthogonal => new OrthogonalInitializer(gain),
            WeightInitialization.Sparse => new SparseInitializer(sparseConnections, gain),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), $"{nameof(kind)} is not a known {nameof(WeightInitialization)}, got {(int)kind}"),
        };
    }
}
