using Digits;
using Microsoft.ML;

namespace MlNetExtensions.Samples.Tests;

/// <summary>The digits files shipped with the repository, as the samples load them.</summary>
internal static class DigitsData
{
    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "data", file);

    public static (IDataView Train, IDataView Validation, IDataView Test) Load(MLContext mlContext)
    {
        var all = mlContext.Data.LoadFromTextFile<ModelInput>(Path("digits_train.csv"), separatorChar: ',');
        var test = mlContext.Data.LoadFromTextFile<ModelInput>(Path("digits_test.csv"), separatorChar: ',');
        var split = mlContext.Data.TrainTestSplit(all, testFraction: 0.1, seed: 3);
        return (split.TrainSet, split.TestSet, test);
    }
}
