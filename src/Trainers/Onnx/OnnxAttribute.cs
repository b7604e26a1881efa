namespace MlNetExtensions.Trainers.Onnx;

/// <summary>A node attribute (onnx.proto AttributeProto) holding one float, one int or a list of ints.</summary>
internal sealed class OnnxAttribute
{
    // AttributeProto.AttributeType values.
    private const int TypeFloat = 1;
    private const int TypeInt = 2;
    private const int TypeInts = 7;

    private readonly int _type;
    private readonly float _float;
    private readonly long[] _ints;

    private OnnxAttribute(string name, int type, float f, long[] ints)
    {
        Name = name; _type = type; _float = f; _ints = ints;
    }

    /// <summary>The attribute's name, as the operator defines it.</summary>
    public string Name { get; }

    /// <summary>A float attribute (e.g. LeakyRelu's alpha).</summary>
    public static OnnxAttribute Of(string name, float value) => new(name, TypeFloat, value, Array.Empty<long>());

    /// <summary>An int attribute (e.g. an axis).</summary>
    public static OnnxAttribute Of(string name, long value) => new(name, TypeInt, 0f, new[] { value });

    /// <summary>A list-of-ints attribute.</summary>
    public static OnnxAttribute Of(string name, long[] values) => new(name, TypeInts, 0f, values);

    /// <summary>Writes the AttributeProto fields: name (1), f (2) or i (3) or ints (8), type (20).</summary>
    public void WriteTo(ProtobufWriter writer)
    {
        writer.WriteString(1, Name);
        switch (_type)
        {
            case TypeFloat: writer.WriteFloat(2, _float); break;
            case TypeInt: writer.WriteInt64(3, _ints[0]); break;
            default: foreach (long v in _ints) writer.WriteInt64(8, v); break;
        }
        writer.WriteInt64(20, _type);
    }
}
