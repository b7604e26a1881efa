using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Trainers;

/// <summary>
/// The values behind a key-typed label (its KeyValues annotation), kept with the model so that
/// PredictedLabel carries them and MapKeyToValue gives back the original labels. Text and numeric
/// value types are supported; numbers are stored bit-exactly as text in invariant round-trip form.
/// Also the slot names of a vector label (a soft label's classes, a multi-output label's outputs), as text.
/// </summary>
internal sealed class KeyValueNames
{
    private KeyValueNames(DataViewType itemType, string[] values) { ItemType = itemType; Values = values; }

    public DataViewType ItemType { get; }
    public string[] Values { get; }
    public int Count => Values.Length;

    /// <summary>How one key-value type is read, written as invariant text, and turned back into an annotation.</summary>
    private sealed record Codec(string Name, DataViewType Type, Func<DataViewSchema.Column, string[]> Read, Action<DataViewSchema.Annotations.Builder, string, string[]> Add);

    private static Codec Make<T>(string name, PrimitiveDataViewType type, Func<T, string> format, Func<string, T> parse) =>
        new(name, type,
            column => Read(column, format),
            (builder, annotation, values) => Add(builder, annotation, new VectorDataViewType(type, values.Length), values.Select(parse).ToArray()));

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// The codec for a raw type or a stored type name (exactly one of them), or null. Built on demand: creating all fifteen
    /// up front compiled some forty generic methods on every Fit (≈ 20 ms of a cold start).
    /// </summary>
    private static Codec? Create(Type? raw, string? name)
    {
        bool Is<T>(string n) => raw == typeof(T) || name == n;
        if (Is<ReadOnlyMemory<char>>("text")) return Make<ReadOnlyMemory<char>>("text", TextDataViewType.Instance, v => v.ToString(), v => v.AsMemory());
        if (Is<float>(nameof(Single))) return Make<float>(nameof(Single), NumberDataViewType.Single, v => v.ToString("R", Inv), v => float.Parse(v, Inv));
        if (Is<double>(nameof(Double))) return Make<double>(nameof(Double), NumberDataViewType.Double, v => v.ToString("R", Inv), v => double.Parse(v, Inv));
        if (Is<sbyte>(nameof(SByte))) return Make<sbyte>(nameof(SByte), NumberDataViewType.SByte, v => v.ToString(Inv), v => sbyte.Parse(v, Inv));
        if (Is<byte>(nameof(Byte))) return Make<byte>(nameof(Byte), NumberDataViewType.Byte, v => v.ToString(Inv), v => byte.Parse(v, Inv));
        if (Is<short>(nameof(Int16))) return Make<short>(nameof(Int16), NumberDataViewType.Int16, v => v.ToString(Inv), v => short.Parse(v, Inv));
        if (Is<ushort>(nameof(UInt16))) return Make<ushort>(nameof(UInt16), NumberDataViewType.UInt16, v => v.ToString(Inv), v => ushort.Parse(v, Inv));
        if (Is<int>(nameof(Int32))) return Make<int>(nameof(Int32), NumberDataViewType.Int32, v => v.ToString(Inv), v => int.Parse(v, Inv));
        if (Is<uint>(nameof(UInt32))) return Make<uint>(nameof(UInt32), NumberDataViewType.UInt32, v => v.ToString(Inv), v => uint.Parse(v, Inv));
        if (Is<long>(nameof(Int64))) return Make<long>(nameof(Int64), NumberDataViewType.Int64, v => v.ToString(Inv), v => long.Parse(v, Inv));
        if (Is<ulong>(nameof(UInt64))) return Make<ulong>(nameof(UInt64), NumberDataViewType.UInt64, v => v.ToString(Inv), v => ulong.Parse(v, Inv));
        if (Is<bool>(nameof(Boolean))) return Make<bool>(nameof(Boolean), BooleanDataViewType.Instance, v => v ? "1" : "0", v => v == "1");
        if (Is<DateTime>(nameof(DateTime))) return Make<DateTime>(nameof(DateTime), DateTimeDataViewType.Instance, v => v.ToString("o", Inv), v => DateTime.Parse(v, Inv, DateTimeStyles.RoundtripKind));
        if (Is<DateTimeOffset>(nameof(DateTimeOffset))) return Make<DateTimeOffset>(nameof(DateTimeOffset), DateTimeOffsetDataViewType.Instance, v => v.ToString("o", Inv), v => DateTimeOffset.Parse(v, Inv, DateTimeStyles.RoundtripKind));
        if (Is<TimeSpan>(nameof(TimeSpan))) return Make<TimeSpan>(nameof(TimeSpan), TimeSpanDataViewType.Instance, v => v.ToString("c", Inv), v => TimeSpan.Parse(v, Inv));
        return null;
    }

