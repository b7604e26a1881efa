namespace MlNetExtensions.Trainers.Onnx;

/// <summary>
/// Builds an ONNX graph (onnx.proto GraphProto): inputs, constant tensors, nodes in topological order (each node is added
/// after the nodes producing its inputs) and outputs. Every value name is unique; generated names never take a name the
/// caller reserved for a graph input or output.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<OnnxNode> _nodes = new();
    private readonly List<OnnxTensor> _initializers = new();
    private readonly List<OnnxValueInfo> _inputs = new();
    private readonly List<OnnxValueInfo> _outputs = new();
    private readonly Dictionary<string, int> _opCounts = new(StringComparer.Ordinal);

    public OnnxGraph(string name, IEnumerable<string> reservedNames)
    {
        Name = name;
        foreach (string reserved in reservedNames)
            if (!_names.Add(reserved)) throw new InvalidOperationException($"The ONNX value name '{reserved}' is used twice.");
        _reservedNames = new HashSet<string>(_names, StringComparer.Ordinal);
    }

    private readonly HashSet<string> _reservedNames;

    /// <summary>The graph's name.</summary>
    public string Name { get; }

    /// <summary>The graph's doc_string (none when null).</summary>
    public string? Documentation { get; set; }

    /// <summary>The nodes added so far, in order.</summary>
    public IReadOnlyList<OnnxNode> Nodes => _nodes;

    /// <summary>The constant tensors added so far.</summary>
    public IReadOnlyList<OnnxTensor> Initializers => _initializers;

    /// <summary>Declares a graph input; its name must have been reserved.</summary>
    public void AddInput(OnnxValueInfo input)
    {
        CheckReserved(input.Name);
        _inputs.Add(input);
    }

    /// <summary>Declares a graph output; its name must have been reserved, and a node must write it.</summary>
    public void AddOutput(OnnxValueInfo output)
    {
        CheckReserved(output.Name);
        _outputs.Add(output);
    }

    private void CheckReserved(string name)
    {
        if (!_reservedNames.Contains(name)) throw new InvalidOperationException($"'{name}' was not reserved as a graph input or output.");
    }

    /// <summary>A fresh value name built from <paramref name="hint"/>.</summary>
    public string NewName(string hint)
    {
        if (_names.Add(hint)) return hint;
        for (int i = 1; ; i++)
        {
            string candidate = $"{hint}_{i}";
            if (_names.Add(candidate)) return candidate;
        }
    }

    /// <summary>Adds a float constant and returns its name.</summary>
    public string Constant(string hint, ReadOnlySpan<float> values, params long[] dimensions)
        => AddInitializer(OnnxTensor.Float(NewName(hint), values, dimensions));

    /// <summary>Adds an int64 constant and returns its name.</summary>
    public string Constant(string hint, ReadOnlySpan<long> values, params long[] dimensions)
        => AddInitializer(OnnxTensor.Int64(NewName(hint), values, dimensions));

    /// <summary>Adds a bool constant and returns its name.</summary>
    public string Constant(string hint, ReadOnlySpan<bool> values, params long[] dimensions)
        => AddInitializer(OnnxTensor.Bool(NewName(hint), values, dimensions));

    private string AddInitializer(OnnxTensor tensor)
    {
        _initializers.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node with one output, named from <paramref name="outputHint"/>, and returns that name.</summary>
    public string Node(string operatorType, string outputHint, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = NewName(outputHint);
        AddNode(operatorType, inputs, output, attributes);
        return output;
    }

    /// <summary>Adds a node writing the reserved graph output <paramref name="output"/> and returns that name.</summary>
    public string NodeToOutput(string operatorType, string output, string[] inputs, params OnnxAttribute[] attributes)
    {
        CheckReserved(output);
        if (_nodes.Any(n => n.Outputs.Contains(output, StringComparer.Ordinal)))
            throw new InvalidOperationException($"The graph output '{output}' is written twice.");
        AddNode(operatorType, inputs, output, attributes);
        return output;
    }

    /// <summary>
    /// Renames the output of the last node added, <paramref name="value"/> (which no node reads yet), to the reserved graph
    /// output <paramref name="output"/>, and returns that name: a graph output then needs no Identity node.
    /// </summary>
    public string RenameLastOutput(string value, string output)
    {
        CheckReserved(output);
        if (_nodes.Count == 0 || _nodes[^1].Outputs is not [var last] || last != value)
            throw new InvalidOperationException($"'{value}' is not the output of the last node.");
        var node = _nodes[^1];
        _nodes[^1] = new OnnxNode(node.OperatorType, node.Name, node.Inputs, new[] { output }, node.Attributes);
        _names.Remove(value);
        return output;
    }

    private void AddNode(string operatorType, string[] inputs, string output, OnnxAttribute[] attributes)
    {
        foreach (string input in inputs)
            if (!_names.Contains(input)) throw new InvalidOperationException($"Node {operatorType} reads '{input}', which no node, constant or input defines.");
        int count = _opCounts.GetValueOrDefault(operatorType);
        _opCounts[operatorType] = count + 1;
        _nodes.Add(new OnnxNode(operatorType, $"{operatorType}{count}", inputs, new[] { output }, attributes));
    }

    /// <summary>
    /// Writes the GraphProto fields: node (1), name (2), initializer (5), doc_string (10), input (11), output (12).
    /// </summary>
    public void WriteTo(ProtobufWriter writer)
    {
        foreach (var output in _outputs)
            if (!_nodes.Any(n => n.Outputs.Contains(output.Name, StringComparer.Ordinal)))
                throw new InvalidOperationException($"No node writes the graph output '{output.Name}'.");
        foreach (var node in _nodes) writer.WriteMessage(1, node.WriteTo);
        writer.WriteString(2, Name);
        foreach (var tensor in _initializers) writer.WriteMessage(5, tensor.WriteTo);
        if (Documentation is not null) writer.WriteString(10, Documentation);
        foreach (var input in _inputs) writer.WriteMessage(11, input.WriteTo);
        foreach (var output in _outputs) writer.WriteMessage(12, output.WriteTo);
    }
}
