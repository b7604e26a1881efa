using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>
/// Regression tests of the review mends of commit a5d7173 (multi-output, adversarial): each fails with its mend reverted.
/// The data sets are small and synthetic, the models a few units wide and trained for an epoch or two.
/// </summary>
public class ReviewMendsTests
{
    /// <summary>Three classes named so that their first occurrence ("dog", "cat", "eel") is not their sorted order.</summary>
    private static readonly string[] ClassNames = { "dog", "cat", "eel" };

    private sealed class ClassRow
    {
        public string Label { get; set; } = "";
        public float A { get; set; }
        public float B { get; set; }
        public float C { get; set; }
    }

    /// <summary>Two targets P and Q and three features (Q is the sum of two features, P another function of them).</summary>
    private sealed class TargetRow
    {
        public float P { get; set; }
        public float Q { get; set; }
        [VectorType(3)] public float[] Features { get; set; } = new float[3];
    }

    private static ClassRow[] ClassRows(int n) => Enumerable.Range(0, n).Select(i =>
    {
        int c = i % 3;
        return new ClassRow { Label = ClassNames[c], A = c + 0.1f * (i % 5), B = 0.2f * (i % 4), C = 1f - 0.5f * c + 0.05f * (i % 7) };
    }).ToArray();

    private static TargetRow[] TargetRows(int n, int offset = 0) => Enumerable.Range(offset, n).Select(i =>
    {
        float a = (i % 9) * 0.25f, b = (i % 4) - 1.5f, c = (i % 5) * 0.5f;
        return new TargetRow { P = 2f * a - b + 10f, Q = b + c, Features = new[] { a, b, c } };
    }).ToArray();

    /// <summary>Rows of <see cref="TargetRows"/> with "Targets" = Concatenate of <paramref name="targets"/> (slot names: the column names).</summary>
    private static IDataView Targets(MLContext ml, TargetRow[] rows, params string[] targets)
    {
        var data = ml.Data.LoadFromEnumerable(rows);
        return ml.Transforms.Concatenate("Targets", targets).Fit(data).Transform(data);
    }

    private static MlpMultiOutputRegressionTrainer MultiOutput(MLContext ml, int epochs = 1) =>
        ml.Regression.Trainers.MlpMultiOutput(new MlpMultiOutputRegressionTrainer.Options
        {
            LabelColumnName = "Targets", HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = epochs, Seed = 1,
        });

