using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Parameter tying (the lecture's Ω(w, w_ref) = ‖w − w_ref‖²): the penalty α‖w − w_ref‖² on the connection weights, which
/// pulls a network towards a reference network's weights instead of towards 0 as L2 does. Its gradient is 2α(w − w_ref).
/// The reference's weights are copied once, so the reference model may go on scoring while another one trains near it.
/// </summary>
internal sealed class ParameterTying
{
    private readonly float[][] _reference;
    private readonly float[][] _difference;

    /// <summary>Ties to the connection weights of <paramref name="reference"/>'s dense layers, in layer order, with strength <paramref name="strength"/> (α ≥ 0).</summary>
    public ParameterTying(MultilayerPerceptron reference, float strength)
    {
        if (!(strength >= 0f) || !float.IsFinite(strength)) throw new ArgumentOutOfRangeException(nameof(strength), strength, "The tying strength must be finite and ≥ 0.");
        Strength = strength;
        _reference = reference.InferenceLayers.OfType<DenseLayer>().Select(d => d.Weights.Value.ToArray()).ToArray();
        _difference = _reference.Select(w => new float[w.Length]).ToArray();
    }

    /// <summary>α.</summary>
    public float Strength { get; }

    /// <summary>The penalty α‖w − w_ref‖² over <paramref name="weights"/> (the connection weights, in layer order).</summary>
    public double Value(IReadOnlyList<Parameter> weights)
    {
        Check(weights);
        double total = 0;
        for (int k = 0; k < weights.Count; k++)
        {
            TensorPrimitives.Subtract(weights[k].Value, _reference[k], _difference[k]);
            total += TensorPrimitives.Dot(_difference[k], _difference[k]);
        }
        return Strength * total;
    }

    /// <summary>g ← g + 2α(w − w_ref) for each weight tensor of <paramref name="weights"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public void AddGradients(IReadOnlyList<Parameter> weights)
    {
        if (Strength == 0f) return;
        Check(weights);
        float twoAlpha = 2f * Strength;
        for (int k = 0; k < weights.Count; k++) // indexed: a foreach over the interface would allocate an enumerator per step
        {
            var p = weights[k];
            TensorPrimitives.Subtract(p.Value, _reference[k], _difference[k]);
            TensorPrimitives.MultiplyAdd(_difference[k], twoAlpha, p.Gradient, p.Gradient);
        }
    }

    private void Check(IReadOnlyList<Parameter> weights)
    {
        if (weights.Count != _reference.Length)
            throw new InvalidOperationException($"Parameter tying: the network has {weights.Count} weight tensors, the reference {_reference.Length}.");
        for (int k = 0; k < weights.Count; k++)
            if (weights[k].Length != _reference[k].Length)
                throw new InvalidOperationException($"Parameter tying: weight tensor {k} has {weights[k].Length} values, the reference's {_reference[k].Length}.");
    }
}
