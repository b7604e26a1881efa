using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Warm start: a new network begins from an earlier trained network's weights (dense weights and biases, batch-normalization
/// γ, β and running statistics) instead of random ones. The two must have the same inference layers (the same dense and
/// batch-normalization shapes and activations); training-only layers (dropout, noise) may differ, having no weights.
/// </summary>
internal static class WarmStart
{
    /// <summary>
    /// How the inference layers of <paramref name="network"/> differ from <paramref name="reference"/>'s (the first
    /// difference, in words), or null when the reference's weights fit.
    /// </summary>
    public static string? Difference(MultilayerPerceptron reference, MultilayerPerceptron network)
    {
        var a = reference.InferenceLayers;
        var b = network.InferenceLayers;
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            if (i >= a.Length) return $"the new network has more layers ({b.Length} at inference) than the reference ({a.Length})";
            if (i >= b.Length) return $"the new network has fewer layers ({b.Length} at inference) than the reference ({a.Length})";
            string? d = (a[i], b[i]) switch
            {
                (DenseLayer x, DenseLayer y) when x.InputSize != y.InputSize || x.OutputSize != y.OutputSize =>
                    $"dense layer {i} is {y.InputSize} → {y.OutputSize} in the new network and {x.InputSize} → {x.OutputSize} in the reference",
                (BatchNormLayer x, BatchNormLayer y) when x.InputSize != y.InputSize =>
                    $"batch normalization {i} has {y.InputSize} units in the new network and {x.InputSize} in the reference",
                (ActivationLayer x, ActivationLayer y) when x.Function != y.Function =>
                    $"activation {i} is {y.Function} in the new network and {x.Function} in the reference",
                (DenseLayer, DenseLayer) or (BatchNormLayer, BatchNormLayer) or (ActivationLayer, ActivationLayer) => null,
                _ => $"layer {i} is {b[i].GetType().Name} in the new network and {a[i].GetType().Name} in the reference",
            };
            if (d is not null) return d;
        }
        return null;
    }

    /// <summary>Copies <paramref name="reference"/>'s weights into <paramref name="network"/>.</summary>
    /// <exception cref="InvalidOperationException">The layers differ (see <see cref="Difference"/>).</exception>
    public static void CopyInto(MultilayerPerceptron reference, MultilayerPerceptron network)
    {
        if (Difference(reference, network) is { } difference)
            throw new InvalidOperationException($"The reference network's weights do not fit the new network: {difference}.");
        // The same inference layers in the same order: a snapshot of the reference restores into the new network.
        NetworkSnapshot.Capture(reference).Restore(network);
    }
}
