using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Onnx;

/// <summary>
/// The exported ONNX file, run with ONNX Runtime, gives ML.NET's scores for every output, on rows with missing, extreme
/// and ordinary values, for the three tasks and several option combinations.
/// </summary>
public class MlpOnnxExportTests
{
    private static void Configure(MlpTrainerOptionsBase o, Activation activation, bool batchNorm, bool normalize)
    {
        o.HiddenLayerSizes = new[] { 12, 5 };
        o.Activation = activation;
        o.BatchNormalization = batchNorm;
        o.NormalizeFeatures = normalize;
        o.NumberOfEpochs = 6;
        o.BatchSize = 32;
        o.LearningRate = 0.01f;
        o.Seed = 3;
        o.MissingValues = MissingValueHandling.Impute;
        o.FeatureColumnName = "Features";
    }

    /// <summary>The preprocessing the test data should have produced, so that each case exercises what it claims to.</summary>
    private static void AssertPreprocessingCovered(MlpModelParameters model, bool normalize, bool trainedWithNaN)
    {
        Assert.Equal(trainedWithNaN ? new[] { 0, 6 } : Array.Empty<int>(), model.MissingValueIndicatorSlots);
        if (normalize)
        {
            Assert.Equal(new[] { InputSlotKind.Continuous, InputSlotKind.Binary, InputSlotKind.Constant, InputSlotKind.Continuous,
                InputSlotKind.Continuous, InputSlotKind.Binary, InputSlotKind.Continuous, InputSlotKind.LogContinuous }, model.FeatureKinds);
            Assert.NotEqual(0f, model.Preprocessing.Offset[3]); // zero-anchored
        }
        else Assert.All(model.FeatureKinds, k => Assert.Equal(InputSlotKind.Raw, k));
    }

    private static byte[] Export(MLContext ml, ITransformer model, IDataView data)
    {
        using var stream = new MemoryStream();
        ml.Model.ExportMlpToOnnx(model, data, stream);
        return stream.ToArray();
    }

    /// <summary>Activation, batch normalization, NormalizeFeatures, NaN in the training rows (MissingValues = Impute).</summary>
    public static readonly TheoryData<Activation, bool, bool, bool> OptionCombinations = new()
    {
        { Activation.Relu, false, true, true },
        { Activation.Tanh, true, true, true },
        { Activation.LeakyRelu, true, false, true },
        { Activation.Sigmoid, false, false, false },
        { Activation.Identity, true, true, false },
        { Activation.Relu, true, true, true },
        { Activation.Tanh, false, true, false },
    };

    [Theory]
    [MemberData(nameof(OptionCombinations))]
    public void Multiclass_OnnxRuntimeGivesMlNetScoresAndLabels(Activation activation, bool batchNorm, bool normalize, bool trainedWithNaN)
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(OnnxTestRows.Training(300, 11, trainedWithNaN));
        var options = new MlpMulticlassTrainer.Options { LabelColumnName = "Label" };
        Configure(options, activation, batchNorm, normalize);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", nameof(OnnxTestRows.Row.ClassLabel))
            .Append(ml.MulticlassClassification.Trainers.Mlp(options));
        var model = pipeline.Fit(train);
        AssertPreprocessingCovered(model.LastTransformer.Model, normalize, trainedWithNaN);
        if (batchNorm) Assert.Equal(2, model.LastTransformer.Model.BatchNormalizationLayers.Count);

        var rows = OnnxTestRows.Scoring(12);
        var test = ml.Data.LoadFromEnumerable(rows);
        byte[] onnx = Export(ml, model, test);
        var scored = model.Transform(test);
        var expectedScore = scored.GetColumn<float[]>("Score").SelectMany(s => s).ToArray();
        var expectedLabel = scored.GetColumn<uint>("PredictedLabel").ToArray();

