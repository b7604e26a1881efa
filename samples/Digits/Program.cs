// The main sample: trains an MLP on the digits data shipped in the repository, prints per-epoch progress,
// the test metrics and the confusion matrix, saves the model, then reloads it and predicts a few digits.
using Digits;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;
using MlNetExtensions.Trainers;

var dataDir = Path.Combine(AppContext.BaseDirectory, "data");
var mlContext = new MLContext(seed: 1);
var train = mlContext.Data.LoadFromTextFile<ModelInput>(Path.Combine(dataDir, "digits_train.csv"), separatorChar: ',');
var test = mlContext.Data.LoadFromTextFile<ModelInput>(Path.Combine(dataDir, "digits_test.csv"), separatorChar: ',');

Console.WriteLine("Training a 64-256-128-10 MLP (Adam, batch norm, dropout, early stopping) on 1,437 digits...");
var model = DigitsModel.Train(mlContext, train, new SynchronousProgress(r => Console.WriteLine("  " + r)));

var mlp = ((IEnumerable<ITransformer>)model).OfType<MlpMulticlassPredictionTransformer>().Single();
Console.WriteLine(mlp.Model.History.StopMessage);

var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test), labelColumnName: "LabelKey");
Console.WriteLine($"Test micro-accuracy: {metrics.MicroAccuracy:F4}   macro-accuracy: {metrics.MacroAccuracy:F4}   log-loss: {metrics.LogLoss:F4}");
Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

var modelPath = Path.Combine(Environment.CurrentDirectory, "digits-mlp.zip");
mlContext.Model.SaveAtomic(model, train.Schema, modelPath);
Console.WriteLine($"Saved the model to {modelPath}");

foreach (var row in mlContext.Data.CreateEnumerable<ModelInput>(test, reuseRowObject: false).Take(5))
{
    var prediction = DigitsModel.Predict(modelPath, row);
    Console.WriteLine($"  actual {row.Label}  predicted {prediction.PredictedLabel}  (p = {prediction.Score.Max():F3})");
}

/// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool and print out of order).</summary>
sealed class SynchronousProgress(Action<EpochRecord> report) : IProgress<EpochRecord>
{
    public void Report(EpochRecord value) => report(value);
}
