// Loads a saved model in a fresh process and prints its outputs bit-exactly, for the save/load tests.
// Usage: MlNetExtensions.LoadCheck <model.zip> <data.csv> <labelKind: String|Boolean|Single> <column>[,<column>...]
//        MlNetExtensions.LoadCheck --save-loop <model.zip> <target.zip>   (saves until killed)
//        MlNetExtensions.LoadCheck --train-checkpoint <data.csv> <checkpoint> <epochs> <model.zip|-> <mode>   (the checkpoint tests; slow|fast|resume)
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;
using MlNetExtensions.Trainers;

if (args.Length == 3 && args[0] == "--save-loop")
{
    // Loads args[1] and saves it atomically to args[2] over and over until killed (the kill-during-save test).
    var saver = new MLContext(seed: 0);
    saver.ComponentCatalog.RegisterMlNetExtensions();
    var loaded = saver.Model.Load(args[1], out var inputSchema);
    Console.WriteLine("saving");
    Console.Out.Flush();
    while (true) saver.Model.SaveAtomic(loaded, inputSchema, args[2]);
}
if (args.Length == 6 && args[0] == "--train-checkpoint")
{
    // Trains on args[1] with a checkpoint to args[2] every epoch for args[3] epochs, printing "epoch n" after each; "slow"
    // sleeps after each epoch (so the test can kill it mid-training), "fast" does not, "resume" resumes from the checkpoint;
    // the model is saved to args[4] unless it is "-". The options are CheckpointTests.ChildOptions's.
    var trainer = new MLContext(seed: 0);
    trainer.Log += (_, e) => { if (e.RawMessage.StartsWith("Resuming from the checkpoint", StringComparison.Ordinal)) Console.WriteLine(e.RawMessage); };
    int features = File.ReadLines(args[1]).First().Split(',').Length - 1;
    var raw = trainer.Data.LoadFromTextFile(args[1], new[]
    {
        new TextLoader.Column("Label", DataKind.String, 0),
        new TextLoader.Column("Features", DataKind.Single, 1, features),
    }, separatorChar: ',', hasHeader: false);
    var keyed = trainer.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
    bool slow = args[5] == "slow", resume = args[5] == "resume";
    var options = new MlpMulticlassTrainer.Options
    {
        HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = int.Parse(args[3], CultureInfo.InvariantCulture), Seed = 11, HiddenDropoutRate = 0.2f, BatchSize = 16,
        CheckpointPath = args[2], CheckpointEveryEpochs = 1, ResumeFromCheckpoint = resume ? args[2] : null,
        Progress = new EpochPrinter(slow),
    };
    var trained = trainer.MulticlassClassification.Trainers.Mlp(options).Fit(keyed);
    if (args[4] != "-") trainer.Model.SaveAtomic(trained, keyed.Schema, args[4]);
    return 0;
}
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: MlNetExtensions.LoadCheck <model.zip> <data.csv> <labelKind> <columns>");
    return 2;
}
var ml = new MLContext(seed: 0);
if (Environment.GetEnvironmentVariable("LOADCHECK_NO_REGISTER") != "1")
    ml.ComponentCatalog.RegisterMlNetExtensions();
try
{
    var model = ml.Model.Load(args[0], out _);
    int n = File.ReadLines(args[1]).First().Split(',').Length - 1;
    var kind = Enum.Parse<DataKind>(args[2]);
    var data = ml.Data.LoadFromTextFile(args[1], new[]
    {
        new TextLoader.Column("Label", kind, 0),
        new TextLoader.Column("Features", DataKind.Single, 1, n),
    }, separatorChar: ',');
    var scored = model.Transform(data);
    foreach (var line in ScoredOutput.Lines(scored, args[3].Split(','))) Console.WriteLine(line);
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"LOAD FAILED: {e.GetType().Name}: {e.Message}");
    return 1;
}

/// <summary>Prints "epoch n" after every epoch (flushed at once), sleeping 100 ms after each when slow.</summary>
internal sealed class EpochPrinter(bool slow) : IProgress<EpochRecord>
{
    public void Report(EpochRecord value)
    {
        Console.WriteLine($"epoch {value.Epoch}");
        Console.Out.Flush();
        if (slow) Thread.Sleep(100);
    }
}
