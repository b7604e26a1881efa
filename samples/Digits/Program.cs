// The main sample: trains an MLP with online augmentation on the digits data shipped in the repository, prints
// per-epoch progress, the test metrics and the confusion matrix, writes a learning-curve PNG, saves the model, then
// reloads it in a fresh MLContext and predicts a few digits.
//   dotnet run -c Release --project samples/Digits [-- --no-augmentation] [--out <folder>]   (default: ./out)
using Digits;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Samples;

bool augment = !args.Contains("--no-augmentation");
int outIndex = Array.IndexOf(args, "--out");
var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(Environment.CurrentDirectory, "out");   // out/ is git-ignored
Directory.CreateDirectory(outDir);

var dataDir = Path.Combine(AppContext.BaseDirectory, "data");
var mlContext = new MLContext(seed: 1);
var all = mlContext.Data.LoadFromTextFile<ModelInput>(Path.Combine(dataDir, "digits_train.csv"), separatorChar: ',');
var test = mlContext.Data.LoadFromTextFile<ModelInput>(Path.Combine(dataDir, "digits_test.csv"), separatorChar: ',');
// 10% of the training file for early stopping; the test file is only looked at once, at the end.
var split = mlContext.Data.TrainTestSplit(all, testFraction: 0.1, seed: 3);

var title = $"64-256-128-10 MLP (Adam, batch norm, dropout, early stopping{(augment ? ", augmentation" : "")})";
var started = DateTime.UtcNow;
var model = SampleConsole.Train(title, DigitsModel.MaxEpochs,
    progress => DigitsModel.Train(mlContext, split.TrainSet, split.TestSet, progress, augment), metricName: LearningCurve.MetricName);
var trainingSeconds = (DateTime.UtcNow - started).TotalSeconds;
var history = DigitsModel.Mlp(model).Model.History;
Console.WriteLine($"{history.StopMessage} Training took {trainingSeconds:F1} s.");
var keptEpoch = history.Epochs.Where(e => e.Phase == "train").ElementAt(history.BestEpoch - 1);
Console.WriteLine($"Kept epoch {history.BestEpoch}: validation loss {keptEpoch.ValidationLoss:F4}, {LearningCurve.MetricName} {keptEpoch.ValidationMetric:F4} ({split.TestSet.GetColumn<string>("Label").Count()} rows held out of the training file, never augmented).");

var metrics = DigitsModel.Evaluate(mlContext, model, test);
Console.WriteLine($"Test micro-accuracy: {metrics.MicroAccuracy:F4}   macro-accuracy: {metrics.MacroAccuracy:F4}   log-loss: {metrics.LogLoss:F4}");
Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

// Learning curve: loss (training and validation) and validation micro-accuracy, per epoch.
var chartPath = Path.Combine(outDir, "digits-learning-curve.png");
LearningCurve.Write(chartPath, history, $"Digits MLP: learning curve{(augment ? " (with augmentation)" : " (no augmentation)")}");
Console.WriteLine($"Wrote the learning curve to {chartPath}");

var modelPath = Path.Combine(outDir, "digits-mlp.zip");
DigitsModel.Save(mlContext, model, all.Schema, modelPath);
Console.WriteLine($"Saved the model to {modelPath}");

var rows = mlContext.Data.CreateEnumerable<ModelInput>(test, reuseRowObject: false).Take(8).ToList();
var predictions = DigitsModel.Predict(modelPath, rows);
Console.WriteLine("Reloaded the model and predicted:");
foreach (var (row, prediction) in rows.Zip(predictions))
    Console.WriteLine($"  actual {row.Label}  predicted {prediction.PredictedLabel}  (p = {prediction.Score.Max():F3})");
