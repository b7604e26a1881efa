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

    /// <summary>Writes the captured state back into <paramref name="network"/>.</summary>
    public void Restore(MultilayerPerceptron network)
    {
        int i = 0;
        foreach (var a in StateArrays(network)) _values[i++].CopyTo(a.Span);
        foreach (var bn in network.Layers.OfType<BatchNormLayer>()) bn.InvalidateInferenceCache();
    }
}
