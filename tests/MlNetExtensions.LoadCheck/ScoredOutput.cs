using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

/// <summary>Prints scored columns bit-exactly, in this process and in a fresh one, so outputs can be compared as text.</summary>
public static class ScoredOutput
{
    /// <summary>One line per row: the requested columns, floats as their exact bit patterns, separated by |.</summary>
    public static IEnumerable<string> Lines(IDataView scored, string[] columns)
    {
        var cols = columns.Select(c => scored.Schema[c]).ToArray();
        using var cursor = scored.GetRowCursor(cols);
        var getters = cols.Select<DataViewSchema.Column, Func<string>>(c =>
        {
            if (c.Type is VectorDataViewType)
            {
                var g = cursor.GetGetter<VBuffer<float>>(c); var b = default(VBuffer<float>);
                return () => { g(ref b); return string.Join(" ", b.DenseValues().Select(v => BitConverter.SingleToInt32Bits(v).ToString("X8"))); };
            }
            if (c.Type == NumberDataViewType.Single)
            {
                var g = cursor.GetGetter<float>(c); float v = 0;
                return () => { g(ref v); return BitConverter.SingleToInt32Bits(v).ToString("X8"); };
            }
            if (c.Type == BooleanDataViewType.Instance)
            {
                var g = cursor.GetGetter<bool>(c); bool v = false;
                return () => { g(ref v); return v.ToString(); };
            }
            if (c.Type is KeyDataViewType)
            {
                var g = cursor.GetGetter<uint>(c); uint v = 0;
                return () => { g(ref v); return v.ToString(CultureInfo.InvariantCulture); };
            }
            var s = cursor.GetGetter<ReadOnlyMemory<char>>(c); var t = default(ReadOnlyMemory<char>);
            return () => { s(ref t); return t.ToString(); };
        }).ToArray();
        while (cursor.MoveNext()) yield return string.Join("|", getters.Select(g => g()));
    }
}
