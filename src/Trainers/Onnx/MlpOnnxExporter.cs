using System.Reflection;
using System.Text.Json;

namespace MlNetExtensions.Trainers.Onnx;

/// <summary>
/// Builds and writes the ONNX model of a trained Mlp: the graph input is the features column ([N, K] float), then the input
/// preprocessing (<see cref="OnnxInputPreprocessing"/>), the network (<see cref="OnnxNetworkLayers"/>), the regression label
/// de-standardization, and the outputs of the task (<see cref="MlpOnnxTask"/>), named as the ML.NET columns.
/// </summary>
internal static class MlpOnnxExporter
{
    /// <summary>The symbolic batch dimension of every graph input and output.</summary>
    public const string BatchDimension = "N";

    /// <summary>The largest weights a protobuf message holds (2 GB, less room for the rest of the file).</summary>
    private const long MaxModelBytes = int.MaxValue - (1 << 24);

    /// <summary>Writes the model to <paramref name="stream"/>.</summary>
    /// <param name="stream">Where the model is written.</param>
    /// <param name="model">The trained Mlp.</param>
    /// <param name="featureColumnName">The graph input's name.</param>
    /// <param name="task">Which outputs the graph has.</param>
    /// <param name="classNames">Multiclass: the class names in key order; multi-output regression: the Score's slot names; or null.</param>
    public static void Write(Stream stream, MlpModelParameters model, string featureColumnName, MlpOnnxTask task, IReadOnlyList<string>? classNames)
    {
        long parameterBytes = model.Network.InferenceLayers.OfType<Network.DenseLayer>().Sum(d => 4L * (d.Weights.Length + d.Bias.Length));
        if (parameterBytes > MaxModelBytes)
            throw new NotSupportedException(
                $"The network's {parameterBytes:N0} bytes of weights exceed the 2 GB an ONNX file (protobuf) can hold without external data, which this export does not write; use smaller HiddenLayerSizes.");
        var outputs = OutputNames(task);
        if (outputs.Contains(featureColumnName, StringComparer.Ordinal))
            throw new InvalidOperationException(
                $"The features column is named '{featureColumnName}', as an output of the exported graph: ONNX needs distinct input and output names; rename the column (option FeatureColumnName).");
        var graph = new OnnxGraph("MlNetExtensions.Mlp", outputs.Prepend(featureColumnName));
        graph.Documentation = $"A {task} Mlp from MlNetExtensions. The input '{featureColumnName}' is the Mlp's features vector "
            + "(earlier pipeline stages are not part of the graph). Infinite features, which ML.NET scoring rejects, are not checked.";
        graph.AddInput(new OnnxValueInfo(featureColumnName, OnnxElementType.Float, new object[] { BatchDimension, (long)model.InputSize },
            "The features vector the Mlp reads (NaN: missing)."));

        string x = OnnxInputPreprocessing.Add(graph, model.Preprocessing, featureColumnName);
        x = OnnxNetworkLayers.Add(graph, model.Network, x);
        if (model.HasLabelStandardization)
        {
            // As the scorer: output·scale + shift (the regression label's standardization undone); one scalar pair when it is
            // the same for every output, else a [K] vector of each, broadcast over the rows.
            bool perOutput = MlpModelSerializer.RevisionFor(model) > 3;
            string Constant(string name, float[] values) =>
                perOutput ? graph.Constant(name, values, values.Length) : graph.Constant(name, new[] { values[0] });
            x = graph.Node("Mul", "label_scaled", new[] { x, Constant("label_scale", model.LabelScale) });
            x = graph.Node("Add", "label_shifted", new[] { x, Constant("label_shift", model.LabelShift) });
        }
        AddOutputs(graph, task, x, model.OutputSize);

        var metadata = new List<KeyValuePair<string, string>>
        {
            new("mlnet.task", task.ToString()),
            new("mlnet.feature_column", featureColumnName),
            new("mlnet.feature_count", model.InputSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (classNames is not null)
            metadata.Add(new(task == MlpOnnxTask.MultiOutputRegression ? "mlnet.score_slot_names" : "mlnet.class_names", JsonSerializer.Serialize(classNames)));
        string version = typeof(MlpOnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(MlpOnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";
        OnnxModelWriter.Write(stream, graph, "MlNetExtensions", version, graph.Documentation, metadata);
    }

    /// <summary>The graph outputs of a task, named as the prediction transformer's columns.</summary>
    public static string[] OutputNames(MlpOnnxTask task) => task switch
    {
        MlpOnnxTask.MulticlassClassification => new[] { "Score", "PredictedLabel" },
        MlpOnnxTask.BinaryClassification => new[] { "Score", "Probability", "PredictedLabel" },
        _ => new[] { "Score" },
    };

    private static void AddOutputs(OnnxGraph graph, MlpOnnxTask task, string raw, int outputCount)
    {
        object[] Shape(int width) => new object[] { BatchDimension, (long)width };
        switch (task)
        {
            case MlpOnnxTask.MulticlassClassification:
            {
                // Score: the softmax of the outputs; PredictedLabel: the first largest output, as a 1-based key.
                graph.NodeToOutput("Softmax", "Score", new[] { raw }, OnnxAttribute.Of("axis", 1L));
                string index = graph.Node("ArgMax", "argmax", new[] { raw }, OnnxAttribute.Of("axis", 1L), OnnxAttribute.Of("keepdims", 1L));
                string key = graph.Node("Add", "key", new[] { index, graph.Constant("one", new[] { 1L }) });
                graph.NodeToOutput("Cast", "PredictedLabel", new[] { key }, OnnxAttribute.Of("to", (long)OnnxElementType.UInt32));
                graph.AddOutput(new OnnxValueInfo("Score", OnnxElementType.Float, Shape(outputCount), "The class probabilities (softmax), in key order."));
                graph.AddOutput(new OnnxValueInfo("PredictedLabel", OnnxElementType.UInt32, Shape(1), "The most probable class as ML.NET's 1-based key."));
                break;
            }
            case MlpOnnxTask.BinaryClassification:
            {
                string score = graph.RenameLastOutput(raw, "Score");
                graph.NodeToOutput("Sigmoid", "Probability", new[] { score });
                graph.NodeToOutput("Greater", "PredictedLabel", new[] { score, graph.Constant("zero", new[] { 0f }) });
                graph.AddOutput(new OnnxValueInfo("Score", OnnxElementType.Float, Shape(1), "The logit (margin)."));
                graph.AddOutput(new OnnxValueInfo("Probability", OnnxElementType.Float, Shape(1), "The sigmoid of Score."));
                graph.AddOutput(new OnnxValueInfo("PredictedLabel", OnnxElementType.Bool, Shape(1), "Score > 0."));
                break;
            }
            case MlpOnnxTask.MultiOutputRegression:
                graph.RenameLastOutput(raw, "Score");
                graph.AddOutput(new OnnxValueInfo("Score", OnnxElementType.Float, Shape(outputCount), "The K predictions, in the label's units, in the label's slot order."));
                break;
            default:
                graph.RenameLastOutput(raw, "Score");
                graph.AddOutput(new OnnxValueInfo("Score", OnnxElementType.Float, Shape(1), "The prediction, in the label's units."));
                break;
        }
    }
}
