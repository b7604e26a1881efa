using System.Text;

namespace MlNetExtensions.Tests.Onnx;

/// <summary>
/// Reads the few facts of an ONNX file that tests check (IR version, opset, node operators, graph input and output names),
/// with a protobuf field reader independent of the exporter's writer.
/// </summary>
internal sealed class OnnxModelInspector
{
    public long IrVersion { get; private init; }
    public long Opset { get; private init; }
    public string ProducerName { get; private init; } = "";
    public List<string> Operators { get; } = new();
    public List<string> Inputs { get; } = new();
    public List<string> Outputs { get; } = new();
    public List<string> Initializers { get; } = new();

    public static OnnxModelInspector Read(byte[] model)
    {
        var fields = Fields(model);
        var result = new OnnxModelInspector
        {
            IrVersion = (long)fields.Single(f => f.Field == 1).Number,
            ProducerName = fields.Where(f => f.Field == 2).Select(f => Encoding.UTF8.GetString(f.Bytes!)).SingleOrDefault() ?? "",
            Opset = fields.Where(f => f.Field == 8).Select(f => Fields(f.Bytes!))
                .Where(o => o.All(x => x.Field != 1 || x.Bytes!.Length == 0)).Select(o => (long)o.Single(x => x.Field == 2).Number).Single(),
        };
        foreach (var (field, _, bytes) in Fields(fields.Single(f => f.Field == 7).Bytes!))
        {
            if (field == 1) result.Operators.Add(Text(bytes!, 4));
            else if (field == 5) result.Initializers.Add(Text(bytes!, 8));
            else if (field == 11) result.Inputs.Add(Text(bytes!, 1));
            else if (field == 12) result.Outputs.Add(Text(bytes!, 1));
        }
        return result;
    }

    private static string Text(byte[] message, int field) => Encoding.UTF8.GetString(Fields(message).First(f => f.Field == field).Bytes!);

    /// <summary>The fields of one message: number, varint or fixed value, or the bytes of a length-delimited field.</summary>
    private static List<(int Field, ulong Number, byte[]? Bytes)> Fields(byte[] message)
    {
        var fields = new List<(int, ulong, byte[]?)>();
        int p = 0;
        ulong Varint()
        {
            ulong v = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = message[p++];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return v;
            }
        }
        while (p < message.Length)
        {
            ulong tag = Varint();
            int field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0: fields.Add((field, Varint(), null)); break;
                case 1: fields.Add((field, BitConverter.ToUInt64(message, p), null)); p += 8; break;
                case 5: fields.Add((field, BitConverter.ToUInt32(message, p), null)); p += 4; break;
                case 2:
                    int length = (int)Varint();
                    fields.Add((field, 0, message[p..(p + length)]));
                    p += length;
                    break;
                default: throw new FormatException($"Wire type {tag & 7} at byte {p}.");
            }
        }
        return fields;
    }
}
