// Image augmentation: writes captioned preview grids (PNG) of every operation and of a composed policy on the colour
// photos in data/images, then shows the training-only scope: the view a pipeline is fitted on is augmented afresh on
// every pass, while scoring data (model.Transform on new data, a PredictionEngine, a reloaded model) comes out
// bit for bit as the un-augmented pipeline makes it.
//   dotnet run -c Release --project samples/ImageAugmentation [-- --out <folder>]
using ImageAugmentation;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;
using MlNetExtensions.Samples;
using MlNetExtensions.Transforms;

int outIndex = Array.IndexOf(args, "--out");
var outDir = Path.GetFullPath(outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(Environment.CurrentDirectory, "out", "augmentation-previews"));
Directory.CreateDirectory(outDir);
var imageDir = Path.Combine(AppContext.BaseDirectory, "images");
var mlContext = new MLContext(seed: 1);

// 1. Preview grids: the original and 8 draws per operation and for the policy on each photo, plus an overview.
Console.WriteLine($"Preview grids in {outDir}:");
foreach (var (path, layout) in PreviewGrids.WriteAll(mlContext, imageDir, outDir))
    Console.WriteLine($"  {Path.GetFileName(path),-22} {layout.Width} × {layout.Height}, {layout.Pictures.Count} tiles, {new FileInfo(path).Length / 1024.0:F0} KB");
if (SampleFonts.MissingFontNote.Length > 0) Console.WriteLine(SampleFonts.MissingFontNote);

// 2. Training-only scope. Both photos through the pipeline without augmentation: the reference.
var rows = new[] { new ModelInput { ImagePath = "flower.jpg" }, new ModelInput { ImagePath = "china.jpg" } };
var data = mlContext.Data.LoadFromEnumerable(rows);
var reference = Pixels(AugmentationModel.BuildPipeline(mlContext, imageDir, augment: false).Fit(data).Transform(data));

var pipeline = AugmentationModel.BuildPipeline(mlContext, imageDir);
var model = pipeline.Fit(data);   // Fit hands the augmenter the view it was fitted on
var stages = ((IEnumerable<ITransformer>)model).ToArray();
var augmenter = stages.OfType<ImageAugmentationTransformer>().Single();
// The training view of the same rows (what a trainer after the augmenter reads, one pass per cursor):
IDataView trainingView = augmenter.TransformForTraining(stages[0].Transform(data));
foreach (var stage in stages.SkipWhile(s => s != augmenter).Skip(1)) trainingView = stage.Transform(trainingView);
var pass1 = Pixels(trainingView);
var pass2 = Pixels(trainingView);

Console.WriteLine();
Console.WriteLine($"Training-only scope: the Pixels column (2 photos × {reference[0].Length} values, 0–255) against the un-augmented pipeline's.");
Console.WriteLine("Augmented (mean absolute difference):");
Console.WriteLine($"  training view, pass 1:                          {MeanAbsDiff(pass1, reference),7:F3}");
Console.WriteLine($"  training view, pass 2:                          {MeanAbsDiff(pass2, reference),7:F3}   (pass 1 vs 2: {MeanAbsDiff(pass1, pass2):F3}, fresh draws)");
Console.WriteLine($"  model.Transform(data), the view Fit was given:  {MeanAbsDiff(Pixels(model.Transform(data)), reference),7:F3}   (that view is a training view)");

// Scoring data: the same two rows in a new view, one at a time through a PredictionEngine, and through the reloaded model.
var scoringData = mlContext.Data.LoadFromEnumerable(rows);
var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
var modelPath = Path.Combine(outDir, "augmentation-pipeline.zip");
mlContext.Model.SaveAtomic(model, data.Schema, modelPath);
var fresh = new MLContext();
fresh.ComponentCatalog.RegisterMlNetExtensions();   // the one call before Load
var reloaded = fresh.Model.Load(modelPath, out _);

Console.WriteLine("Scoring (each float compared bit for bit with the un-augmented pipeline's):");
var checks = new (string Name, float[][] Pixels)[]
{
    ("model.Transform(new view of the same rows)", Pixels(model.Transform(scoringData))),
    ("PredictionEngine.Predict, row by row", rows.Select(r => engine.Predict(r).Pixels).ToArray()),
    ("reloaded model, Transform(data)", Pixels(reloaded.Transform(data))),
};
foreach (var (name, pixels) in checks)
{
    var (same, total) = BitEqual(pixels, reference);
    Console.WriteLine($"  {name + ":",-47} {(same == total ? "identical" : "DIFFERENT")}, {same} of {total} values bit-equal, max |difference| {MaxAbsDiff(pixels, reference)}");
}
Console.WriteLine(checks.All(c => BitEqual(c.Pixels, reference) is var (s, t) && s == t)
    ? "Augmentation reached only the data the pipeline was fitted on; scoring output equals the un-augmented pipeline's, bit for bit."
    : "Some scoring output differs from the un-augmented pipeline's: augmentation leaked into scoring.");

static float[][] Pixels(IDataView view) =>
    view.GetColumn<VBuffer<float>>("Pixels").Select(v => v.DenseValues().ToArray()).ToArray();

static double MeanAbsDiff(float[][] a, float[][] b) =>
    a.Zip(b).SelectMany(p => p.First.Zip(p.Second, (x, y) => (double)Math.Abs(x - y))).Average();

static float MaxAbsDiff(float[][] a, float[][] b) =>
    a.Zip(b).SelectMany(p => p.First.Zip(p.Second, (x, y) => Math.Abs(x - y))).Max();

static (int Same, int Total) BitEqual(float[][] a, float[][] b)
{
    int same = 0, total = 0;
    for (int r = 0; r < b.Length; r++)
        for (int i = 0; i < b[r].Length; i++, total++)
            if (r < a.Length && i < a[r].Length && BitConverter.SingleToInt32Bits(a[r][i]) == BitConverter.SingleToInt32Bits(b[r][i])) same++;
    return (same, total);
}
