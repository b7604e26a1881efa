using MlNetExtensions.Trainers.Onnx;

namespace MlNetExtensions.Tests.Onnx;

/// <summary>The wire bytes of the exporter's protobuf encoder, against the encoding the protobuf documentation specifies.</summary>
public class ProtobufWriterTests
{
    private static byte[] Bytes(Action<ProtobufWriter> write)
    {
        var writer = new ProtobufWriter();
        write(writer);
        return writer.ToArray();
    }

    [Fact]
    public void Varints_Floats_Strings_AndNestedMessages_HaveTheWireEncoding()
    {
        Assert.Equal(new byte[] { 0x08, 0x96, 0x01 }, Bytes(w => w.WriteInt64(1, 150)));
        Assert.Equal(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, Bytes(w => w.WriteInt64(2, -1)));
        Assert.Equal(new byte[] { 0xA0, 0x01, 0x07 }, Bytes(w => w.WriteInt64(20, 7))); // field 20: a two-byte tag
        Assert.Equal(new byte[] { 0x15, 0x00, 0x00, 0x80, 0x3F }, Bytes(w => w.WriteFloat(2, 1f)));
        Assert.Equal(new byte[] { 0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67 }, Bytes(w => w.WriteString(2, "testing")));
        Assert.Equal(new byte[] { 0x1A, 0x03, 0x08, 0x96, 0x01 }, Bytes(w => w.WriteMessage(3, m => m.WriteInt64(1, 150))));
        Assert.Equal(new byte[] { 0x0A, 0x00 }, Bytes(w => w.WriteString(1, "")));
        var longString = new string('x', 200);
        Assert.Equal(new byte[] { 0x0A, 0xC8, 0x01 }, Bytes(w => w.WriteString(1, longString))[..3]); // a two-byte length
        Assert.Throws<ArgumentOutOfRangeException>(() => Bytes(w => w.WriteInt64(0, 1)));
    }

    [Fact]
    public void Tensors_AreLittleEndianRawData_WithTheirDimensions()
    {
        var tensor = OnnxTensor.Float("w", new[] { 1f, -2f, 0.5f, 3f, 4f, 5f }, 2, 3);
        var bytes = Bytes(tensor.WriteTo);
        // dims 2 and 3 (field 1, unpacked), data_type FLOAT (field 2), name "w" (field 8), raw_data of 24 bytes (field 9).
        Assert.Equal(new byte[] { 0x08, 0x02, 0x08, 0x03, 0x10, 0x01, 0x42, 0x01, (byte)'w', 0x4A, 24 }, bytes[..11]);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0xC0 }, bytes[15..19]); // −2f
        Assert.Throws<ArgumentException>(() => OnnxTensor.Float("bad", new[] { 1f, 2f }, 3));
        Assert.Equal(new byte[] { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80 },
            Bytes(OnnxTensor.Int64("i", new[] { long.MinValue + 1 }, 1).WriteTo)[^8..]);
    }
}