    private static Codec? CodecOf(DataViewType type) => Create(type.RawType, null);

    /// <summary>Whether KeyValues of <paramref name="itemType"/> can be carried through the model.</summary>
    public static bool IsSupported(DataViewType itemType) => CodecOf(itemType) is not null;

    /// <summary>The KeyValues of a key column, or null when it has none of <paramref name="count"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The key values are of a type that cannot be kept with the model.</exception>
    public static KeyValueNames? FromColumn(DataViewSchema.Column column, int count)
    {
        var kv = column.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (kv is null || kv.Value.Type is not VectorDataViewType vt || vt.Size != count) return null;
        var codec = CodecOf(vt.ItemType)
            ?? throw new ArgumentOutOfRangeException(nameof(column),
                $"The label column '{column.Name}' has key values of type {vt.ItemType}, which cannot be kept with the model; convert the label to text before MapValueToKey.");
        return new KeyValueNames(codec.Type, codec.Read(column));
    }

    /// <summary>Names from a vector label's SlotNames (text): a soft label's classes, a multi-output label's outputs.</summary>
    public static KeyValueNames? FromSlotNames(DataViewSchema.Column column, int count)
    {
        if (!column.HasSlotNames()) return null;
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetSlotNames(ref names);
        if (names.Length != count) return null;
        return new KeyValueNames(TextDataViewType.Instance, names.DenseValues().Select(m => m.ToString()).ToArray());
    }

    private static string[] Read<T>(DataViewSchema.Column column, Func<T, string> format)
    {
        var buffer = default(VBuffer<T>);
        column.Annotations.GetValue("KeyValues", ref buffer);
        return buffer.DenseValues().Select(format).ToArray();
    }

    /// <summary>Adds the values as annotation <paramref name="annotationName"/> (KeyValues) with their original type.</summary>
    public void AddTo(DataViewSchema.Annotations.Builder builder, string annotationName) =>
        CodecOf(ItemType)!.Add(builder, annotationName, Values);

    /// <summary>Adds SlotNames as text.</summary>
    public void AddSlotNames(DataViewSchema.Annotations.Builder builder) =>
        Add(builder, "SlotNames", new VectorDataViewType(TextDataViewType.Instance, Count), Values.Select(v => v.AsMemory()).ToArray());

    private static void Add<T>(DataViewSchema.Annotations.Builder builder, string name, VectorDataViewType type, T[] values)
    {
        ValueGetter<VBuffer<T>> getter = (ref VBuffer<T> dst) => new VBuffer<T>(values.Length, (T[])values.Clone()).CopyTo(ref dst);
        builder.Add(name, type, getter);
    }

    public void Write(BinaryWriter w)
    {
        w.Write(CodecOf(ItemType)!.Name);
        w.Write(Values.Length);
        foreach (var v in Values) w.Write(v);
    }

    /// <summary>Writes a presence flag, then <paramref name="names"/> when there are any.</summary>
    public static void WriteOptional(BinaryWriter w, KeyValueNames? names)
    {
        w.Write(names is not null);
        names?.Write(w);
    }

    /// <summary>Reads what <see cref="WriteOptional"/> wrote: the names, or null.</summary>
    public static KeyValueNames? ReadOptional(BinaryReader r) => r.ReadBoolean() ? Read(r) : null;

    public static KeyValueNames Read(BinaryReader r)
    {
        string type = r.ReadString();
        var codec = Create(null, type) ?? throw new FormatException($"Unknown key value type '{type}' in the model.");
        int n = r.ReadInt32();
        if (n < 0 || n > 1 << 24) throw new FormatException($"The model's class count ({n}) is out of range: the file is corrupted.");
        var values = new string[n];
        for (int i = 0; i < n; i++) values[i] = r.ReadString();
        return new KeyValueNames(codec.Type, values);
    }
}
