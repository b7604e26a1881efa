using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Onnx;

/// <summary>
/// The exported file through ML.NET's own ONNX tools: scored by <c>ApplyOnnxModel</c> (Microsoft.ML.OnnxTransformer), and
/// what ML.NET's <c>ConvertToOnnx</c> (Microsoft.ML.OnnxConverter) does with a pipeline ending in the Mlp.
/// </summary>
public class MlNetOnnxInteropTests
{
    private static MlpBinaryTrainer.Options Options() => new()
    {
        LabelColumnName = nameof(OnnxTestRows.Row.BinaryLabel), HiddenLayerSizes = new[] { 10 }, NumberOfEpochs = 5, Seed = 2,
        BatchNormalization = true,
    };

    private sealed class OnnxScored
    {
        [VectorType] public float[] Score { get; set; } = Array.Empty<float>();
        [VectorType] public float[] Probability { get; set; } = Array.Empty<float>();
        [VectorType] public bool[] PredictedLabel { get; set; } = Array.Empty<bool>();
    }

    [Fact]
    public void ApplyOnnxModel_ScoresTheExportedFileAsTheMlp()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(OnnxTestRows.Training(200, 41, withNaN: true));
        var model = ml.BinaryClassification.Trainers.Mlp(Options()).Fit(train);
        var test = ml.Data.LoadFromEnumerable(OnnxTestRows.Scoring(42));

        string path = Path.Combine(Path.GetTempPath(), $"mlp-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var file = File.Create(path)) ml.Model.ExportMlpToOnnx(model, test, file);
            var onnx = ml.Transforms.ApplyOnnxModel(new[] { "Score", "Probability", "PredictedLabel" }, new[] { "Features" }, path).Fit(test);
            var onnxRows = ml.Data.CreateEnumerable<OnnxScored>(onnx.Transform(test), reuseRowObject: false).ToArray();
            var scored = model.Transform(test);
            OnnxRunner.AssertClose(scored.GetColumn<float>("Score").ToArray(), onnxRows.Select(r => Assert.Single(r.Score)).ToArray(), "Score");
            OnnxRunner.AssertClose(scored.GetColumn<float>("Probability").ToArray(), onnxRows.Select(r => Assert.Single(r.Probability)).ToArray(), "Probability");
            Assert.Equal(scored.GetColumn<bool>("PredictedLabel").ToArray(), onnxRows.Select(r => Assert.Single(r.PredictedLabel)).ToArray());
            (onnx as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// ML.NET's converter walks the scored data view back through ML.NET's internal IDataTransform chain; this project's
    /// transformers return their own IDataView (ITransformCanSaveOnnx and IDataTransform are internal to ML.NET), so the walk
    /// stops at once, every column of the scored view becomes a graph input, and each output is an Identity of its input.
    /// No warning, no exception. This test pins that behaviour, so that a change in ML.NET is noticed.
    /// </summary>
    [Fact]
    public void MlNetConvertToOnnx_OnAPipelineEndingInTheMlp_WritesAnIdentityGraph_WithoutAnError()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(OnnxTestRows.Training(200, 51, withNaN: false));
        var model = ml.Transforms.NormalizeMinMax("Features").Append(ml.BinaryClassification.Trainers.Mlp(Options())).Fit(train);

        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) warnings.Add(e.Message); };
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, train, stream);
        Assert.Empty(warnings);
        var bogus = OnnxModelInspector.Read(stream.ToArray());

        Assert.True(stream.Length < 4096, $"{stream.Length} bytes");
        Assert.All(bogus.Operators, op => Assert.Equal("Identity", op));
        Assert.Contains("Score", bogus.Inputs);
        Assert.Contains("Probability", bogus.Inputs);
        Assert.Contains("Features", bogus.Inputs);
        Assert.Contains("Score.output", bogus.Outputs);
        Assert.Equal(bogus.Outputs.Count, bogus.Operators.Count); // one Identity per scored column, the normalizer dropped too
        Assert.Empty(bogus.Initializers); // no weights at all

        // ExportMlpToOnnx on the same model writes the network.
        using var ours = new MemoryStream();
        ml.Model.ExportMlpToOnnx(model, train, ours);
        var exported = OnnxModelInspector.Read(ours.ToArray());
        Assert.Equal(new[] { "Features" }, exported.Inputs);
        Assert.Contains("Gemm", exported.Operators);
    }

    /// <summary>For contrast: a built-in transformer that cannot be converted makes ConvertToOnnx throw.</summary>
    [Fact]
    public void MlNetConvertToOnnx_OnABuiltInTransformerWithoutOnnx_Throws()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(OnnxTestRows.Training(50, 52, withNaN: false));
        var model = ml.Transforms.CustomMapping((OnnxTestRows.Row input, Doubled output) => output.Twice = input.Value * 2, contractName: null).Fit(train);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) warnings.Add(e.Message); };
        using var stream = new MemoryStream();
        var e = Assert.ThrowsAny<Exception>(() => ml.Model.ConvertToOnnx(model, train, stream));
        Assert.Contains("can not be fully converted", e.Message);
        Assert.Contains(warnings, w => w.Contains("Had to stop walkback"));
    }

    private sealed class Doubled
    {
        public float Twice { get; set; }
    }
}
