using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Trainers.Training;

/// <summary>A copy of a network's parameter values and batch-normalization running statistics, to restore the best epoch.</summary>
internal sealed class NetworkSnapshot
{
    private readonly float[][] _values;

    private NetworkSnapshot(float[][] values) => _values = values;

    private static IEnumerable<Memory<float>> StateArrays(MultilayerPerceptron network)
    {
        foreach (var layer in network.Layers)
        {
            foreach (var p in layer.Parameters) yield return p.ValueMemory;
            if (layer is BatchNormLayer bn) { yield return bn.RunningMean; yield return bn.RunningVariance; }
        }
    }

    /// <summary>Copies the state of <paramref name="network"/>, reusing <paramref name="reuse"/>'s arrays when given.</summary>
    public static NetworkSnapshot Capture(MultilayerPerceptron network, NetworkSnapshot? reuse = null)
    {
        var arrays = StateArrays(network).ToArray();
        var values = reuse?._values ?? arrays.Select(a => new float[a.Length]).ToArray();
        for (int i = 0; i < arrays.Length; i++) arrays[i].Span.CopyTo(values[i]);
        return reuse ?? new NetworkSnapshot(values);
    }

    /// <summary>The captured arrays, in the network's layer order (each layer's parameters, then its running statistics).</summary>
    public IReadOnlyList<float[]> Values => _values;

    /// <summary>
    /// A snapshot of saved <paramref name="values"/> (a checkpoint's), after checking that they fit
    /// <paramref name="network"/>: as many arrays, each of the same length.
    /// </summary>
    /// <exception cref="FormatException">The values do not fit the network (another architecture).</exception>
    public static NetworkSnapshot FromValues(float[][] values, MultilayerPerceptron network)
    {
        var arrays = StateArrays(network).ToArray();
        if (values.Length != arrays.Length)
            throw new FormatException($"The saved network state has {values.Length} arrays; this network has {arrays.Length}.");
        for (int i = 0; i < arrays.Length; i++)
            if (values[i].Length != arrays[i].Length)
                throw new FormatException($"The saved network state's array {i} has {values[i].Length} values; this network's has {arrays[i].Length}.");
        return new NetworkSnapshot(values);
    }

    /// <summary>Writes the captured state back into <paramref name="network"/>.</summary>
    public void Restore(MultilayerPerceptron network)
    {
        int i = 0;
        foreach (var a in StateArrays(network)) _values[i++].CopyTo(a.Span);
        foreach (var bn in network.Layers.OfType<BatchNormLayer>()) bn.InvalidateInferenceCache();
    }
}
