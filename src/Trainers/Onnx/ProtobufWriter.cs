using System.Buffers.Binary;
using System.Text;

namespace MlNetExtensions.Trainers.Onnx;

/// <summary>
/// A minimal write-only encoder of the protocol-buffers wire format: varints, 32-bit floats, length-delimited strings and
/// bytes, and nested messages (each written into its own buffer first, so that its length can precede it). Enough for the
/// subset of onnx.proto the exporter writes; fields are written in the order the caller writes them.
/// </summary>
internal sealed class ProtobufWriter
{
    private const int WireVarint = 0;
    private const int WireFixed32 = 5;
    private const int WireLengthDelimited = 2;

    private readonly MemoryStream _buffer = new();

    /// <summary>The bytes written so far.</summary>
    public byte[] ToArray() => _buffer.ToArray();

    /// <summary>Writes the bytes written so far to <paramref name="stream"/>.</summary>
    public void CopyTo(Stream stream) => _buffer.WriteTo(stream);

    /// <summary>An int64/int32/enum field (a negative value takes ten bytes, as protobuf specifies).</summary>
    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteVarint((ulong)value);
    }

    /// <summary>A float field (fixed 32 bits, little-endian).</summary>
    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>A string field, UTF-8.</summary>
    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>An embedded message field: <paramref name="write"/> writes the message's own fields.</summary>
    public void WriteMessage(int field, Action<ProtobufWriter> write)
    {
        var inner = new ProtobufWriter();
        write(inner);
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)inner._buffer.Length);
        inner._buffer.WriteTo(_buffer);
    }

    private void WriteTag(int field, int wireType)
    {
        if (field <= 0) throw new ArgumentOutOfRangeException(nameof(field), field, "Protobuf field numbers start at 1.");
        WriteVarint(((ulong)field << 3) | (uint)wireType);
    }

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}
