using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions.Transforms.Tests;

/// <summary>A row of the synthetic 8 × 8 grey data set (same generator as the LoadCheck helper).</summary>
public sealed class Row
{
    public float Label { get; set; }
    [VectorType(64)] public float[] Pixels { get; set; } = Array.Empty<float>();

    public static Row Make(int i) => new()
    {
        Label = i % 3,
        Pixels = Enumerable.Range(0, 64).Select(j => ((i * 7 + j * 13) % 17) / 16f).ToArray(),
    };
}

/// <summary>Mapped columns read back.</summary>
public sealed class Output
{
    [VectorType(64)] public float[] Pixels { get; set; } = Array.Empty<float>();
    [VectorType(3)] public float[] Soft { get; set; } = Array.Empty<float>();
}

internal static class TestData
{
    public static Row[] Rows(int n, int offset = 0) => Enumerable.Range(offset, n).Select(Row.Make).ToArray();

    public static IDataView View(MLContext ml, int n, int offset = 0) => ml.Data.LoadFromEnumerable(Rows(n, offset));

    /// <summary>Every value of a Vector&lt;Single&gt; column, row by row, through one cursor.</summary>
    public static float[][] ReadVectors(IDataView view, string column)
    {
        var col = view.Schema[column];
        var result = new List<float[]>();
        using var cursor = view.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            result.Add(value.DenseValues().ToArray());
        }
        return result.ToArray();
    }

    /// <summary>A buffer of random values in [0, 1].</summary>
    public static PixelBuffer RandomImage(int channels, int height, int width, ulong seed)
    {
        var b = new PixelBuffer();
        b.Reset(channels, height, width);
        var r = new RandomStream(seed);
        var d = b.Data;
        for (int i = 0; i < d.Length; i++) d[i] = r.NextSingle();
        return b;
    }

    public static PixelBuffer Copy(PixelBuffer source)
    {
        var b = new PixelBuffer();
        b.Reset(source.Channels, source.Height, source.Width);
        source.Data.CopyTo(b.Data);
        return b;
    }

    public static string DataFile(string relative) => Path.Combine(AppContext.BaseDirectory, "data", relative);
}
