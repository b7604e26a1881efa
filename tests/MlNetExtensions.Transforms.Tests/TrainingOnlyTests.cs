using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Transforms.Tests;

/// <summary>
/// The transforms act in training only: never in model.Transform on other data, a PredictionEngine or a reloaded
/// model, with or without TransformerScope.Training; and each training pass draws afresh, reproducibly.
/// </summary>
public class TrainingOnlyTests
{
    private static readonly AugmentationOperation[] Ops =
    {
        new Affine { Probability = 1, RotationDegrees = FloatRange.Symmetric(20) },
        new GaussianNoise { Probability = 1, StandardDeviation = 0.1f },
    };

    internal static IEstimator<ITransformer> Pipeline(MLContext ml, bool trainingScope)
    {
        var scope = trainingScope ? TransformerScope.Training : TransformerScope.Everything;
        return ml.Transforms.AugmentImages("Pixels", Ops, pixelMaximum: 1f, seed: 5)
            .Append(ml.Transforms.InjectNoise("Pixels", standardDeviation: 0.2f, seed: 6), scope)
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.Transforms.SmoothLabels("Soft", "Label", epsilon: 0.2f), scope);
    }

    private static void AssertPassThrough(Row input, Output output)
    {
        Assert.Equal(input.Pixels, output.Pixels);
        if (output.Soft.Length == 0) return; // model.Transform drops training-scoped steps: no Soft column at all
        var expected = new float[3];
        expected[(int)input.Label] = 1f;
        Assert.Equal(expected, output.Soft);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ModelTransformOnTestDataPassesThrough(bool trainingScope)
    {
        var ml = new MLContext(1);
        var model = Pipeline(ml, trainingScope).Fit(TestData.View(ml, 30));
        var test = TestData.Rows(6, 100);
        var transformed = model.Transform(ml.Data.LoadFromEnumerable(test));
        Assert.Equal(!trainingScope, transformed.Schema.GetColumnOrNull("Soft").HasValue);
        var outputs = ml.Data.CreateEnumerable<Output>(transformed, false, ignoreMissingColumns: true).ToArray();
        for (int i = 0; i < test.Length; i++) AssertPassThrough(test[i], outputs[i]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PredictionEnginePassesThrough(bool trainingScope)
    {
        var ml = new MLContext(1);
        var model = Pipeline(ml, trainingScope).Fit(TestData.View(ml, 30));
        var engine = ml.Model.CreatePredictionEngine<Row, Output>(model);
        foreach (var row in TestData.Rows(6, 100)) AssertPassThrough(row, engine.Predict(row));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ModelLoadedInANewProcessPassesThrough(bool trainingScope)
    {
        var ml = new MLContext(1);
        var train = TestData.View(ml, 30);
        var model = Pipeline(ml, trainingScope).Fit(train);
        var path = Path.Combine(Path.GetTempPath(), $"mlx-transforms-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var lines = RunLoadCheck(path);
            var rows = TestData.Rows(6);
            Assert.Equal(12, lines.Length);
            for (int i = 0; i < 6; i++)
            {
                foreach (var line in new[] { lines[i], lines[6 + i] })
                {
                    var parts = line.Split(' ');
                    var values = parts.Skip(1).Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                    AssertPassThrough(rows[i], new Output { Pixels = values[..64], Soft = values[64..] });
                }
            }
            Assert.StartsWith("transform", lines[0]);
            Assert.StartsWith("engine", lines[6]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string[] RunLoadCheck(string modelPath)
    {
        // The helper is built next to this project: tests/<helper>/bin/<configuration>/<tfm>/.
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
        string tfm = baseDir.Name, configuration = baseDir.Parent!.Name;
        var testsDir = baseDir.Parent!.Parent!.Parent!.Parent!.FullName;
        const string name = "MlNetExtensions.Transforms.Tests.LoadCheck";
        var dll = Path.Combine(testsDir, name, "bin", configuration, tfm, name + ".dll");
        Assert.True(File.Exists(dll), $"LoadCheck helper not found at {dll}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(modelPath);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(120_000), "LoadCheck timed out");
        Assert.True(process.ExitCode == 0, $"LoadCheck failed ({process.ExitCode}): {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [Fact]
    public void TheFittedViewIsAugmentedAndTheNextEstimatorSeesIt()
    {
        var ml = new MLContext(1);
        var train = TestData.View(ml, 20);
        var recorder = new RecordingEstimator("Pixels");
        var model = ml.Transforms.AugmentImages("Pixels", Ops, pixelMaximum: 1f).Append(recorder).Fit(train);
        var original = TestData.ReadVectors(train, "Pixels");
        Assert.NotNull(recorder.Seen);
        Assert.NotEqual(original, recorder.Seen!); // the chain's Fit handed the augmented view downstream
        // Scoring other data (here: the same rows in a new view) passes through.
        Assert.Equal(original, TestData.ReadVectors(model.Transform(TestData.View(ml, 20)), "Pixels"));
    }

    [Fact]
    public void NestedChainsStillHandTheAugmentedViewToTheNextEstimator()
    {
        var ml = new MLContext(1);
        var train = TestData.View(ml, 20);
        var recorder = new RecordingEstimator("Pixels");
        // Appending to an IEstimator<ITransformer> variable nests the chains: the outer Fit transforms the fitted view again.
        IEstimator<ITransformer> pipeline = ml.Transforms.AugmentImages("Pixels", Ops, pixelMaximum: 1f);
        pipeline = pipeline.Append(ml.Transforms.CopyColumns("Copy", "Pixels"));
        pipeline.Append(recorder).Fit(train);
        Assert.NotNull(recorder.Seen);
        Assert.NotEqual(TestData.ReadVectors(train, "Pixels"), recorder.Seen!);
    }

    [Fact]
    public void NestedChainsWithTheAugmenterAfterAnotherStep_StillAugment_AndASplitsTestPartPassesThrough()
    {
        var ml = new MLContext(1);
        var all = TestData.View(ml, 40);
        var split = ml.Data.TrainTestSplit(all, testFraction: 0.25, seed: 1);
        var recorder = new RecordingEstimator("Pixels");
        // The augmenter is the second step of the inner chain: the outer Fit re-creates the view in front of it.
        IEstimator<ITransformer> pipeline = ml.Transforms.CopyColumns("Copy", "Pixels");
        pipeline = pipeline.Append(ml.Transforms.AugmentImages("Pixels", Ops, pixelMaximum: 1f));
        var model = pipeline.Append(recorder).Fit(split.TrainSet);
        Assert.NotNull(recorder.Seen);
        Assert.NotEqual(TestData.ReadVectors(split.TrainSet, "Pixels"), recorder.Seen!);
        // The other part of the split shares the loader but not the training rows: scored unchanged.
        Assert.Equal(TestData.ReadVectors(split.TestSet, "Pixels"), TestData.ReadVectors(model.Transform(split.TestSet), "Pixels"));
    }

    [Fact]
    public void EachPassDrawsAfreshAndPassesAreReproducible()
    {
        var ml = new MLContext(1);
        var data = TestData.View(ml, 10);
        var transformer = ml.Transforms.AugmentImages("Pixels", Ops, pixelMaximum: 1f, seed: 3).Fit(data);
        var view = transformer.Transform(data); // the fitted view: augmented
        Assert.Equal(TestData.ReadVectors(data, "Pixels"), TestData.ReadVectors(transformer.Transform(TestData.View(ml, 10)), "Pixels")); // other views pass through
        var pass0 = TestData.ReadVectors(view, "Pixels");
        var pass1 = TestData.ReadVectors(view, "Pixels");
        Assert.NotEqual(pass0, pass1);
        for (int i = 0; i < pass0.Length; i++) Assert.NotEqual(pass0[i], pass1[i]);

        // Another training view of the same data replays pass 0, then pass 1; a cursor set is one cursor.
        var again = transformer.TransformForTraining(data);
        var col = again.Schema["Pixels"];
        var set = again.GetRowCursorSet(new[] { col }, 4);
        Assert.Single(set);
        set[0].Dispose();
        Assert.Equal(pass1, TestData.ReadVectors(again, "Pixels"));
        var other = transformer.TransformForTraining(data);
        Assert.Equal(pass0, TestData.ReadVectors(other, "Pixels"));

        // Another view of the same rows (not the fitted instance) passes through.
        Assert.Equal(TestData.ReadVectors(data, "Pixels"), TestData.ReadVectors(transformer.Transform(ml.Data.LoadFromEnumerable(TestData.Rows(10))), "Pixels"));
    }

    [Fact]
    public void DrawsDependOnTheSeed()
    {
        var ml = new MLContext(1);
        var data = TestData.View(ml, 5);
        var a = TestData.ReadVectors(ml.Transforms.AugmentImages("Pixels", Ops, pixelMaximum: 1f, seed: 1).Fit(data).TransformForTraining(data), "Pixels");
        var b = TestData.ReadVectors(ml.Transforms.AugmentImages("Pixels", Ops, pixelMaximum: 1f, seed: 2).Fit(data).TransformForTraining(data), "Pixels");
        var a2 = TestData.ReadVectors(ml.Transforms.AugmentImages("Pixels", Ops, pixelMaximum: 1f, seed: 1).Fit(data).TransformForTraining(data), "Pixels");
        Assert.NotEqual(a, b);
        Assert.Equal(a, a2);
    }

    [Fact]
    public void SavedAndLoadedInProcessKeepsSettings()
    {
        var ml = new MLContext(1);
        ml.ComponentCatalog.RegisterMlNetExtensions();
        var data = TestData.View(ml, 10);
        var model = Pipeline(ml, false).Fit(data);
        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loaded = (TransformerChain<ITransformer>)ml.Model.Load(stream, out _);
        var aug = loaded.OfType<ImageAugmentationTransformer>().Single();
        Assert.Equal(5, aug.Seed);
        Assert.Equal(2, aug.Operations.Count);
        Assert.Equal(FloatRange.Symmetric(20), ((Affine)aug.Operations[0]).RotationDegrees);
        Assert.Equal(0.1f, ((GaussianNoise)aug.Operations[1]).StandardDeviation);
        var noise = loaded.OfType<NoiseInjectionTransformer>().Single();
        Assert.Equal(0.2f, noise.StandardDeviation);
        Assert.Equal(6, noise.Seed);
        var smooth = loaded.OfType<LabelSmoothingTransformer>().Single();
        Assert.Equal(0.2f, smooth.Epsilon);
        // The loaded transformer's training view draws exactly like the original's.
        var original = ((IEnumerable<ITransformer>)model).OfType<ImageAugmentationTransformer>().Single();
        Assert.Equal(TestData.ReadVectors(original.TransformForTraining(data), "Pixels"), TestData.ReadVectors(aug.TransformForTraining(data), "Pixels"));
    }

    /// <summary>An estimator that records the values of a column of the data it is fitted on.</summary>
    private sealed class RecordingEstimator : IEstimator<ITransformer>
    {
        private readonly string _column;
        public RecordingEstimator(string column) => _column = column;
        public float[][]? Seen { get; private set; }

        public ITransformer Fit(IDataView input)
        {
            Seen = TestData.ReadVectors(input, _column);
            return new MLContext().Transforms.CopyColumns("Copy", _column).Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => new MLContext().Transforms.CopyColumns("Copy", _column).GetOutputSchema(inputSchema);
    }
}
