// Image augmentation: writes a preview grid (PNG) of every operation and of a composed policy on the colour photos
// in data/images, then shows the training-only scope: the view a pipeline is fitted on is augmented afresh on every
// pass, while model.Transform, a PredictionEngine and a reloaded model see the original pixels.
//   dotnet run -c Release --project samples/ImageAugmentation [-- --out <folder>]
using ImageAugmentation;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;
using MlNetExtensions.Transforms;

int outIndex = Array.IndexOf(args, "--out");
var outDir = Path.GetFullPath(outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(Environment.CurrentDirectory, "out", "augmentation-previews"));
Directory.CreateDirectory(outDir);
var imageDir = Path.Combine(AppContext.BaseDirectory, "images");
var flower = Path.Combine(imageDir, "flower.jpg");
var china = Path.Combine(imageDir, "china.jpg");

// 1. Preview grids: 8 draws per operation, then 12 draws of the composed policy on each photo.
Console.WriteLine($"Preview grids in {outDir}:");
foreach (var (name, operation) in AugmentationModel.Operations)
{
    var path = Path.Combine(outDir, $"{name}.png");
    AugmentationPreview.WriteGrid(flower, new[] { operation }, path, count: 8, columns: 4, seed: 1);
    Console.WriteLine($"  {Path.GetFileName(path)}");
}
foreach (var photo in new[] { flower, china })
{
    var path = Path.Combine(outDir, $"policy-{Path.GetFileNameWithoutExtension(photo)}.png");
    AugmentationPreview.WriteGrid(photo, AugmentationModel.Policy, path, count: 12, columns: 4, seed: 42);
    Console.WriteLine($"  {Path.GetFileName(path)}");
}

// 2. Training-only scope.
var mlContext = new MLContext(seed: 1);
var data = mlContext.Data.LoadFromEnumerable(new[] { new ModelInput { ImagePath = "flower.jpg" }, new ModelInput { ImagePath = "china.jpg" } });
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
Console.WriteLine("Training-only scope (mean absolute pixel difference from the un-augmented pipeline, 0–255 scale):");
Console.WriteLine($"  training view, pass 1:              {MeanAbsDiff(pass1, reference),8:F3}");
Console.WriteLine($"  training view, pass 2:              {MeanAbsDiff(pass2, reference),8:F3}   (pass 1 vs 2: {MeanAbsDiff(pass1, pass2):F3}, fresh draws)");
Console.WriteLine($"  model.Transform(data):              {MeanAbsDiff(Pixels(model.Transform(data)), reference),8:F3}");

var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
var engineDiff = new[] { "flower.jpg", "china.jpg" }
    .Select((p, i) => MeanAbsDiff(new[] { engine.Predict(new ModelInput { ImagePath = p }).Pixels }, new[] { reference[i] })).Average();
Console.WriteLine($"  PredictionEngine:                   {engineDiff,8:F3}");

var modelPath = Path.Combine(outDir, "augmentation-pipeline.zip");
mlContext.Model.SaveAtomic(model, data.Schema, modelPath);
var fresh = new MLContext();
fresh.ComponentCatalog.RegisterMlNetExtensions();   // the one call before Load
var reloaded = fresh.Model.Load(modelPath, out _);
Console.WriteLine($"  reloaded model, Transform(data):    {MeanAbsDiff(Pixels(reloaded.Transform(data)), reference),8:F3}");
Console.WriteLine("Zero everywhere except the training view: augmentation never reaches evaluation or serving.");

static float[][] Pixels(IDataView view) =>
    view.GetColumn<VBuffer<float>>("Pixels").Select(v => v.DenseValues().ToArray()).ToArray();

static double MeanAbsDiff(float[][] a, float[][] b) =>
    a.Zip(b).SelectMany(p => p.First.Zip(p.Second, (x, y) => (double)Math.Abs(x - y))).Average();
