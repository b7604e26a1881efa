// Regression on the diabetes data (raw, unscaled columns): an MLP with normalization in the pipeline against ML.NET's
// Sdca and FastTree, R² / RMSE / MAE on the test file. The MLP is saved, reloaded and used.
//   dotnet run -c Release --project samples/Regression [-- --out <folder>]   (default: ./out)
using Microsoft.ML;
using MlNetExtensions.Samples;
using Regression;

int outIndex = Array.IndexOf(args, "--out");
var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(Environment.CurrentDirectory, "out");   // out/ is git-ignored
Directory.CreateDirectory(outDir);

var dataDir = Path.Combine(AppContext.BaseDirectory, "data");
var mlContext = new MLContext(seed: 1);
var train = mlContext.Data.LoadFromTextFile<ModelInput>(Path.Combine(dataDir, "diabetes_train.csv"), separatorChar: ',');
var test = mlContext.Data.LoadFromTextFile<ModelInput>(Path.Combine(dataDir, "diabetes_test.csv"), separatorChar: ',');

var rows = new List<string[]>();
ITransformer? mlp = null;
foreach (var name in RegressionModel.Trainers)
{
    var (model, elapsed) = name == "MLP"
        ? SampleConsole.Train("MLP 10-16-1 (normalized inputs, Adam, L2, early stopping)", 300,
            progress => RegressionModel.Train(mlContext, name, train, progress), verbose: false)
        : RegressionModel.Train(mlContext, name, train);
    if (name == "MLP") mlp = model;
    var m = RegressionModel.Evaluate(mlContext, model, test);
    Console.WriteLine($"{name}: R² {m.RSquared:F4}, RMSE {m.RootMeanSquaredError:F2} ({elapsed.TotalSeconds:F2} s)");
    rows.Add(new[] { name, m.RSquared.ToString("F4"), m.RootMeanSquaredError.ToString("F2"), m.MeanAbsoluteError.ToString("F2"), $"{elapsed.TotalSeconds:F2}s" });
}

Console.WriteLine();
Console.WriteLine("Test set: 89 patients; target = disease progression after one year (25 … 346)");
SampleConsole.WriteTable(new[] { "trainer", "R²", "RMSE", "MAE", "train time" }, rows);

var modelPath = Path.Combine(outDir, "diabetes-mlp.zip");
RegressionModel.Save(mlContext, mlp!, train.Schema, modelPath);
Console.WriteLine($"Saved the MLP to {modelPath}");
var sample = mlContext.Data.CreateEnumerable<ModelInput>(test, reuseRowObject: false).Take(5).ToList();
Console.WriteLine("Reloaded the MLP and predicted:");
foreach (var (row, p) in sample.Zip(RegressionModel.Predict(modelPath, sample)))
    Console.WriteLine($"  actual {row.Label,5:F0}  predicted {p.Progression,6:F1}");
