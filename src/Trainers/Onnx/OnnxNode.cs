namespace MlNetExtensions.Trainers.Onnx;

/// <summary>One operator call of the graph (onnx.proto NodeProto), in the default ONNX domain.</summary>
internal sealed class OnnxNode
{
    public OnnxNode(string operatorType, string name, string[] inputs, string[] outputs, OnnxAttribute[] attributes)
    {
        OperatorType = operatorType; Name = name; Inputs = inputs; Outputs = outputs; Attributes = attributes;
    }

    /// <summary>The operator, e.g. "Gemm".</summary>
    public string OperatorType { get; }

    /// <summary>The node's name (unique in the graph).</summary>
    public string Name { get; }

    /// <summary>The names of the values read, in the operator's input order.</summary>
    public string[] Inputs { get; }

    /// <summary>The names of the values written.</summary>
    public string[] Outputs { get; }

    /// <summary>The attributes.</summary>
    public OnnxAttribute[] Attributes { get; }

    /// <summary>Writes the NodeProto fields: input (1), output (2), name (3), op_type (4), attribute (5).</summary>
    public void WriteTo(ProtobufWriter writer)
    {
        foreach (string input in Inputs) writer.WriteString(1, input);
        foreach (string output in Outputs) writer.WriteString(2, output);
        writer.WriteString(3, Name);
        writer.WriteString(4, OperatorType);
        foreach (var attribute in Attributes) writer.WriteMessage(5, attribute.WriteTo);
    }
}
