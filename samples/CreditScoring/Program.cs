// A mixed-type CSV (credit scoring: 4 categorical columns, 9 numeric ones, missing values) in the pipeline a LightGbm or
// FastTree user already has, with the Mlp's defaults swapped in: no normalizer, no imputation, NaN left in.
//   dotnet run -c Release --project samples/CreditScoring [-- --out <folder>]   (default: ./out)
using CreditScoring;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Samples;

int outIndex = Array.IndexOf(args, "--out");
var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(Environment.CurrentDirectory, "out");   // out/ is git-ignored
Directory.CreateDirectory(outDir);

var dataDir = Path.Combine(AppContext.BaseDirectory, "data");
var trainPath = Path.Combine(dataDir, "credit_train.csv");
var mlContext = new MLContext(seed: 1);
var train = CreditModel.Load(mlContext, trainPath);
var test = CreditModel.Load(mlContext, Path.Combine(dataDir, "credit_test.csv"));

// What MissingRealsAsNaNs changes: the same column read both ways.
var asZero = CreditModel.Load(mlContext, trainPath, missingRealsAsNaNs: false);
Console.WriteLine("Missing values in the training rows (empty fields):");
foreach (var column in new[] { nameof(ModelInput.Income), nameof(ModelInput.Assets), nameof(ModelInput.Debt) })
{
    int nan = train.GetColumn<float>(column).Count(float.IsNaN);
    int zerosWithNaN = train.GetColumn<float>(column).Count(v => v == 0);
    int zerosWithout = asZero.GetColumn<float>(column).Count(v => v == 0);
    Console.WriteLine($"  {column}: {nan} empty fields read as NaN; without MissingRealsAsNaNs they read as 0 ({zerosWithout} zeros instead of {zerosWithNaN})");
}
Console.WriteLine();

var rows = new List<string[]>();
ITransformer? mlp = null;
foreach (var name in CreditModel.Trainers)
{
    var (model, elapsed) = CreditModel.Train(mlContext, name, train);
    if (name == "Mlp") mlp = model;
    var m = CreditModel.Evaluate(mlContext, model, test);
    Console.WriteLine($"{name}: AUC {m.AreaUnderRocCurve:F4}, accuracy {m.Accuracy:F4}, F1 {m.F1Score:F4} ({elapsed.TotalSeconds:F2} s)");
    rows.Add(new[]
    {
        name + "()", m.AreaUnderRocCurve.ToString("F4"), m.Accuracy.ToString("F4"), m.F1Score.ToString("F4"),
        m.PositivePrecision.ToString("F4"), m.PositiveRecall.ToString("F4"), $"{elapsed.TotalSeconds:F2}s",
    });
}

Console.WriteLine();
Console.WriteLine($"Test set: {test.GetRowCount() ?? 891} applications; positive class = the loan went bad; every trainer at its defaults");
SampleConsole.WriteTable(new[] { "trainer", "AUC", "accuracy", "F1", "precision", "recall", "train time" }, rows);
Console.WriteLine("(Training time includes each trainer's first-call JIT.)");

var modelPath = Path.Combine(outDir, "credit-mlp.zip");
CreditModel.Save(mlContext, mlp!, train.Schema, modelPath);
Console.WriteLine($"Saved the Mlp to {modelPath}");
var sample = mlContext.Data.CreateEnumerable<ModelInput>(test, reuseRowObject: false).Take(4).ToList();
sample.Add(new ModelInput { Seniority = 2, Home = "rent", Time = 60, Age = 30, Marital = "single", Records = "no", Job = "",
    Expenses = 45, Income = float.NaN, Assets = float.NaN, Debt = float.NaN, Amount = 1000, Price = 1300 });   // missing job, income, assets, debt
Console.WriteLine("Reloaded the Mlp and predicted (the last application is made up, with four values missing):");
foreach (var (row, p) in sample.Zip(CreditModel.Predict(modelPath, sample)))
    Console.WriteLine($"  income {(float.IsNaN(row.Income) ? "missing" : row.Income.ToString("F0")),7}  actual {(sample.IndexOf(row) == sample.Count - 1 ? "?   " : row.Label ? "bad " : "good")}  predicted {(p.Bad ? "bad " : "good")}  (P(bad) = {p.Probability:F3})");
