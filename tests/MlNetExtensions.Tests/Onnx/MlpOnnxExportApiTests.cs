using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Onnx;

/// <summary>The shape of the exported file (opset, names, metadata), chains and saved models, and the refusals.</summary>
public class MlpOnnxExportApiTests
{
    private static byte[] Export(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.ExportMlpToOnnx(model, data, stream);
        return stream.ToArray();
    }

    private static MlpMulticlassTrainer.Options MulticlassOptions(string features = "Features") => new()
    {
        LabelColumnName = "Label", FeatureColumnName = features, HiddenLayerSizes = new[] { 6 }, NumberOfEpochs = 3, Seed = 4,
    };

    [Fact]
    public void ExportedFile_HasOpset17_TheColumnNames_AndTheClassNamesAsMetadata()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(OnnxTestRows.Training(150, 61, withNaN: true));
        var model = ml.Transforms.Conversion.MapValueToKey("Label", nameof(OnnxTestRows.Row.ClassLabel))
            .Append(ml.MulticlassClassification.Trainers.Mlp(MulticlassOptions())).Fit(train);
        byte[] onnx = Export(ml, model, train);

        var file = OnnxModelInspector.Read(onnx);
        Assert.Equal(17, file.Opset);
        Assert.Equal(MlpOnnxExport.OpsetVersion, file.Opset);
        Assert.Equal(8, file.IrVersion);
        Assert.Equal("MlNetExtensions", file.ProducerName);
        Assert.Equal(new[] { "Features" }, file.Inputs);
        Assert.Equal(new[] { "Score", "PredictedLabel" }, file.Outputs);
        Assert.Equal(2, file.Operators.Count(op => op == "Gemm"));
        Assert.DoesNotContain("Identity", file.Operators);
        Assert.Contains("Softmax", file.Operators);

        using var session = new InferenceSession(onnx);
        Assert.Equal(new[] { -1, OnnxTestRows.FeatureCount }, session.InputMetadata["Features"].Dimensions);
        Assert.Equal(new[] { -1, 3 }, session.OutputMetadata["Score"].Dimensions);
        Assert.Equal(typeof(uint), session.OutputMetadata["PredictedLabel"].ElementType);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("MulticlassClassification", metadata["mlnet.task"]);
        Assert.Equal("Features", metadata["mlnet.feature_column"]);
        Assert.Equal(model.LastTransformer.ClassNames, System.Text.Json.JsonSerializer.Deserialize<string[]>(metadata["mlnet.class_names"]));
    }

    [Fact]
    public void AChainWithEarlierStages_ExportsFromTheMlpsFeatureVector_AlsoAfterSaveAndLoad()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(OnnxTestRows.Training(200, 71, withNaN: false));
        var model = ml.Transforms.NormalizeMinMax("Scaled", "Features")
            .Append(ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
            {
                LabelColumnName = nameof(OnnxTestRows.Row.Value), FeatureColumnName = "Scaled", HiddenLayerSizes = new[] { 8 },
                NumberOfEpochs = 4, Seed = 5, BatchNormalization = true,
            })).Fit(train);
        var rows = OnnxTestRows.Scoring(72);
        var test = ml.Data.LoadFromEnumerable(rows);

        string path = Path.Combine(Path.GetTempPath(), $"mlp-onnx-chain-{Guid.NewGuid():N}.zip");
        ITransformer loaded;
        try
        {
            ml.Model.Save(model, train.Schema, path);
            var loader = new MLContext(2);
            loader.ComponentCatalog.RegisterMlNetExtensions();
            loaded = loader.Model.Load(path, out _);
        }
        finally
        {
            File.Delete(path);
        }

        // The graph's input is the Mlp's features column, computed here by the stages before it.
        var scaled = model.Take(1).Single().Transform(test).GetColumn<float[]>("Scaled").SelectMany(r => r).ToArray();
        var expected = model.Transform(test).GetColumn<float>("Score").ToArray();
        foreach (var exported in new[] { model, loaded })
        {
            byte[] onnx = Export(ml, exported, test);
            Assert.Equal(new[] { "Scaled" }, OnnxModelInspector.Read(onnx).Inputs);
            var outputs = OnnxRunner.Run(onnx, "Scaled", scaled, rows.Length, OnnxTestRows.FeatureCount);
            OnnxRunner.AssertClose(expected, (float[])outputs["Score"].Values, "Score");
        }
    }

    [Fact]
    public void ModelsThatAreNotAnMlp_OrEndAfterIt_OrDoNotFitTheData_AreRefusedWithTheReason()
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(OnnxTestRows.Training(120, 81, withNaN: false));
        var normalizer = ml.Transforms.NormalizeMinMax("Features").Fit(train);
        using var stream = new MemoryStream();

        var notMlp = Assert.Throws<NotSupportedException>(() => ml.Model.ExportMlpToOnnx(normalizer, train, stream));
        Assert.Contains("NormalizingTransformer", notMlp.Message);

        var mlp = ml.Transforms.Conversion.MapValueToKey("Label", nameof(OnnxTestRows.Row.ClassLabel))
            .Append(ml.MulticlassClassification.Trainers.Mlp(MulticlassOptions()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(train);
        var after = Assert.Throws<NotSupportedException>(() => ml.Model.ExportMlpToOnnx(mlp, train, stream));
        Assert.Contains("after the Mlp", after.Message);

        var sdca = ml.BinaryClassification.Trainers.SdcaLogisticRegression(nameof(OnnxTestRows.Row.BinaryLabel), maximumNumberOfIterations: 2).Fit(train);
        Assert.Contains("BinaryPredictionTransformer", Assert.Throws<NotSupportedException>(() => ml.Model.ExportMlpToOnnx(sdca, train, stream)).Message);

        var binary = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            LabelColumnName = nameof(OnnxTestRows.Row.BinaryLabel), HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = 2, Seed = 1,
        }).Fit(train);
        var wrongData = ml.Data.LoadFromEnumerable(new[] { new { Features = 1f } });
        var missing = Assert.Throws<ArgumentException>(() => ml.Model.ExportMlpToOnnx(binary, wrongData, stream));
        Assert.Contains("Features", missing.Message);
        Assert.Equal("inputData", missing.ParamName);
        Assert.Equal(0, stream.Length); // nothing written by a refused export

        Assert.Throws<ArgumentException>(() => ml.Model.ExportMlpToOnnx(binary, train, new MemoryStream(new byte[16], writable: false)));
        Assert.Throws<ArgumentNullException>(() => ml.Model.ExportMlpToOnnx(null!, train, stream));
    }

    [Fact]
    public void AFeaturesColumnNamedAsAnOutput_IsRefused()
    {
        var ml = new MLContext(1);
        var rows = OnnxTestRows.Training(120, 91, withNaN: false);
        var train = ml.Data.LoadFromEnumerable(rows.Select(r => new ScoreNamed { Label = r.BinaryLabel, Probability = r.Features }));
        var model = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
        {
            FeatureColumnName = "Probability", HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = 2, Seed = 1,
        }).Fit(train);
        var e = Assert.Throws<InvalidOperationException>(() => ml.Model.ExportMlpToOnnx(model, train, new MemoryStream()));
        Assert.Contains("FeatureColumnName", e.Message);
    }

    private sealed class ScoreNamed
    {
        public bool Label { get; set; }
        [VectorType(OnnxTestRows.FeatureCount)] public float[] Probability { get; set; } = Array.Empty<float>();
    }
}