    private static byte[] Payload(MlpModelParameters model)
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) MlpModelSerializer.Write(w, model);
        return buffer.ToArray();
    }

    /// <summary>The one offset at which <paramref name="pattern"/> occurs in <paramref name="bytes"/>.</summary>
    private static int SingleOffset(byte[] bytes, byte[] pattern)
    {
        var hits = Enumerable.Range(0, bytes.Length - pattern.Length + 1).Where(i => bytes.AsSpan(i, pattern.Length).SequenceEqual(pattern)).ToArray();
        Assert.True(hits.Length == 1, $"the pattern occurs {hits.Length} times in the payload");
        return hits[0];
    }

    private static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    /// <summary>
    /// Mend 1: the adversarial (FGSM) pass trains the weights but does not fold its perturbed batch into batch
    /// normalization's running statistics (what inference uses); the flag is back on afterwards, and a layer with the flag
    /// off still normalizes a training batch with that batch's own statistics.
    /// </summary>
    [Fact]
    public void TheAdversarialPass_LeavesBatchNormRunningStatistics_ToTheCleanBatches()
    {
        const int batch = 6, d = 4, classes = 3;
        var random = RandomStream.For(7, 7);
        var raw = Enumerable.Range(0, batch * d).Select(_ => (float)random.NextGaussian()).ToArray();
        var targets = new float[batch * classes];
        for (int r = 0; r < batch; r++) targets[r * classes + r % classes] = 1f;
        var init = RandomStream.For(3, 3);
        var network = MultilayerPerceptron.Create(new NetworkSpec(d, new[] { 5 }, classes, Activation.Tanh, BatchNormalization: true), new HeNormalInitializer(), ref init);
        var bn = network.Layers.OfType<BatchNormLayer>().Single();
        var loss = new SoftmaxCrossEntropyLoss(classes);
        var training = new AdversarialTraining(2f, 0.5f, new DenseDataset(raw, d, targets, classes, null, batch), InputPreprocessing.Identity(d));
        var rows = Enumerable.Range(0, batch).ToArray();
        var outputGradient = new float[batch * classes];
        var step = default(RandomStream);

        // The clean pass, as the training loop runs it: forward (updating the running statistics), backward with ∂J/∂x.
        loss.Compute(network.Forward(raw, batch, true, ref step), targets, ReadOnlySpan<float>.Empty, batch, outputGradient);
        network.Backward(raw, null, outputGradient, batch, -1, null, training.InputGradient(batch));
        var mean = bn.RunningMean.ToArray();
        var variance = bn.RunningVariance.ToArray();
        double adversarialLoss = training.Step(network, loss, network.Parameters, rows, targets, ReadOnlySpan<float>.Empty, outputGradient, ref step);
        Assert.True(double.IsFinite(adversarialLoss));
        Assert.Equal(mean, bn.RunningMean);
        Assert.Equal(variance, bn.RunningVariance);
        Assert.True(bn.UpdatesRunningStatistics, "the flag is to be set back after the adversarial pass");
        network.Forward(raw, batch, true, ref step); // the next clean batch updates them again
        Assert.NotEqual(mean, bn.RunningMean);

        // The layer alone: with the flag off, the same output (the batch's own statistics) and the running ones untouched.
        var layer = new BatchNormLayer(d, "bn");
        var shifted = raw.Select(v => 3f * v + 1f).ToArray();
        var on = new float[batch * d];
        var off = new float[batch * d];
        layer.Forward(shifted, on, batch, true, ref step);
        var afterOn = layer.RunningMean.ToArray();
        layer.UpdatesRunningStatistics = false;
        layer.Forward(shifted, off, batch, true, ref step);
        Assert.Equal(on, off);
        Assert.Equal(afterOn, layer.RunningMean);
    }

    /// <summary>
    /// Mend 1 through the trainer: with a negligible adversarial loss weight but a large ε, a model trained with batch
    /// normalization has about the running variances of the same model trained without adversarial examples (the perturbed
    /// batches would have inflated them many times).
    /// </summary>
    [Fact]
    public void AModelTrainedWithBatchNormAndFgsm_KeepsTheRunningStatisticsOfItsCleanBatches()
    {
        var ml = new MLContext(seed: 1);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Concatenate("Features", "A", "B", "C"));
        var data = ml.Data.LoadFromEnumerable(ClassRows(90));
        var train = keyed.Fit(data).Transform(data);
        float[] Variances(float epsilon)
        {
            var model = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
            {
                HiddenLayerSizes = new[] { 6 }, NumberOfEpochs = 3, BatchSize = 10, Seed = 1, BatchNormalization = true,
                AdversarialEpsilon = epsilon, AdversarialLossWeight = 1e-6f,
            }).Fit(train);
            return model.Model.Network.Layers.OfType<BatchNormLayer>().Single().RunningVariance.ToArray();
        }
        var plain = Variances(0f);
        var robust = Variances(50f);
        for (int j = 0; j < plain.Length; j++)
            Assert.True(Math.Abs(robust[j] - plain[j]) <= 1e-2f * plain[j],
                $"unit {j}: running variance {robust[j]} with adversarial examples, {plain[j]} without");
    }

    /// <summary>Mend 2: validation targets naming one training output twice (and the other not at all) are refused, by name.</summary>
    [Fact]
    public void AValidationLabelNamingASlotTwice_IsRefused()
    {
        var ml = new MLContext(seed: 1);
        var train = Targets(ml, TargetRows(40), "P", "Q");
        var twice = Targets(ml, TargetRows(12, 40), "Q", "Q");
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        twice.Schema["Targets"].GetSlotNames(ref names);
        Assert.Equal(new[] { "Q", "Q" }, names.DenseValues().Select(n => n.ToString()));

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MultiOutput(ml).Fit(train, twice));
        Assert.Equal("validation", e.ParamName);
        Assert.Contains("'Targets'", e.Message);
        Assert.Contains("'Q' 2 times", e.Message);
        // The same names in another order are read, remapped.
        Assert.NotNull(MultiOutput(ml).Fit(train, Targets(ml, TargetRows(12, 40), "Q", "P")));
    }

    private sealed class EvaluationRow
    {
        [VectorType(2)] public float[] Label { get; set; } = new float[2];
        [VectorType(2)] public float[] Score { get; set; } = new float[2];
    }

    /// <summary>Mend 3: an infinite score counts in EvaluateMultiOutput (and shows in the errors), as in ML.NET's evaluator; a NaN is left out.</summary>
    [Fact]
    public void EvaluateMultiOutput_CountsAnInfiniteScore_AndLeavesOutANaN()
    {
        var ml = new MLContext(seed: 1);
        var rows = new[]
        {
            new EvaluationRow { Label = new[] { 1f, 10f }, Score = new[] { 1.5f, float.PositiveInfinity } },
            new EvaluationRow { Label = new[] { 2f, 20f }, Score = new[] { float.NaN, 21f } },
            new EvaluationRow { Label = new[] { 4f, 30f }, Score = new[] { 3f, 28f } },
        };
        var metrics = ml.Regression.EvaluateMultiOutput(ml.Data.LoadFromEnumerable(rows));
        var withNaN = metrics.PerOutput[0];
        var withInfinity = metrics.PerOutput[1];
        Assert.Equal(2, withNaN.Count);
        Assert.Equal(1.5 / 2, withNaN.MeanAbsoluteError, 12);
        Assert.Equal(3, withInfinity.Count);
        Assert.Equal(double.PositiveInfinity, withInfinity.MeanAbsoluteError);
        Assert.Equal(double.PositiveInfinity, withInfinity.MeanSquaredError);
        Assert.Equal(double.NegativeInfinity, withInfinity.RSquared);

        // ML.NET's regression evaluator on each output alone.
        for (int k = 0; k < 2; k++)
        {
            var mlnet = ml.Regression.Evaluate(ml.Data.LoadFromEnumerable(rows.Select(r => new { Label = r.Label[k], Score = r.Score[k] })));
            Assert.Equal(mlnet.MeanAbsoluteError, metrics.PerOutput[k].MeanAbsoluteError, 6);
            Assert.Equal(mlnet.MeanSquaredError, metrics.PerOutput[k].MeanSquaredError, 6);
        }
    }

    /// <summary>
    /// Mend 4: a payload whose label shift is not finite, or whose label scale is not finite and &gt; 0, is a
    /// FormatException naming the label standardization and the output (revision 3: one pair; revision 4: one per output).
    /// </summary>
    [Fact]
    public void APayloadWithABadLabelScaleOrShift_IsRefusedNamingTheOutput()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(TargetRows(40));
        var single = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { LabelColumnName = "P", HiddenLayerSizes = new[] { 2 }, NumberOfEpochs = 1, Seed = 1 }).Fit(data).Model;
        var bytes = Payload(single);
        Assert.Equal(-3, BitConverter.ToInt32(bytes, 0));
        Assert.True(single.LabelScale[0] is > 0f and not 1f);
        int at = SingleOffset(bytes, Floats(single.LabelShift[0], single.LabelScale[0]));
        void Refused(byte[] payload, int offset, float value, int output)
        {
            var crafted = (byte[])payload.Clone();
            BitConverter.GetBytes(value).CopyTo(crafted, offset);
            var e = Assert.Throws<FormatException>(() => MlpModelSerializer.Read(new BinaryReader(new MemoryStream(crafted))));
            Assert.Contains("label standardization", e.Message);
            Assert.Contains($"output {output}", e.Message);
        }
        foreach (var scale in new[] { 0f, -1f, float.NaN, float.PositiveInfinity }) Refused(bytes, at + 4, scale, 0);
        foreach (var shift in new[] { float.NaN, float.NegativeInfinity }) Refused(bytes, at, shift, 0);
        Assert.Equal(single.LabelScale, MlpModelSerializer.Read(new BinaryReader(new MemoryStream(bytes))).LabelScale);

        // Revision 4 (per-output standardization): the second output's scale.
        var multi = MultiOutput(ml).Fit(Targets(ml, TargetRows(40), "P", "Q")).Model;
        var bytes4 = Payload(multi);
        Assert.Equal(-4, BitConverter.ToInt32(bytes4, 0));
        var two = BitConverter.GetBytes(2);
        int at4 = SingleOffset(bytes4, two.Concat(Floats(multi.LabelShift)).Concat(two).Concat(Floats(multi.LabelScale)).ToArray());
        Refused(bytes4, at4 + 4 + 8 + 4 + 4, 0f, 1);
        Refused(bytes4, at4 + 4 + 4, float.PositiveInfinity, 1);
    }

    /// <summary>
    /// Mend 5: FGSM examples hold only the label and the Mlp's features column (the whole pipeline, which would rebuild
    /// the features from the untouched inputs, cannot run on them; the Mlp stage scores them), and a label whose classes are
    /// numbered in another order than the model's is refused.
    /// </summary>
    [Fact]
    public void FgsmExamples_HoldOnlyTheLabelAndFeatures_AndTheClassesMustBeInTheModelsOrder()
    {
        var ml = new MLContext(seed: 1);
        var raw = ml.Data.LoadFromEnumerable(ClassRows(60));
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var model = ml.Transforms.Concatenate("Features", "A", "B", "C")
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 4 }, NumberOfEpochs = 2, Seed = 1 }))
            .Fit(data);
        var examples = ml.MulticlassClassification.FgsmExamplesOfMlp(model, data, 0.5f);
        Assert.Equal(new[] { "Features", "Label" }, examples.Schema.Select(c => c.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.ThrowsAny<ArgumentException>(() => model.Transform(examples).Preview(1));
        var attacked = ml.MulticlassClassification.Evaluate(model.LastTransformer.Transform(examples));
        var clean = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.True(attacked.LogLoss > clean.LogLoss, $"log-loss {attacked.LogLoss:F4} under attack, {clean.LogLoss:F4} clean");

        // The same classes keyed by value ("cat", "dog", "eel") instead of by occurrence ("dog", "cat", "eel").
        var byValue = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(raw).Transform(raw);
        var e = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.FgsmExamplesOfMlp(model, byValue, 0.5f));
        Assert.Equal("labelColumnName", e.ParamName);
        Assert.Contains("\"cat\",\"dog\",\"eel\"", e.Message);
        Assert.Contains("\"dog\",\"cat\",\"eel\"", e.Message);
        Assert.Contains("MapValueToKey", e.Message);
    }

    /// <summary>Mend 6: a helper given a multi-output Mlp explains itself with its own hint, not permutation feature importance's.</summary>
    [Fact]
    public void TheMultiOutputHint_IsTheCallingHelpers()
    {
        var ml = new MLContext(seed: 1);
        var train = Targets(ml, TargetRows(30), "P", "Q");
        var model = MultiOutput(ml).Fit(train);
        var fgsm = Assert.Throws<ArgumentException>(() => ml.Regression.FgsmExamplesOfMlp(model, train, 0.1f, "Targets"));
        Assert.Equal("model", fgsm.ParamName);
        Assert.Contains("FGSM examples of a multi-output Mlp are not offered.", fgsm.Message);
        Assert.DoesNotContain("permutation", fgsm.Message);
        var multiclass = Assert.Throws<ArgumentException>(() => ml.MulticlassClassification.FgsmExamplesOfMlp(model, train, 0.1f, "Targets"));
        Assert.Contains("This helper does not take a multi-output Mlp.", multiclass.Message);
        Assert.DoesNotContain("permutation", multiclass.Message);
        var importance = Assert.Throws<ArgumentException>(() => ml.Regression.PermutationFeatureImportanceOfMlp(model, train, "Targets"));
        Assert.Contains("permutation feature importance", importance.Message);
    }

    /// <summary>Mend 7: the replaced column's getter of a cursor made without that column throws, instead of reading the replacement anyway.</summary>
    [Fact]
    public void AReplacedColumnsGetter_NeedsTheColumnRequested()
    {
        var ml = new MLContext(seed: 1);
        var source = ml.Data.LoadFromEnumerable(TargetRows(3));
        var replacement = new[] { new[] { 1f, 2f, 3f }, new[] { 4f, 5f, 6f }, new[] { 7f, 8f, 9f } };
        var view = new ReplacedColumnDataView(source, "Features", replacement);
        var features = view.Schema["Features"];
        using (var without = view.GetRowCursor(new[] { view.Schema["P"] }))
        {
            Assert.False(without.IsColumnActive(features));
            var e = Assert.Throws<InvalidOperationException>(() => without.GetGetter<VBuffer<float>>(features));
            Assert.Contains("'Features' was not requested", e.Message);
            Assert.True(without.MoveNext()); // the requested columns still read
            float p = 0;
            without.GetGetter<float>(view.Schema["P"])(ref p);
            Assert.Equal(TargetRows(1)[0].P, p);
        }
        Assert.Equal(replacement, view.GetColumn<float[]>("Features").ToArray());
    }
}
