// Loads a model zip in a fresh process (after the one registration call) and prints what it maps the
// synthetic rows to, through model.Transform and through a PredictionEngine, for the tests to compare.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: LoadCheck <model.zip>");
    return 2;
}
var ml = new MLContext(seed: 1);
ml.ComponentCatalog.RegisterMlNetExtensions();
var model = ml.Model.Load(args[0], out _);
var rows = Enumerable.Range(0, 6).Select(Row.Make).ToArray();
var data = ml.Data.LoadFromEnumerable(rows);
var transformed = model.Transform(data);
foreach (var r in ml.Data.CreateEnumerable<Output>(transformed, reuseRowObject: false, ignoreMissingColumns: true))
    Console.WriteLine("transform " + Format(r));
var engine = ml.Model.CreatePredictionEngine<Row, Output>(model);
foreach (var row in rows)
    Console.WriteLine("engine " + Format(engine.Predict(row)));
return 0;

static string Format(Output o) => string.Join(' ', o.Pixels.Concat(o.Soft).Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

/// <summary>An input row (the same generator as the tests').</summary>
public sealed class Row
{
    public float Label { get; set; }
    [VectorType(64)] public float[] Pixels { get; set; } = Array.Empty<float>();

    public static Row Make(int i) => new()
    {
        Label = i % 3,
        Pixels = Enumerable.Range(0, 64).Select(j => ((i * 7 + j * 13) % 17) / 16f).ToArray(),
    };
}

/// <summary>The mapped columns read back.</summary>
public sealed class Output
{
    [VectorType(64)] public float[] Pixels { get; set; } = Array.Empty<float>();
    [VectorType(3)] public float[] Soft { get; set; } = Array.Empty<float>();
}