        var outputs = OnnxRunner.Run(onnx, "Features", OnnxTestRows.Flatten(rows), rows.Length, OnnxTestRows.FeatureCount);
        Assert.Equal(new long[] { rows.Length, 3 }, outputs["Score"].Shape);
        OnnxRunner.AssertClose(expectedScore, (float[])outputs["Score"].Values, "Score");
        Assert.Equal(expectedLabel, (uint[])outputs["PredictedLabel"].Values);
        // The NaN rows are scored, and differently from one another (the imputation is not a constant output).
        Assert.True(expectedScore.Distinct().Count() > rows.Length, "the test rows gave too few distinct scores");
    }

    [Theory]
    [MemberData(nameof(OptionCombinations))]
    public void Binary_OnnxRuntimeGivesMlNetScoreProbabilityAndLabel(Activation activation, bool batchNorm, bool normalize, bool trainedWithNaN)
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(OnnxTestRows.Training(300, 21, trainedWithNaN));
        var options = new MlpBinaryTrainer.Options { LabelColumnName = nameof(OnnxTestRows.Row.BinaryLabel) };
        Configure(options, activation, batchNorm, normalize);
        var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(train);
        AssertPreprocessingCovered(model.Model, normalize, trainedWithNaN);

        var rows = OnnxTestRows.Scoring(22);
        var test = ml.Data.LoadFromEnumerable(rows);
        byte[] onnx = Export(ml, model, test);
        var scored = model.Transform(test);

        var outputs = OnnxRunner.Run(onnx, "Features", OnnxTestRows.Flatten(rows), rows.Length, OnnxTestRows.FeatureCount);
        foreach (string name in new[] { "Score", "Probability", "PredictedLabel" })
            Assert.Equal(new long[] { rows.Length, 1 }, outputs[name].Shape);
        OnnxRunner.AssertClose(scored.GetColumn<float>("Score").ToArray(), (float[])outputs["Score"].Values, "Score");
        OnnxRunner.AssertClose(scored.GetColumn<float>("Probability").ToArray(), (float[])outputs["Probability"].Values, "Probability");
        var expectedLabel = scored.GetColumn<bool>("PredictedLabel").ToArray();
        Assert.Equal(expectedLabel, (bool[])outputs["PredictedLabel"].Values);
        Assert.Contains(true, expectedLabel);
        Assert.Contains(false, expectedLabel);
    }

    [Theory]
    [InlineData(Activation.Relu, false, true, true, true)]
    [InlineData(Activation.Tanh, true, true, true, false)]
    [InlineData(Activation.LeakyRelu, true, false, false, true)]
    [InlineData(Activation.Sigmoid, false, false, true, true)]
    public void Regression_OnnxRuntimeGivesMlNetScoreInLabelUnits(Activation activation, bool batchNorm, bool normalize, bool trainedWithNaN, bool standardizeLabel)
    {
        var ml = new MLContext(1);
        var train = ml.Data.LoadFromEnumerable(OnnxTestRows.Training(300, 31, trainedWithNaN));
        var options = new MlpRegressionTrainer.Options { LabelColumnName = nameof(OnnxTestRows.Row.Value), StandardizeLabel = standardizeLabel };
        Configure(options, activation, batchNorm, normalize);
        var model = ml.Regression.Trainers.Mlp(options).Fit(train);
        AssertPreprocessingCovered(model.Model, normalize, trainedWithNaN);
        Assert.Equal(standardizeLabel, model.Model.LabelScale[0] != 1f && model.Model.LabelShift[0] != 0f);

        var rows = OnnxTestRows.Scoring(32);
        var test = ml.Data.LoadFromEnumerable(rows);
        byte[] onnx = Export(ml, model, test);
        var expected = model.Transform(test).GetColumn<float>("Score").ToArray();

        var outputs = OnnxRunner.Run(onnx, "Features", OnnxTestRows.Flatten(rows), rows.Length, OnnxTestRows.FeatureCount);
        Assert.Equal(new long[] { rows.Length, 1 }, outputs["Score"].Shape);
        OnnxRunner.AssertClose(expected, (float[])outputs["Score"].Values, "Score");
        float median = expected.Order().ElementAt(expected.Length / 2);
        if (standardizeLabel) Assert.True(median > 500, $"median score {median}: the label's shift is not in the scores");
    }

    /// <summary>
    /// Multi-output regression: Score is [N, K], each output de-standardized with its own mean and deviation (a [K] vector
    /// broadcast over the rows); the output names travel in the metadata.
    /// </summary>
    [Theory]
    [InlineData(Activation.Relu, false, true)]
    [InlineData(Activation.Tanh, true, false)]
    public void MultiOutputRegression_OnnxRuntimeGivesMlNetScoreVector(Activation activation, bool batchNorm, bool normalize)
    {
        var ml = new MLContext(1);
        var raw = ml.Data.LoadFromEnumerable(OnnxTestRows.Training(300, 31, withNaN: false));
        // The label: the Value and the feature slots, of different scales.
        var train = ml.Transforms.Concatenate("Targets", nameof(OnnxTestRows.Row.Value), nameof(OnnxTestRows.Row.Features)).Fit(raw).Transform(raw);
        var options = new MlpMultiOutputRegressionTrainer.Options { LabelColumnName = "Targets" };
        Configure(options, activation, batchNorm, normalize);
        var model = ml.Regression.Trainers.MlpMultiOutput(options).Fit(train);
        int k = 1 + OnnxTestRows.FeatureCount;
        Assert.Equal(k, model.OutputCount);
        Assert.True(MlpModelSerializer.RevisionFor(model.Model) > 3, "the outputs' standardizations should differ");

        var rows = OnnxTestRows.Scoring(32);
        var test = ml.Data.LoadFromEnumerable(rows);
        byte[] onnx = Export(ml, model, test);
        var expected = model.Transform(test).GetColumn<float[]>("Score").SelectMany(v => v).ToArray();
        var outputs = OnnxRunner.Run(onnx, "Features", OnnxTestRows.Flatten(rows), rows.Length, OnnxTestRows.FeatureCount);
        Assert.Equal(new long[] { rows.Length, k }, outputs["Score"].Shape);
        OnnxRunner.AssertClose(expected, (float[])outputs["Score"].Values, "Score");

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        Assert.Equal(new[] { -1, k }, session.OutputMetadata["Score"].Dimensions);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("MultiOutputRegression", metadata["mlnet.task"]);
        Assert.Equal(model.OutputNames, System.Text.Json.JsonSerializer.Deserialize<string[]>(metadata["mlnet.score_slot_names"]));
        // Concatenate names a Single column's slot after the column, and leaves a vector's unnamed slots empty.
        Assert.Equal(new[] { "Value" }.Concat(Enumerable.Repeat("", OnnxTestRows.FeatureCount)), model.OutputNames!);
    }
}
