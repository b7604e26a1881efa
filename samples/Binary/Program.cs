// Binary classification on the Wisconsin breast-cancer data: the MLP against ML.NET's SdcaLogisticRegression and
// LightGbm on the same split, then a table of AUC / accuracy / F1 / training time. The MLP is saved, reloaded, used.
//   dotnet run -c Release --project samples/Binary [-- --out <folder>]   (default: ./out)
using Binary;
using Microsoft.ML;
using MlNetExtensions.Samples;

int outIndex = Array.IndexOf(args, "--out");
var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(Environment.CurrentDirectory, "out");   // out/ is git-ignored
Directory.CreateDirectory(outDir);

var dataDir = Path.Combine(AppContext.BaseDirectory, "data");
var mlContext = new MLContext(seed: 1);
var train = mlContext.Data.LoadFromTextFile<ModelInput>(Path.Combine(dataDir, "breast_cancer_train.csv"), separatorChar: ',');
var test = mlContext.Data.LoadFromTextFile<ModelInput>(Path.Combine(dataDir, "breast_cancer_test.csv"), separatorChar: ',');

var rows = new List<string[]>();
ITransformer? mlp = null;
foreach (var name in BinaryModel.Trainers)
{
    var (model, elapsed) = name == "MLP"
        ? SampleConsole.Train("MLP 30-32-1 (Adam, dropout, early stopping)", 200,
            progress => BinaryModel.Train(mlContext, name, train, progress), verbose: false)
        : BinaryModel.Train(mlContext, name, train);
    if (name == "MLP") mlp = model;
    var m = BinaryModel.Evaluate(mlContext, model, test);
    Console.WriteLine($"{name}: AUC {m.AreaUnderRocCurve:F4}, accuracy {m.Accuracy:F4}, F1 {m.F1Score:F4} ({elapsed.TotalSeconds:F2} s)");
    rows.Add(new[]
    {
        name, m.AreaUnderRocCurve.ToString("F4"), m.Accuracy.ToString("F4"), m.F1Score.ToString("F4"),
        m.PositivePrecision.ToString("F4"), m.PositiveRecall.ToString("F4"), $"{elapsed.TotalSeconds:F2}s",
    });
}

Console.WriteLine();
Console.WriteLine($"Test set: {test.GetRowCount() ?? 114} cases; positive class = malignant");
SampleConsole.WriteTable(new[] { "trainer", "AUC", "accuracy", "F1", "precision", "recall", "train time" }, rows);
Console.WriteLine("(Training time includes the first-call JIT of each trainer; small data, so the numbers move by a case or two.)");

var modelPath = Path.Combine(outDir, "breast-cancer-mlp.zip");
BinaryModel.Save(mlContext, mlp!, train.Schema, modelPath);
Console.WriteLine($"Saved the MLP to {modelPath}");
var sample = mlContext.Data.CreateEnumerable<ModelInput>(test, reuseRowObject: false).Take(5).ToList();
Console.WriteLine("Reloaded the MLP and predicted:");
foreach (var (row, p) in sample.Zip(BinaryModel.Predict(modelPath, sample)))
    Console.WriteLine($"  actual {(row.Diagnosis == 0 ? "malignant" : "benign   ")}  predicted {(p.Malignant ? "malignant" : "benign   ")}  (P(malignant) = {p.Probability:F3})");
