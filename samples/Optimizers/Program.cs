// Optimizers tour: the same 64-128-10 network on the digits data, trained with every update rule of the lecture
// (SGD, momentum, Nesterov, AdaGrad, RMSProp, RMSProp+Nesterov, Adam, AdamW) and with learning-rate schedules, from
// the same initial weights and batch order. Writes a chart of the training-loss curves (four panels of related rules)
// and prints a table.
//   dotnet run -c Release --project samples/Optimizers [-- --out <folder>]   (default: ./out)
using Digits;
using Microsoft.ML;
using MlNetExtensions.Samples;
using Optimizers;

int outIndex = Array.IndexOf(args, "--out");
var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(Environment.CurrentDirectory, "out");   // out/ is git-ignored
Directory.CreateDirectory(outDir);

var dataDir = Path.Combine(AppContext.BaseDirectory, "data");
var mlContext = new MLContext(seed: 1);
var all = mlContext.Data.LoadFromTextFile<ModelInput>(Path.Combine(dataDir, "digits_train.csv"), separatorChar: ',');
var test = mlContext.Data.LoadFromTextFile<ModelInput>(Path.Combine(dataDir, "digits_test.csv"), separatorChar: ',');
var split = mlContext.Data.TrainTestSplit(all, testFraction: 0.1, seed: 3);

var losses = new Dictionary<string, IReadOnlyList<double>>();
var rows = new List<string[]>();
foreach (var run in OptimizerRun.Tour)
{
    var model = SampleConsole.Train($"{run.Name} (ε0 = {run.LearningRate})", OptimizersModel.Epochs,
        progress => OptimizersModel.Train(mlContext, run, split.TrainSet, split.TestSet, progress), verbose: false);
    var history = OptimizersModel.History(model);
    var epochs = history.Epochs.Where(e => e.Phase == "train").ToList();
    var metrics = OptimizersModel.Evaluate(mlContext, model, test);
    var last = epochs[^1];
    Console.WriteLine($"  {run.Name}: final training loss {last.TrainingLoss:F4}, test accuracy {metrics.MicroAccuracy:F4}");
    losses[run.Name] = epochs.Select(e => e.TrainingLoss).ToList();
    rows.Add(new[]
    {
        run.Name, run.LearningRate.ToString("0.####"), run.Schedule.ToString(),
        epochs[4].TrainingLoss.ToString("F4"), last.TrainingLoss.ToString("F4"), (last.ValidationLoss ?? double.NaN).ToString("F4"),
        $"epoch {history.BestEpoch}", metrics.MicroAccuracy.ToString("F4"), $"{last.Elapsed.TotalSeconds:F2}s",
    });
}

var chartPath = Path.Combine(outDir, "optimizers-loss-curves.png");
var coinciding = OptimizersChart.NearlyCoinciding(losses).Select(p => $"{p.A} and {p.B}").ToList();
LineChart.Write(chartPath, "Same network, different optimizers (digits, 64-128-10): training loss per epoch",
    OptimizersChart.Panels(losses), columns: 2, width: 1400, height: 940, notes: new[]
    {
        "All panels share one log y range. Legends give each rule's loss after the last epoch." +
        (coinciding.Count > 0 ? $" Nearly the same curves ({string.Join("; ", coinciding)}): told apart by dash pattern and markers on different epochs." : ""),
    });
Console.WriteLine();
SampleConsole.WriteTable(
    new[] { "optimizer", "ε0", "schedule", "loss @5", "loss @25", "val loss", "best val", "test acc", "time" }, rows);
Console.WriteLine($"Wrote the loss curves to {chartPath}");
Console.WriteLine("The test accuracy is of the epoch with the lowest validation loss (its weights are restored).");
