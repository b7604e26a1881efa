namespace MlNetExtensions.Trainers.Onnx;

/// <summary>
/// A graph input or output (onnx.proto ValueInfoProto): a name and a tensor type whose dimensions are either fixed or
/// symbolic (a name such as "N" for the batch).
/// </summary>
internal sealed class OnnxValueInfo
{
    public OnnxValueInfo(string name, OnnxElementType elementType, object[] dimensions, string? documentation = null)
    {
        foreach (var d in dimensions)
            if (d is not (long or string)) throw new ArgumentException("A dimension is a long (fixed) or a string (symbolic).", nameof(dimensions));
        Name = name; ElementType = elementType; Dimensions = dimensions; Documentation = documentation;
    }

    /// <summary>The value's name.</summary>
    public string Name { get; }

    /// <summary>The tensor's element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>Each dimension: a long for a fixed size, a string for a symbolic one.</summary>
    public object[] Dimensions { get; }

    /// <summary>The doc_string written with the value, if any.</summary>
    public string? Documentation { get; }

    /// <summary>
    /// Writes the ValueInfoProto fields: name (1), type (2) = TypeProto { tensor_type (1) = { elem_type (1),
    /// shape (2) = TensorShapeProto { dim (1) = { dim_value (1) | dim_param (2) } } } }, doc_string (3).
    /// </summary>
    public void WriteTo(ProtobufWriter writer)
    {
        writer.WriteString(1, Name);
        writer.WriteMessage(2, type => type.WriteMessage(1, tensor =>
        {
            tensor.WriteInt64(1, (int)ElementType);
            tensor.WriteMessage(2, shape =>
            {
                foreach (var d in Dimensions)
                    shape.WriteMessage(1, dim =>
                    {
                        if (d is long size) dim.WriteInt64(1, size);
                        else dim.WriteString(2, (string)d);
                    });
            });
        }));
        if (Documentation is not null) writer.WriteString(3, Documentation);
    }
}
