using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Training;
using Xunit.Abstractions;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>
/// Bagging (issue 12, item 1: <see cref="MlpTrainerOptionsBase.NumberOfModels"/>): the bootstrap draw, the averaging, the
/// ensemble against its members on real data, thread-count independence, saving, and the refused combinations.
/// </summary>
public class BaggingTests(ITestOutputHelper output)
{
    private static MlpBinaryTrainer.Options BinaryOptions(int models) =>
        new() { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 5, Seed = 1, NumberOfModels = models };

    private static IDataView BreastCancer(MLContext ml, string part = "train") => TestData.Load(ml, $"breast_cancer_{part}.csv", DataKind.Boolean);

    /// <summary>The features of every row of <paramref name="data"/>.</summary>
    private static float[][] Features(IDataView data) =>
        data.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToArray();

    /// <summary>Raw outputs of <paramref name="model"/> for each row.</summary>
    private static float[][] Scores(MlpModelParameters model, float[][] rows)
    {
        var scorer = model.CreateScorer();
        return rows.Select(x => { var o = new float[model.OutputSize]; scorer.Score(x, o); return o; }).ToArray();
    }

    /// <summary>SHA-256 of the model's payload with the history's wall times zeroed (the rest is deterministic).</summary>
    /// <paramref name="asAutomaticEpochs"/> records NumberOfEpochs as left automatic (for a model trained with the explicit
    /// count the automatic rule gave when the hash was taken).
    internal static string PayloadHash(MlpModelParameters m, bool asAutomaticEpochs = false)
    {
        var h = m.History;
        var epochs = h.Epochs.Select(e => new EpochRecord(e.Epoch, e.Phase, e.TrainingLoss, e.ValidationLoss, e.ValidationMetric, e.LearningRate, TimeSpan.Zero)).ToArray();
        // Without the option entries added after the hashes were taken (the task and class names a warm start checks).
        var options = m.Options.Where(p => p.Key is not (WarmStartReference.TaskKey or WarmStartReference.OutputNamesKey))
            .ToDictionary(p => p.Key, p => asAutomaticEpochs && p.Key == nameof(MlpTrainerOptionsBase.NumberOfEpochs) ? "" : p.Value);
        var timeless = new MlpModelParameters(m.Network, m.Preprocessing, m.LabelShift, m.LabelScale, options, new TrainingHistory(epochs, h.BestEpoch, h.StopReason, h.StopMessage, h.SkippedRows));
        return Convert.ToHexString(SHA256.HashData(Payload(timeless)));
    }

