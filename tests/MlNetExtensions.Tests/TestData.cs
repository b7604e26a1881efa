using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Tests;

/// <summary>Loads the CSV files shipped in data/ (label first, then the features, no header).</summary>
internal static class TestData
{
    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "data", file);

    public static int FeatureCount(string file)
    {
        using var reader = new StreamReader(PathOf(file));
        return reader.ReadLine()!.Split(',').Length - 1;
    }

    /// <summary>Label as <paramref name="labelKind"/> in column "Label", features in "Features".</summary>
    public static IDataView Load(MLContext ml, string file, DataKind labelKind = DataKind.String)
    {
        int n = FeatureCount(file);
        return ml.Data.LoadFromTextFile(PathOf(file), new[]
        {
            new TextLoader.Column("Label", labelKind, 0),
            new TextLoader.Column("Features", DataKind.Single, 1, n),
        }, separatorChar: ',', hasHeader: false);
    }
}
