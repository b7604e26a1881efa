using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MlNetExtensions.Trainers.Onnx;

/// <summary>
/// A constant tensor of the graph (onnx.proto TensorProto): a name, dimensions and the values, stored as little-endian
/// raw_data.
/// </summary>
internal sealed class OnnxTensor
{
    private OnnxTensor(string name, OnnxElementType type, long[] dimensions, byte[] rawData)
    {
        Name = name; ElementType = type; Dimensions = dimensions; RawData = rawData;
    }

    /// <summary>The value name nodes refer to.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>The dimensions (empty for a scalar).</summary>
    public long[] Dimensions { get; }

    /// <summary>The values, little-endian, in row-major order.</summary>
    public byte[] RawData { get; }

    /// <summary>A float tensor of the given dimensions (their product must be the number of values).</summary>
    public static OnnxTensor Float(string name, ReadOnlySpan<float> values, params long[] dimensions)
    {
        CheckCount(name, values.Length, dimensions);
        byte[] raw;
        if (BitConverter.IsLittleEndian) raw = MemoryMarshal.AsBytes(values).ToArray();
        else
        {
            raw = new byte[values.Length * sizeof(float)];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }
        return new OnnxTensor(name, OnnxElementType.Float, dimensions, raw);
    }

    /// <summary>An int64 tensor of the given dimensions.</summary>
    public static OnnxTensor Int64(string name, ReadOnlySpan<long> values, params long[] dimensions)
    {
        CheckCount(name, values.Length, dimensions);
        var raw = new byte[values.Length * sizeof(long)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        return new OnnxTensor(name, OnnxElementType.Int64, dimensions, raw);
    }

    /// <summary>A bool tensor of the given dimensions (one byte per value, 0 or 1).</summary>
    public static OnnxTensor Bool(string name, ReadOnlySpan<bool> values, params long[] dimensions)
    {
        CheckCount(name, values.Length, dimensions);
        var raw = new byte[values.Length];
        for (int i = 0; i < values.Length; i++) raw[i] = values[i] ? (byte)1 : (byte)0;
        return new OnnxTensor(name, OnnxElementType.Bool, dimensions, raw);
    }

    private static void CheckCount(string name, int count, long[] dimensions)
    {
        long product = 1;
        foreach (long d in dimensions) product *= d;
        if (product != count) throw new ArgumentException($"Tensor '{name}': {count} values do not fill the dimensions [{string.Join(", ", dimensions)}].");
    }

    /// <summary>Writes the TensorProto fields: dims (1), data_type (2), name (8), raw_data (9).</summary>
    public void WriteTo(ProtobufWriter writer)
    {
        foreach (long d in Dimensions) writer.WriteInt64(1, d);
        writer.WriteInt64(2, (int)ElementType);
        writer.WriteString(8, Name);
        writer.WriteBytes(9, RawData);
    }
}
