// Loads a saved model in a fresh process and prints its outputs bit-exactly, for the save/load tests.
// Usage: MlNetExtensions.LoadCheck <model.zip> <data.csv> <labelKind: String|Boolean|Single> <column>[,<column>...]
//        MlNetExtensions.LoadCheck --save-loop <model.zip> <target.zip>   (saves until killed)
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;

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
