using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Trainers;

/// <summary>
/// The values behind a key-typed label (its KeyValues annotation), kept with the model so that
/// PredictedLabel carries them and MapKeyToValue gives back the original labels. Text and numeric
/// value types are supported; numbers are stored bit-exactly as text in invariant round-trip form.
/// </summary>
internal sealed class KeyValueNames
{
    private KeyValueNames(DataViewType itemType, string[] values) { ItemType = itemType; Values = values; }

    public DataViewType ItemType { get; }
    public string[] Values { get; }
    public int Count => Values.Length;

    public static KeyValueNames? FromColumn(DataViewSchema.Column column, int count)
    {
        var kv = column.Annotations.Schema.GetColumnOrNull("KeyValues");
        if (kv is null || kv.Value.Type is not VectorDataViewType vt || vt.Size != count) return null;
        var item = vt.ItemType;
        string[]? values = item.RawType switch
        {
            var t when t == typeof(ReadOnlyMemory<char>) => Read<ReadOnlyMemory<char>>(column, v => v.ToString()),
            var t when t == typeof(float) => Read<float>(column, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(double) => Read<double>(column, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(int) => Read<int>(column, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(uint) => Read<uint>(column, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(long) => Read<long>(column, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(bool) => Read<bool>(column, v => v ? "1" : "0"),
            _ => null,
        };
        return values is null ? null : new KeyValueNames(item, values);
    }

    /// <summary>Names from a soft-label vector's SlotNames (text).</summary>
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
    public void AddTo(DataViewSchema.Annotations.Builder builder, string annotationName)
    {
        int k = Count;
        var type = new VectorDataViewType((PrimitiveDataViewType)ItemType, k);
        var raw = ItemType.RawType;
        if (raw == typeof(ReadOnlyMemory<char>)) Add(builder, annotationName, type, Values.Select(v => v.AsMemory()).ToArray());
        else if (raw == typeof(float)) Add(builder, annotationName, type, Values.Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        else if (raw == typeof(double)) Add(builder, annotationName, type, Values.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        else if (raw == typeof(int)) Add(builder, annotationName, type, Values.Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        else if (raw == typeof(uint)) Add(builder, annotationName, type, Values.Select(v => uint.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        else if (raw == typeof(long)) Add(builder, annotationName, type, Values.Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        else if (raw == typeof(bool)) Add(builder, annotationName, type, Values.Select(v => v == "1").ToArray());
    }

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
        w.Write(ItemType.RawType == typeof(ReadOnlyMemory<char>) ? "text" : ItemType.RawType.Name);
        w.Write(Values.Length);
        foreach (var v in Values) w.Write(v);
    }

    public static KeyValueNames Read(BinaryReader r)
    {
        string type = r.ReadString();
        DataViewType item = type switch
        {
            "text" => TextDataViewType.Instance,
            nameof(Single) => NumberDataViewType.Single,
            nameof(Double) => NumberDataViewType.Double,
            nameof(Int32) => NumberDataViewType.Int32,
            nameof(UInt32) => NumberDataViewType.UInt32,
            nameof(Int64) => NumberDataViewType.Int64,
            nameof(Boolean) => BooleanDataViewType.Instance,
            _ => throw new FormatException($"Unknown key value type '{type}' in the model."),
        };
        int n = r.ReadInt32();
        if (n < 0 || n > 1 << 24) throw new FormatException($"The model's class count ({n}) is out of range: the file is corrupted.");
        var values = new string[n];
        for (int i = 0; i < n; i++) values[i] = r.ReadString();
        return new KeyValueNames(item, values);
    }
}