    private static byte[] Payload(MlpModelParameters model)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) MlpModelSerializer.Write(w, model);
        return stream.ToArray();
    }

    [Fact]
    public void OneModel_IsTheSingleNetworkOfBeforeBagging_BitForBitAndByteForByte()
    {
        // The hashes were computed by the build before bagging existed (commit 48fbfa3) with the same training calls
        // (L2Regularization was then 0.001 by default and regression's LearningRate 0.001; the calls name them; diabetes'
        // automatic epochs were then 39, 458 updates, before narrow data got a floor of 800 updates: the call names them
        // and the hash records them as automatic, as they were).
        var ml = new MLContext(seed: 3);
        var binary = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 3, Seed = 1, L2Regularization = 0.001f }).Fit(BreastCancer(ml)).Model;
        var iris = TestData.Load(ml, "iris_train.csv");
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(iris).Transform(iris);
        var multiclass = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 3, Seed = 1, L2Regularization = 0.001f }).Fit(keyed).Model;
        var diabetes = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        var regression = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 16 }, Seed = 1, NumberOfModels = 1, L2Regularization = 0.001f, LearningRate = 0.001f, NumberOfEpochs = 39 }).Fit(diabetes).Model;
        foreach (var model in new[] { binary, multiclass, regression })
        {
            Assert.Empty(model.Members);
            Assert.False(model.IsEnsemble);
            Assert.DoesNotContain(nameof(MlpTrainerOptionsBase.NumberOfModels), model.Options.Keys);
            Assert.Equal(3, MlpModelSerializer.RevisionFor(model));
        }
        Assert.Equal(BinaryHashBefore, PayloadHash(binary));
        Assert.Equal(MulticlassHashBefore, PayloadHash(multiclass));
        Assert.Equal(RegressionHashBefore, PayloadHash(regression, asAutomaticEpochs: true));
    }

    private const string BinaryHashBefore = "EC91F813061B5547C0A26D1E0D5E5198F6FE8B13905ACE8B885CAB73F4899418";
    private const string MulticlassHashBefore = "4B620E385E6979E18BC868BC2B5ED526D13D6ACF65FE81436C8F901D87BCE114";
    private const string RegressionHashBefore = "8F79150225F88A3965EFC0CFDA3B934868E776DC958F3195B50434A9F3269D86";

    [Fact]
    public void Bootstrap_IsTheDocumentedDraw_AndOutOfBagRowsAreThoseNeverDrawn()
    {
        const int n = 1000;
        var sample = Bootstrap.Sample(7, 2, n);
        var random = RandomStream.For(7, Bootstrap.Stream, 2);
        Assert.Equal(Enumerable.Range(0, n).Select(_ => random.NextInt(n)), sample);
        Assert.Equal(sample, Bootstrap.Sample(7, 2, n)); // the same seed and member: the same sample
        Assert.NotEqual(sample, Bootstrap.Sample(7, 3, n));
        Assert.NotEqual(sample, Bootstrap.Sample(8, 2, n));
        var outOfBag = Bootstrap.OutOfBag(sample, n);
        Assert.Equal(Enumerable.Range(0, n).Except(sample).Order(), outOfBag);
        Assert.InRange(outOfBag.Length, 0.32 * n, 0.42 * n); // about n/e
        Assert.NotEqual(Bootstrap.MemberSeed(7, 0), Bootstrap.MemberSeed(7, 1));
    }

    [Fact]
    public void Members_TrainOnTheirSamples_WithTheirSeeds_AndRecordTheirOutOfBagFigures()
    {
        var ml = new MLContext(seed: 3);
        var train = BreastCancer(ml);
        var model = ml.BinaryClassification.Trainers.Mlp(BinaryOptions(3)).Fit(train).Model;
        var rows = Features(train);
        var labels = train.GetColumn<bool>("Label").ToArray();
        Assert.Equal(3, model.Members.Count);
        Assert.Equal("3", model.Options[nameof(MlpTrainerOptionsBase.NumberOfModels)]);
        foreach (var member in model.Members)
        {
            Assert.Equal(Bootstrap.MemberSeed(1, member.Index), member.Seed);
            var outOfBag = Bootstrap.OutOfBag(Bootstrap.Sample(1, member.Index, rows.Length), rows.Length);
            Assert.Equal(outOfBag.Length, member.OutOfBagRows);
            // The out-of-bag accuracy is the member's, alone, on exactly the rows its sample never drew.
            var scores = Scores(member.Parameters, outOfBag.Select(r => rows[r]).ToArray());
            double accuracy = outOfBag.Where((r, i) => scores[i][0] > 0 == labels[r]).Count() / (double)outOfBag.Length;
            Assert.Equal(accuracy, member.OutOfBagMetric, 12);
            Assert.True(double.IsFinite(member.OutOfBagLoss) && member.OutOfBagLoss > 0);
            Assert.Equal(5, member.History.Epochs.Count);
            Assert.Equal(member.OutOfBagLoss, model.History.Epochs[member.Index].TrainingLoss); // the ensemble's history records it
        }
        // Different samples and seeds: different networks.
        Assert.NotEqual(model.Members[0].Parameters.DenseLayers[0].Weights, model.Members[1].Parameters.DenseLayers[0].Weights);
        Assert.Equal(model.Members[0].Parameters.DenseLayers[0].Weights, model.DenseLayers[0].Weights); // the accessors describe member 0
        Assert.Equal(3, model.History.Epochs.Count);
        Assert.All(model.History.Epochs, e => Assert.Equal(Bagging.Phase, e.Phase));
        Assert.Equal(3, model.History.BestEpoch);
    }

    private sealed class Row
    {
        public bool Label { get; set; }

        [VectorType(30)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    [Fact]
    public void EachMember_IsTheSingleNetworkTrainedOnItsBootstrapSampleWithItsSeed()
    {
        // Without normalization the shared preprocessing is the identity, so a single network trained with the member's
        // seed on the rows its sample drew (in the order drawn) must be the member, bit for bit.
        var ml = new MLContext(seed: 3);
        var train = BreastCancer(ml);
        var options = BinaryOptions(2);
        options.NormalizeFeatures = false;
        var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(train).Model;
        var rows = Features(train);
        Assert.Equal(30, rows[0].Length);
        var labels = train.GetColumn<bool>("Label").ToArray();
        foreach (var member in model.Members)
        {
            var sample = Bootstrap.Sample(1, member.Index, rows.Length);
            var drawn = ml.Data.LoadFromEnumerable(sample.Select(r => new Row { Label = labels[r], Features = rows[r] }));
            var single = BinaryOptions(1);
            single.NormalizeFeatures = false;
            single.Seed = unchecked((int)member.Seed);
            var alone = ml.BinaryClassification.Trainers.Mlp(single).Fit(drawn).Model;
            for (int l = 0; l < alone.DenseLayers.Count; l++)
            {
                Assert.Equal(alone.DenseLayers[l].Weights, member.Parameters.DenseLayers[l].Weights);
                Assert.Equal(alone.DenseLayers[l].Bias, member.Parameters.DenseLayers[l].Bias);
            }
            Assert.Equal(alone.History.Epochs.Select(e => e.TrainingLoss), member.History.Epochs.Select(e => e.TrainingLoss));
        }
    }

    [Fact]
    public void EnsembleOutputs_AreTheMeansOfTheMembersProbabilitiesAndScores()
    {
        var ml = new MLContext(seed: 3);
        // Binary: Probability is the mean of the members' σ(z), Score its logit.
        var binary = ml.BinaryClassification.Trainers.Mlp(BinaryOptions(3)).Fit(BreastCancer(ml));
        var test = BreastCancer(ml, "test");
        var rows = Features(test);
        var probabilities = binary.Transform(test).GetColumn<float>("Probability").ToArray();
        var memberScores = binary.Model.Members.Select(m => Scores(m.Parameters, rows)).ToArray();
        for (int r = 0; r < rows.Length; r++)
        {
            double mean = memberScores.Average(s => 1 / (1 + Math.Exp(-s[r][0])));
            Assert.True(Math.Abs(probabilities[r] - mean) <= 2e-7 + 1e-6 * mean, $"row {r}: {probabilities[r]} against {mean}");
        }
        // Multiclass: Score is the mean of the members' softmax.
        var digits = TestData.Load(ml, "digits_train.csv");
        var key = ml.Transforms.Conversion.MapValueToKey("Label").Fit(digits);
        var multiclass = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 32 }, NumberOfEpochs = 3, Seed = 2, NumberOfModels = 3 })
            .Fit(key.Transform(digits));
        var digitsTest = key.Transform(TestData.Load(ml, "digits_test.csv"));
        var digitRows = Features(digitsTest).Take(100).ToArray();
        var classScores = multiclass.Transform(digitsTest).GetColumn<VBuffer<float>>("Score").Take(100).Select(v => v.DenseValues().ToArray()).ToArray();
        var memberLogits = multiclass.Model.Members.Select(m => Scores(m.Parameters, digitRows)).ToArray();
        for (int r = 0; r < digitRows.Length; r++)
        {
            var mean = new double[10];
            foreach (var z in memberLogits.Select(s => s[r]))
            {
                double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
                for (int c = 0; c < 10; c++) mean[c] += Math.Exp(z[c] - max) / sum / memberLogits.Length;
            }
            for (int c = 0; c < 10; c++) Assert.True(Math.Abs(classScores[r][c] - mean[c]) <= 1e-6, $"row {r}, class {c}: {classScores[r][c]} against {mean[c]}");
        }
        // Regression: Score is the mean of the members' scores, as the combination rounds it (double sum, then float).
        var diabetes = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        var regression = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 5, Seed = 1, NumberOfModels = 4 }).Fit(diabetes);
        var diabetesTest = TestData.Load(ml, "diabetes_test.csv", DataKind.Single);
        var diabetesRows = Features(diabetesTest);
        var scores = regression.Transform(diabetesTest).GetColumn<float>("Score").ToArray();
        var memberValues = regression.Model.Members.Select(m => Scores(m.Parameters, diabetesRows)).ToArray();
        for (int r = 0; r < diabetesRows.Length; r++)
            Assert.Equal((float)(memberValues.Sum(s => (double)s[r][0]) / memberValues.Length), scores[r]);
    }

    [Fact]
    public void MultiOutputEnsemble_AveragesEachOutputsScores_AndRoundTrips()
    {
        // Each output de-standardized with its own shift and scale per member, then averaged.
        var ml = new MLContext(seed: 3);
        var train = MultiOutputRegressionTests.Diabetes(ml, "diabetes_train.csv");
        var model = ml.Regression.Trainers.MlpMultiOutput(new MlpMultiOutputRegressionTrainer.Options
        {
            LabelColumnName = "Targets", HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 3, Seed = 1, NumberOfModels = 3,
        }).Fit(train);
        var test = MultiOutputRegressionTests.Diabetes(ml, "diabetes_test.csv");
        var rows = Features(test);
        var scores = model.Transform(test).GetColumn<float[]>("Score").ToArray();
        var memberValues = model.Model.Members.Select(m => Scores(m.Parameters, rows)).ToArray();
        for (int r = 0; r < rows.Length; r++)
            for (int k = 0; k < 2; k++)
                Assert.Equal((float)(memberValues.Sum(v => (double)v[r][k]) / 3), scores[r][k]);
        var payload = Payload(model.Model);
        Assert.Equal(payload, Payload(MlpModelSerializer.Read(new BinaryReader(new MemoryStream(payload)))));
    }

    [Fact]
    public void Combination_IsExactForExtremeLogits()
    {
        // Saturated members: the logit of the mean probability stays finite and right where 1 − p would round to 0.
        var output = new float[1];
        EnsembleCombiner.Combine(EnsembleCombination.MeanSigmoidProbability, new float[] { 60f, 60f }, 2, output);
        Assert.Equal(60f, output[0], 4);
        EnsembleCombiner.Combine(EnsembleCombination.MeanSigmoidProbability, new float[] { 0f, 0f, 0f }, 3, output);
        Assert.Equal(0f, output[0]);
        // σ⁻¹((σ(2) + σ(−1)) / 2) by hand.
        EnsembleCombiner.Combine(EnsembleCombination.MeanSigmoidProbability, new float[] { 2f, -1f }, 2, output);
        double p = (1 / (1 + Math.Exp(-2)) + 1 / (1 + Math.Exp(1))) / 2;
        Assert.Equal((float)Math.Log(p / (1 - p)), output[0]);
        var classes = new float[3];
        EnsembleCombiner.Combine(EnsembleCombination.MeanSoftmaxProbability, new float[] { 1000f, 0f, -1000f, 0f, 1000f, 0f }, 2, classes);
        Assert.Equal((float)Math.Log(0.5), classes[0], 6);
        Assert.Equal((float)Math.Log(0.5), classes[1], 6);
        Assert.True(classes[2] < -500f);
    }

    [Fact]
    public void Ensemble_IsAtLeastAsGoodAsItsAverageMember_OnRealData()
    {
        var ml = new MLContext(seed: 3);
        // Binary, breast cancer: AUC on the test split.
        var binary = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 10, Seed = 1, NumberOfModels = 5 }).Fit(BreastCancer(ml));
        var test = BreastCancer(ml, "test");
        double ensembleAuc = ml.BinaryClassification.Evaluate(binary.Transform(test)).AreaUnderRocCurve;
        double memberAuc = binary.Model.Members.Average(m => ml.BinaryClassification.Evaluate(new MlpBinaryPredictionTransformer(m.Parameters, "Features").Transform(test)).AreaUnderRocCurve);
        output.WriteLine($"breast cancer AUC: ensemble {ensembleAuc:F4}, average member {memberAuc:F4}");
        Assert.True(ensembleAuc >= memberAuc, $"AUC: ensemble {ensembleAuc}, average member {memberAuc}");
        // Multiclass, digits: accuracy on the test split.
        var digits = TestData.Load(ml, "digits_train.csv");
        var key = ml.Transforms.Conversion.MapValueToKey("Label").Fit(digits);
        var multiclass = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 32 }, NumberOfEpochs = 5, Seed = 2, NumberOfModels = 5 })
            .Fit(key.Transform(digits));
        var digitsTest = key.Transform(TestData.Load(ml, "digits_test.csv"));
        double ensembleAccuracy = ml.MulticlassClassification.Evaluate(multiclass.Transform(digitsTest)).MicroAccuracy;
        double memberAccuracy = multiclass.Model.Members.Average(m =>
            ml.MulticlassClassification.Evaluate(new MlpMulticlassPredictionTransformer(m.Parameters, "Features", null).Transform(digitsTest)).MicroAccuracy);
        output.WriteLine($"digits accuracy: ensemble {ensembleAccuracy:F4}, average member {memberAccuracy:F4}");
        Assert.True(ensembleAccuracy >= memberAccuracy, $"accuracy: ensemble {ensembleAccuracy}, average member {memberAccuracy}");
        // Regression, diabetes: R² on the test split.
        var diabetes = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        var regression = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 20, Seed = 1, NumberOfModels = 5 }).Fit(diabetes);
        var diabetesTest = TestData.Load(ml, "diabetes_test.csv", DataKind.Single);
        double ensembleR2 = ml.Regression.Evaluate(regression.Transform(diabetesTest)).RSquared;
        double memberR2 = regression.Model.Members.Average(m => ml.Regression.Evaluate(new MlpRegressionPredictionTransformer(m.Parameters, "Features").Transform(diabetesTest)).RSquared);
        output.WriteLine($"diabetes R²: ensemble {ensembleR2:F4}, average member {memberR2:F4}");
        Assert.True(ensembleR2 >= memberR2, $"R²: ensemble {ensembleR2}, average member {memberR2}");
    }

    [Fact]
    public void OneAndTwoThreads_GiveTheSameEnsemble_AndProgressSeesEveryMembersEpochs()
    {
        var ml = new MLContext(seed: 3);
        var train = BreastCancer(ml);
        var records = new List<EpochRecord>();
        var options = BinaryOptions(3);
        options.NumberOfThreads = 1;
        options.Progress = new Progress(records);
        var one = ml.BinaryClassification.Trainers.Mlp(options).Fit(train).Model;
        Assert.Equal(3 * 5, records.Count);
        options.NumberOfThreads = 2;
        options.Progress = null;
        var two = ml.BinaryClassification.Trainers.Mlp(options).Fit(train).Model;
        for (int m = 0; m < 3; m++)
            for (int l = 0; l < one.Members[m].Parameters.DenseLayers.Count; l++)
            {
                Assert.Equal(one.Members[m].Parameters.DenseLayers[l].Weights, two.Members[m].Parameters.DenseLayers[l].Weights);
                Assert.Equal(one.Members[m].Parameters.DenseLayers[l].Bias, two.Members[m].Parameters.DenseLayers[l].Bias);
            }
        Assert.Equal(one.Members.Select(m => m.OutOfBagLoss), two.Members.Select(m => m.OutOfBagLoss));
        var rows = Features(BreastCancer(ml, "test"));
        Assert.Equal(Scores(one, rows).SelectMany(s => s), Scores(two, rows).SelectMany(s => s));
    }

    /// <summary>Collects records synchronously (System.Progress would post them to the thread pool).</summary>
    private sealed class Progress(List<EpochRecord> records) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => records.Add(value);
    }

    [Fact]
    public void ValidationRows_AreSharedByTheMembers_AndTheHistoryGrowsTheEnsemble()
    {
        var ml = new MLContext(seed: 3);
        var options = BinaryOptions(3);
        options.ValidationFraction = 0.2f;
        var model = ml.BinaryClassification.Trainers.Mlp(options).Fit(BreastCancer(ml)).Model;
        Assert.All(model.Members, m => Assert.All(m.History.Epochs, e => Assert.NotNull(e.ValidationMetric)));
        Assert.All(model.History.Epochs, e => Assert.NotNull(e.ValidationMetric));
        // The first record's ensemble is member 0 alone: its validation loss at its kept epoch.
        var first = model.Members[0].History;
        Assert.Equal(first.Epochs[first.BestEpoch - 1].ValidationLoss!.Value, model.History.Epochs[0].ValidationLoss!.Value, 5);
        // A phase reusing the validation rows runs per member, on its sample plus the validation rows.
        options.ValidationDataReuse = ValidationDataReuse.RetrainSameEpochs;
        var reused = ml.BinaryClassification.Trainers.Mlp(options).Fit(BreastCancer(ml)).Model;
        Assert.All(reused.Members, m => Assert.Contains(m.History.Epochs, e => e.Phase == "retrain"));
    }

    [Fact]
    public void Ensembles_AreBitIdenticalInANewProcess()
    {
        var ml = new MLContext(seed: 3);
        var train = BreastCancer(ml);
        var binary = ml.BinaryClassification.Trainers.Mlp(BinaryOptions(3)).Fit(train);
        Assert.Equal(5, MlpModelSerializer.RevisionFor(binary.Model));
        SaveLoadTests.AssertSameInNewProcess(ml, binary, train, "breast_cancer_test.csv", "Boolean", "Score,Probability,PredictedLabel");
        var iris = TestData.Load(ml, "iris_train.csv");
        var multiclass = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 5, Seed = 1, NumberOfModels = 3, BatchNormalization = true }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"))
            .Fit(iris);
        SaveLoadTests.AssertSameInNewProcess(ml, multiclass, iris, "iris_test.csv", "String", "Score,PredictedLabel,PredictedLabelValue");
        var diabetes = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        var regression = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 3, Seed = 1, NumberOfModels = 3 }).Fit(diabetes);
        SaveLoadTests.AssertSameInNewProcess(ml, regression, diabetes, "diabetes_test.csv", "Single", "Score");
    }

    [Fact]
    public void SavedEnsemble_ReadsBackItsMembers_AndCorruptedMemberCountsAreRefused()
    {
        var ml = new MLContext(seed: 3);
        var model = ml.BinaryClassification.Trainers.Mlp(BinaryOptions(3)).Fit(BreastCancer(ml)).Model;
        var payload = Payload(model);
        var read = MlpModelSerializer.Read(new BinaryReader(new MemoryStream(payload)));
        Assert.Equal(payload, Payload(read));
        Assert.Equal(model.Members.Select(m => (m.Seed, m.OutOfBagRows, m.OutOfBagLoss, m.OutOfBagMetric)), read.Members.Select(m => (m.Seed, m.OutOfBagRows, m.OutOfBagLoss, m.OutOfBagMetric)));
        // The member count follows the combination, just before member 0's seed.
        var marker = BitConverter.GetBytes((int)EnsembleCombination.MeanSigmoidProbability).Concat(BitConverter.GetBytes(3)).Concat(BitConverter.GetBytes(model.Members[0].Seed)).ToArray();
        int at = payload.AsSpan().IndexOf(marker) + 4;
        Assert.True(at > 4);
        FormatException Corrupt(int count)
        {
            var bad = (byte[])payload.Clone();
            BitConverter.GetBytes(count).CopyTo(bad, at);
            return Assert.Throws<FormatException>(() => MlpModelSerializer.Read(new BinaryReader(new MemoryStream(bad))));
        }
        Assert.Contains("ensemble member count (1000) is out of range", Corrupt(1000).Message);
        Assert.Contains("ensemble of 1 members", Corrupt(1).Message);
        Assert.Contains("declares 4 ensemble members, but its entry ends within member 3", Corrupt(4).Message);
        var truncated = payload.AsSpan(0, payload.Length - 100).ToArray();
        Assert.Contains("truncated", Assert.Throws<FormatException>(() => MlpModelSerializer.Read(new BinaryReader(new MemoryStream(truncated)))).Message);
    }

    [Fact]
    public void AnEnsembleTooLargeForMemory_IsRefusedNamingNumberOfModels()
    {
        var options = BinaryOptions(10);
        long one = OptionsValidation.EnsembleBytes(options, 30, 1, 1, 32, 455, 1);
        long two = OptionsValidation.EnsembleBytes(options, 30, 1, 1, 32, 455, 2);
        Assert.True(two > one); // a second member at once holds its training state and sample too
        OptionsValidation.CheckEnsembleFootprint(options, 30, 1, 1, 32, 455, 2, two);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => OptionsValidation.CheckEnsembleFootprint(options, 30, 1, 1, 32, 455, 2, two - 1));
        Assert.Equal(nameof(MlpTrainerOptionsBase.NumberOfModels), e.ParamName);
    }

    [Fact]
    public void UnsupportedCombinations_AreRefusedNamingTheOption()
    {
        var ml = new MLContext(seed: 3);
        var train = BreastCancer(ml);
        foreach (int bad in new[] { 0, 101 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp(BinaryOptions(bad)));
            Assert.Equal(nameof(MlpTrainerOptionsBase.NumberOfModels), e.ParamName);
            Assert.Contains("[1, 100]", e.Message);
        }
        var checkpoint = BinaryOptions(2);
        checkpoint.CheckpointPath = Path.Combine(Path.GetTempPath(), "never-written.ckpt");
        Assert.Equal(nameof(MlpTrainerOptionsBase.CheckpointPath), Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(checkpoint)).ParamName);
        var resume = BinaryOptions(2);
        resume.ResumeFromCheckpoint = "some.ckpt";
        Assert.Equal(nameof(MlpTrainerOptionsBase.ResumeFromCheckpoint), Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(resume)).ParamName);
        var reload = BinaryOptions(2);
        reload.ReloadDataEachEpoch = true;
        Assert.Equal(nameof(MlpTrainerOptionsBase.ReloadDataEachEpoch), Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(reload)).ParamName);
        // Changed after the trainer was built: refused again at Fit.
        var later = BinaryOptions(2);
        var trainer = ml.BinaryClassification.Trainers.Mlp(later);
        later.NumberOfModels = -1;
        Assert.Equal(nameof(MlpTrainerOptionsBase.NumberOfModels), Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(train)).ParamName);

        var ensemble = ml.BinaryClassification.Trainers.Mlp(BinaryOptions(2)).Fit(train);
        var warm = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(BinaryOptions(1)).Fit(train, ensemble.Model));
        Assert.Contains("NumberOfModels", warm.Message);
        // A member is a single network: it can be the start of a warm start.
        Assert.NotNull(ml.BinaryClassification.Trainers.Mlp(BinaryOptions(1)).Fit(train, ensemble.Model.Members[0].Parameters));
        var onnx = Assert.Throws<NotSupportedException>(() => ml.Model.ExportMlpToOnnx(ensemble, train, new MemoryStream()));
        Assert.Contains("NumberOfModels", onnx.Message);
        var fgsm = Assert.Throws<NotSupportedException>(() => ml.BinaryClassification.FgsmExamplesOfMlp(ensemble, train, 0.1f));
        Assert.Contains("NumberOfModels", fgsm.Message);
    }
}
