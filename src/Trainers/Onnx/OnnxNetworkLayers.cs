using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Trainers.Onnx;

/// <summary>
/// The ONNX nodes of a network's inference layers: Gemm per dense layer (W is stored [fan-in × fan-out], ONNX's B without
/// transposition), batch normalization with its running statistics as γ·(x − μ)·(1/√(σ² + ϵ)) + β (Sub, Mul, Mul, Add, in
/// the order the layer computes it), and Relu, LeakyRelu (α = 0.01), Tanh or Sigmoid; an identity activation adds no node.
/// Dropout and Gaussian noise act only in training and are not part of the inference layers.
/// </summary>
internal static class OnnxNetworkLayers
{
    /// <summary>Adds the nodes reading <paramref name="input"/> ([N, network inputs]) and returns the raw outputs ([N, outputs]).</summary>
    /// <exception cref="NotSupportedException">A layer or activation has no ONNX form here.</exception>
    public static string Add(OnnxGraph graph, MultilayerPerceptron network, string input)
    {
        string x = input;
        int dense = 0, batchNorm = 0;
        foreach (var layer in network.InferenceLayers)
        {
            switch (layer)
            {
                case DenseLayer d:
                    dense++;
                    string w = graph.Constant($"dense{dense}_weights", d.Weights.Value, d.InputSize, d.OutputSize);
                    string b = graph.Constant($"dense{dense}_bias", d.Bias.Value, d.OutputSize);
                    x = graph.Node("Gemm", $"dense{dense}", new[] { x, w, b });
                    break;
                case BatchNormLayer bn:
                    batchNorm++;
                    x = AddBatchNormalization(graph, bn, x, $"batchnorm{batchNorm}");
                    break;
                case ActivationLayer a:
                    x = AddActivation(graph, a.Function, x);
                    break;
                default:
                    throw new NotSupportedException($"The network has a {layer.GetType().Name}, which the ONNX export does not know.");
            }
        }
        return x;
    }

    private static string AddBatchNormalization(OnnxGraph graph, BatchNormLayer bn, string x, string name)
    {
        int n = bn.InputSize;
        // The inference scale exactly as the layer computes it: 1/√(σ² + ϵ) in single precision.
        var inverseStd = bn.RunningVariance.Select(v => 1f / MathF.Sqrt(v + bn.Epsilon)).ToArray();
        string centred = graph.Node("Sub", $"{name}_centred", new[] { x, graph.Constant($"{name}_running_mean", bn.RunningMean, n) });
        string scaled = graph.Node("Mul", $"{name}_gamma", new[] { centred, graph.Constant($"{name}_gamma", bn.Gamma.Value, n) });
        string normalized = graph.Node("Mul", $"{name}_normalized", new[] { scaled, graph.Constant($"{name}_inverse_std", inverseStd, n) });
        return graph.Node("Add", name, new[] { normalized, graph.Constant($"{name}_beta", bn.Beta.Value, n) });
    }

    /// <summary>Adds the activation's node (none for <see cref="Activation.Identity"/>).</summary>
    /// <exception cref="NotSupportedException">An activation this exporter does not know.</exception>
    public static string AddActivation(OnnxGraph graph, Activation function, string x) => function switch
    {
        Activation.Relu => graph.Node("Relu", "relu", new[] { x }),
        Activation.LeakyRelu => graph.Node("LeakyRelu", "leaky_relu", new[] { x }, OnnxAttribute.Of("alpha", ActivationLayer.LeakySlope)),
        Activation.Tanh => graph.Node("Tanh", "tanh", new[] { x }),
        Activation.Sigmoid => graph.Node("Sigmoid", "sigmoid", new[] { x }),
        Activation.Identity => x,
        _ => throw new NotSupportedException($"Activation {function} (option Activation) has no ONNX export."),
    };
}
