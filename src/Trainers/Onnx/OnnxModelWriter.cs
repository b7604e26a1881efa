namespace MlNetExtensions.Trainers.Onnx;

/// <summary>
/// Writes an ONNX model file (onnx.proto ModelProto) around a graph: IR version <see cref="IrVersion"/>, the default
/// operator set at <see cref="OpsetVersion"/>, producer name and version, a doc string and metadata properties.
/// </summary>
internal static class OnnxModelWriter
{
    /// <summary>The ONNX operator set the exporter targets: 17 (ONNX 1.12, 2022; every ONNX Runtime since 1.12 runs it).</summary>
    public const int OpsetVersion = 17;

    /// <summary>The IR version that goes with opset 17: 8 (IR_VERSION_2021_7_30).</summary>
    public const int IrVersion = 8;

    /// <summary>
    /// Writes ir_version (1), producer_name (2), producer_version (3), model_version (5), doc_string (6), graph (7),
    /// opset_import (8) = { domain (1) "" , version (2) }, metadata_props (14) = { key (1), value (2) }.
    /// </summary>
    public static void Write(Stream stream, OnnxGraph graph, string producerName, string producerVersion, string documentation,
        IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        var writer = new ProtobufWriter();
        writer.WriteInt64(1, IrVersion);
        writer.WriteString(2, producerName);
        writer.WriteString(3, producerVersion);
        writer.WriteInt64(5, 1);
        writer.WriteString(6, documentation);
        writer.WriteMessage(7, graph.WriteTo);
        writer.WriteMessage(8, opset =>
        {
            opset.WriteString(1, "");
            opset.WriteInt64(2, OpsetVersion);
        });
        foreach (var (key, value) in metadata)
            writer.WriteMessage(14, entry =>
            {
                entry.WriteString(1, key);
                entry.WriteString(2, value);
            });
        writer.CopyTo(stream);
    }
}
