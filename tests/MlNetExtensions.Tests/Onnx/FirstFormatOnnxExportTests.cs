using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Onnx;

/// <summary>Models saved in the first format (z-scoring only, no indicators) export too, NaN rows included.</summary>
public class FirstFormatOnnxExportTests
{
    private sealed class FeatureRow
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    [Theory]
    [InlineData("v1-binary.zip", "breast_cancer_test.csv", DataKind.Boolean)]
    [InlineData("v1-multiclass.zip", "iris_test.csv", DataKind.String)]
    [InlineData("v1-regression.zip", "diabetes_test.csv", DataKind.Single)]
    public void AModelOfTheFirstFormat_ExportsWithItsScores(string file, string testFile, DataKind labelKind)
    {
        var ml = new MLContext(0);
        ml.ComponentCatalog.RegisterMlNetExtensions();
        var loaded = ml.Model.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", file), out _);
        var mlp = Assert.IsAssignableFrom<MlpPredictionTransformerBase>(loaded is IEnumerable<ITransformer> chain ? chain.Last() : loaded);
        Assert.Empty(mlp.Model.MissingValueIndicatorSlots);

        int n = TestData.FeatureCount(testFile);
        var features = TestData.Load(ml, testFile, labelKind).GetColumn<float[]>("Features").Take(30).ToList();
        var withNaN = (float[])features[0].Clone();
        withNaN[0] = float.NaN;
        features.Add(withNaN);
        features.Add(Enumerable.Repeat(float.NaN, n).ToArray());
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, n);
        var data = ml.Data.LoadFromEnumerable(features.Select(f => new FeatureRow { Features = f }), schema);

        using var stream = new MemoryStream();
        ml.Model.ExportMlpToOnnx(mlp, data, stream);
        var outputs = OnnxRunner.Run(stream.ToArray(), "Features", features.SelectMany(f => f).ToArray(), features.Count, n);
        var scored = mlp.Transform(data);
        var expected = scored.Schema["Score"].Type is VectorDataViewType
            ? scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray()
            : scored.GetColumn<float>("Score").ToArray();
        OnnxRunner.AssertClose(expected, (float[])outputs["Score"].Values, "Score");
        if (mlp is MlpBinaryPredictionTransformer)
            OnnxRunner.AssertClose(scored.GetColumn<float>("Probability").ToArray(), (float[])outputs["Probability"].Values, "Probability");
        if (mlp is MlpMulticlassPredictionTransformer)
            Assert.Equal(scored.GetColumn<uint>("PredictedLabel").ToArray(), (uint[])outputs["PredictedLabel"].Values);
    }
}
