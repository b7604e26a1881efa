using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>Issue 14 ("Production trust"): validation keys, diverged fits, option gaps, inference-only models.</summary>
public class ProductionTrustTests
{
    private sealed class IrisRow
    {
        public string Label { get; set; } = "";
        [VectorType(4)] public float[] Features { get; set; } = new float[4];
    }

    private static IrisRow[] Rows(MLContext ml, string file) =>
        ml.Data.CreateEnumerable<IrisRow>(TestData.Load(ml, file), reuseRowObject: false).ToArray();

    private static MlpMulticlassTrainer.Options IrisOptions(Action<MlpMulticlassTrainer.Options>? configure = null)
    {
        var o = new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 6, Seed = 1, EarlyStoppingPatience = 100 };
        configure?.Invoke(o);
        return o;
    }

    // ---------------------------------------------------------------- 4. validation labels mapped separately

    [Fact]
    public void ValidationKeysInAnotherOrder_AreRemapped_AsIfMappedByTheTrainingMapper()
    {
        var ml = new MLContext(1);
        var trainRows = Rows(ml, "iris_train.csv");
        var validRows = Rows(ml, "iris_test.csv");
        var trainView = ml.Data.LoadFromEnumerable(trainRows);
        var validView = ml.Data.LoadFromEnumerable(validRows);
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label").Fit(trainView);
        // A second mapper fitted on the validation rows in reverse order numbers the classes in another order.
        var ownKey = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(validRows.Reverse()));
        var train = toKey.Transform(trainView);
        var validSame = toKey.Transform(validView);
        var validOwn = ownKey.Transform(validView);
        Assert.NotEqual(KeyValues(validSame), KeyValues(validOwn)); // the scenario: same classes, another order
        Assert.Equal(KeyValues(validSame).Order(), KeyValues(validOwn).Order());

        var reference = ml.MulticlassClassification.Trainers.Mlp(IrisOptions()).Fit(train, validSame).Model.History;
        var remapped = ml.MulticlassClassification.Trainers.Mlp(IrisOptions()).Fit(train, validOwn).Model.History;
        Assert.Equal(reference.Epochs.Select(e => e.ValidationLoss), remapped.Epochs.Select(e => e.ValidationLoss));
        Assert.Equal(reference.Epochs.Select(e => e.ValidationMetric), remapped.Epochs.Select(e => e.ValidationMetric));
        Assert.Equal(reference.BestEpoch, remapped.BestEpoch);
    }

    [Fact]
    public void ValidationKeysWithAClassTheTrainingDataLacks_AreRejected_SayingHowToMapBoth()
    {
        var ml = new MLContext(1);
        var trainView = ml.Data.LoadFromEnumerable(Rows(ml, "iris_train.csv"));
        var validRows = Rows(ml, "iris_test.csv");
        foreach (var r in validRows) if (r.Label == "2") r.Label = "other"; // still 3 classes: the key counts agree
        var validView = ml.Data.LoadFromEnumerable(validRows);
        var train = ml.Transforms.Conversion.MapValueToKey("Label").Fit(trainView).Transform(trainView);
        var valid = ml.Transforms.Conversion.MapValueToKey("Label").Fit(validView).Transform(validView);
        var ex = Assert.ThrowsAny<ArgumentException>(() => ml.MulticlassClassification.Trainers.Mlp(IrisOptions()).Fit(train, valid));
        Assert.Contains("'Label'", ex.Message);
        Assert.Contains("'other'", ex.Message);
        Assert.Contains("same fitted transformer", ex.Message);
    }

    [Fact]
    public void ValidationKeysWithFewerClasses_InAnotherOrder_AreRemapped()
    {
        var ml = new MLContext(1);
        var trainRows = Rows(ml, "iris_train.csv");
        var validRows = Rows(ml, "iris_test.csv").Where(r => r.Label != "0").Reverse().ToArray(); // classes "2", "1" only
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(trainRows));
        var train = toKey.Transform(ml.Data.LoadFromEnumerable(trainRows));
        var validView = ml.Data.LoadFromEnumerable(validRows);
        var validOwn = ml.Transforms.Conversion.MapValueToKey("Label").Fit(validView).Transform(validView);
        Assert.Equal(new[] { "2", "1" }, KeyValues(validOwn));
        var reference = ml.MulticlassClassification.Trainers.Mlp(IrisOptions()).Fit(train, toKey.Transform(validView)).Model.History;
        var remapped = ml.MulticlassClassification.Trainers.Mlp(IrisOptions()).Fit(train, validOwn).Model.History;
        Assert.Equal(reference.Epochs.Select(e => e.ValidationLoss), remapped.Epochs.Select(e => e.ValidationLoss));
    }

    [Fact]
    public void SoftLabelSlotsInAnotherOrder_AreRemappedBySlotNames()
    {
        var ml = new MLContext(1);
        var trainView = ml.Data.LoadFromEnumerable(Rows(ml, "iris_train.csv"));
        var validRows = Rows(ml, "iris_test.csv");
        var validView = ml.Data.LoadFromEnumerable(validRows);
        // One-hot soft labels: Vector<Single, 3> whose SlotNames are the classes, in the order the encoder learned them.
        var oneHot = ml.Transforms.Categorical.OneHotEncoding("Soft", "Label").Fit(trainView);
        var ownOneHot = ml.Transforms.Categorical.OneHotEncoding("Soft", "Label").Fit(ml.Data.LoadFromEnumerable(validRows.Reverse()));
        var train = oneHot.Transform(trainView);
        var validSame = oneHot.Transform(validView);
        var validOwn = ownOneHot.Transform(validView);
        Assert.NotEqual(SlotNames(validSame), SlotNames(validOwn));
        MlpMulticlassTrainer Trainer() => ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.LabelColumnName = "Soft"));
        var reference = Trainer().Fit(train, validSame).Model.History;
        var remapped = Trainer().Fit(train, validOwn).Model.History;
        Assert.Equal(reference.Epochs.Select(e => e.ValidationLoss), remapped.Epochs.Select(e => e.ValidationLoss));
        Assert.Equal(reference.Epochs.Select(e => e.ValidationMetric), remapped.Epochs.Select(e => e.ValidationMetric));
    }

    [Fact]
    public void ValidationKeysWithoutKeyValues_WhenTheTrainingKeysHaveThem_AreRejected()
    {
        var ml = new MLContext(1);
        var train = Iris(ml);
        // A key column loaded directly (Key<UInt32, 3>, no KeyValues): the same type, but nothing says which class key k is.
        var valid = ml.Data.LoadFromTextFile(TestData.PathOf("iris_test.csv"), new[]
        {
            new TextLoader.Column("Label", DataKind.UInt32, new[] { new TextLoader.Range(0) }, new KeyCount(3)),
            new TextLoader.Column("Features", DataKind.Single, 1, 4),
        }, separatorChar: ',');
        Assert.Equal(train.Schema["Label"].Type, valid.Schema["Label"].Type);
        var ex = Assert.ThrowsAny<ArgumentException>(() => ml.MulticlassClassification.Trainers.Mlp(IrisOptions()).Fit(train, valid));
        Assert.Contains("KeyValues in the training data but not in the validation data", ex.Message);
        Assert.Contains("same fitted transformer", ex.Message);
    }

    private static string[] SlotNames(IDataView data)
    {
        var values = default(VBuffer<ReadOnlyMemory<char>>);
        data.Schema["Soft"].GetSlotNames(ref values);
        return values.DenseValues().Select(v => v.ToString()).ToArray();
    }

    private static string[] KeyValues(IDataView data)
    {
        var values = default(VBuffer<ReadOnlyMemory<char>>);
        data.Schema["Label"].GetKeyValues(ref values);
        return values.DenseValues().Select(v => v.ToString()).ToArray();
    }

    // ---------------------------------------------------------------- 5. diverged or cancelled before any epoch

    private static IDataView Iris(MLContext ml)
    {
        var view = TestData.Load(ml, "iris_train.csv");
        return ml.Transforms.Conversion.MapValueToKey("Label").Fit(view).Transform(view);
    }

    [Fact]
    public void DivergenceBeforeAnyEpochFinished_Throws_NamingTheEpochAndALowerLearningRate()
    {
        var ml = new MLContext(1);
        var ex = Assert.Throws<TrainingDivergedException>(() => ml.MulticlassClassification.Trainers.Mlp(
            IrisOptions(o => { o.Optimizer = OptimizerKind.Sgd; o.LearningRate = 1e4f; o.HiddenLayerSizes = new[] { 32, 32 }; })).Fit(Iris(ml)));
        Assert.Equal(1, ex.Epoch);
        Assert.Contains("epoch 1", ex.Message);
        Assert.Contains("lower LearningRate", ex.Message);
        Assert.Contains("10000", ex.Message);
    }

    [Fact]
    public void HugeInitializationGain_Throws_InsteadOfReturningNonFiniteScores()
    {
        var ml = new MLContext(1);
        Assert.Throws<TrainingDivergedException>(() => ml.MulticlassClassification.Trainers.Mlp(
            IrisOptions(o => { o.WeightInitialization = WeightInitialization.Orthogonal; o.InitializationGain = 1e30f; })).Fit(Iris(ml)));
    }

    [Fact]
    public void TokenCancelledBeforeFit_ThrowsOperationCanceled()
    {
        var ml = new MLContext(1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var ex = Assert.ThrowsAny<OperationCanceledException>(() =>
            ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.CancellationToken = cts.Token)).Fit(Iris(ml)));
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    private sealed class FeaturesIn { [VectorType(4)] public float[] Features { get; set; } = new float[4]; }
    private sealed class FeaturesOut { [VectorType(4)] public float[] Copied { get; set; } = new float[4]; }

    [Fact]
    public void TokenCancelledWhileTheDataIsRead_ThrowsOperationCanceled_InsteadOfReturningInitialWeights()
    {
        var ml = new MLContext(1);
        using var cts = new CancellationTokenSource();
        int rows = 0;
        // The features pass through a mapping that cancels the token at the last row: Fit has started, no epoch has run.
        var data = ml.Transforms.CustomMapping<FeaturesIn, FeaturesOut>((i, o) => { i.Features.CopyTo(o.Copied, 0); if (++rows == 120) cts.Cancel(); }, null)
            .Fit(Iris(ml)).Transform(Iris(ml));
        var ex = Assert.ThrowsAny<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o =>
        {
            o.FeatureColumnName = "Copied"; o.CancellationToken = cts.Token; o.ReloadDataEachEpoch = false;
        })).Fit(data));
        Assert.Equal(120, rows);
        Assert.Contains("before any epoch finished", ex.Message);
    }

    [Fact]
    public void TheFinalCheck_RejectsNonFiniteWeightsStatisticsAndOutputs()
    {
        var ml = new MLContext(1);
        var model = ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.BatchNormalization = true)).Fit(Iris(ml));
        var network = model.Model.Network;
        var rows = new DenseDataset(new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.1f, float.NaN, 0.3f, 0.4f }, 4, new float[6], 3, null, 2);
        var first = new DenseDataset(rows.Features, 4, rows.Targets, 3, null, 1);
        Assert.True(MlpTrainingLoop.GivesFiniteOutputs(network, first));
        Assert.False(MlpTrainingLoop.GivesFiniteOutputs(network, rows)); // finite weights, a NaN output
        var bn = network.Layers.OfType<BatchNormLayer>().Single();
        float saved = bn.RunningVariance[0];
        bn.RunningVariance[0] = float.NaN;
        Assert.False(MlpTrainingLoop.GivesFiniteOutputs(network, first));
        bn.RunningVariance[0] = saved;
        // Rows held only as lists of their non-zeros are read from the lists.
        var sparse = new float[64 * 4];
        for (int r = 0; r < 64; r++) sparse[r * 4 + r % 4] = 0.5f;
        var listed = new DenseDataset(SparseRows.TryBuild(new DenseDataset(sparse, 4, new float[64 * 3], 3, null, 64))!, new float[64 * 3], 3, null);
        Assert.Null(listed.DenseFeatures);
        Assert.True(MlpTrainingLoop.GivesFiniteOutputs(network, listed));
        sparse[5 * 4 + 1] = float.NaN;
        var listedNaN = new DenseDataset(SparseRows.TryBuild(new DenseDataset(sparse, 4, new float[64 * 3], 3, null, 64))!, new float[64 * 3], 3, null);
        Assert.False(MlpTrainingLoop.GivesFiniteOutputs(network, listedNaN));
        Assert.Null(listedNaN.DenseFeatures); // the check did not build the dense rows
        var dense = network.Layers.OfType<DenseLayer>().Last();
        dense.Weights.Value[0] = float.PositiveInfinity;
        Assert.False(MlpTrainingLoop.GivesFiniteOutputs(network, first));
    }

    // ---------------------------------------------------------------- 6. option gaps

    [Fact]
    public void HiddenLayersTooLargeForAnArrayOrForMemory_AreRejectedByName()
    {
        var ml = new MLContext(1);
        var tooWide = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.HiddenLayerSizes = new[] { int.MaxValue })));
        Assert.Equal("HiddenLayerSizes", tooWide.ParamName);
        Assert.Contains("more than one array can hold", tooWide.Message);

        // 100 layers of 40,000 units: 160 billion weights, terabytes with their gradients and Adam's state.
        var tooBig = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.HiddenLayerSizes = Enumerable.Repeat(40_000, 100).ToArray())));
        Assert.Equal("HiddenLayerSizes", tooBig.ParamName);
        Assert.Contains("GB", tooBig.Message);
        Assert.Contains("this process may use", tooBig.Message);

        // Fits with one input; with the 64 inputs of the digits, 64 × 2^25 weights are more than an array holds: at Fit.
        var trainer = ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.HiddenLayerSizes = new[] { 1 << 25 }));
        var view = TestData.Load(ml, "digits_train.csv");
        var digits = ml.Transforms.Conversion.MapValueToKey("Label").Fit(view).Transform(view);
        var atFit = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(digits));
        Assert.Equal("HiddenLayerSizes", atFit.ParamName);
        Assert.Contains("64 × 33,554,432", atFit.Message);
    }

    [Fact]
    public void Footprint_CountsParametersOptimizerStateAndBatchBuffers()
    {
        var o = new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 512, 512 } };
        var f = OptionsValidation.Footprint(o, 784, 10, 10, 32);
        long parameters = 784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10;
        Assert.Equal(parameters, f.ParameterValues);
        Assert.Equal(5 * parameters, f.ParameterFloats); // value, gradient, best copy, Adam's two moments
        Assert.Equal(33L * (2 * (512 + 512 + 512 + 512 + 10) + 10 + 2 * (784 + 10 + 1)), f.BatchFloats);
        OptionsValidation.CheckFootprint(o, 784, 10, 10, 32, 1L << 30, "test"); // 13 MB: fits in 1 GB
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => OptionsValidation.CheckFootprint(o, 784, 10, 10, 32, 1L << 20, "test"));
        Assert.Equal("HiddenLayerSizes", ex.ParamName);
        Assert.Contains("669,706 parameters", ex.Message);
        var narrow = new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 8 }, BatchSize = 200_000 };
        var batch = Assert.Throws<ArgumentOutOfRangeException>(() => OptionsValidation.CheckFootprint(narrow, 784, 10, 10, 200_000, 1L << 28, "test"));
        Assert.Equal("BatchSize", batch.ParamName);
        Assert.Contains("200,000 rows", batch.Message);
    }

    [Fact]
    public void BatchSizeBeyondTheRowCount_TrainsAsOneBatch_WithBuffersSizedByTheRows()
    {
        var ml = new MLContext(1);
        var data = Iris(ml);
        MlpMulticlassPredictionTransformer Fit(int batch) =>
            ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => { o.BatchSize = batch; o.NumberOfEpochs = 3; })).Fit(data);
        var reference = Fit(120); // iris_train.csv has 120 rows
        var huge = Fit(int.MaxValue);
        Assert.Equal(reference.Model.DenseLayers.SelectMany(l => l.Weights), huge.Model.DenseLayers.SelectMany(l => l.Weights));

        long before = GC.GetAllocatedBytesForCurrentThread();
        Fit(120);
        long rows = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        Fit(1_000_000); // buffers for a million rows would be > 100 MB
        long million = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(million < rows + (1 << 20), $"BatchSize 1,000,000 allocated {million:N0} bytes, BatchSize 120 {rows:N0}.");
    }

    [Fact]
    public void OptionsChangedAfterTheTrainerWasBuilt_AreCheckedAgainAtFit()
    {
        var ml = new MLContext(1);
        var data = Iris(ml);
        var options = IrisOptions();
        var trainer = ml.MulticlassClassification.Trainers.Mlp(options);
        options.LearningRate = -1f;
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data)).ParamName);
        options.LearningRate = 0.01f;
        options.ClassWeights = new[] { 0f, 0f, 0f };
        Assert.Equal("ClassWeights", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data)).ParamName);
        options.ClassWeights = null;
        options.HiddenLayerSizes = new[] { int.MaxValue };
        Assert.Equal("HiddenLayerSizes", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data)).ParamName);
    }

    [Fact]
    public void ClassWeights_AllZero_OrZeroForEveryClassPresent_AreRejected()
    {
        var ml = new MLContext(1);
        var zeros = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.ClassWeights = new[] { 0f, 0f, 0f })));
        Assert.Equal("ClassWeights", zeros.ParamName);
        Assert.Contains("at least one class weight must be positive", zeros.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ClassWeights", Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.ClassWeights = new[] { 1f, float.NaN, 1f }))).ParamName);
        // An empty array and an empty weight-column name are refused when the trainer is built, not first at Fit.
        var empty = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.ClassWeights = Array.Empty<float>())));
        Assert.Equal("ClassWeights", empty.ParamName);
        Assert.Contains("empty", empty.Message);
        Assert.Equal("ExampleWeightColumnName", Assert.Throws<ArgumentException>(() =>
            ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.ExampleWeightColumnName = ""))).ParamName);

        // Keys for 3 classes, but only classes "0" and "1" occur in the rows trained on, and both weigh 0.
        var rows = Rows(ml, "iris_train.csv");
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(rows));
        var twoClasses = toKey.Transform(ml.Data.LoadFromEnumerable(rows.Where(r => r.Label != "2")));
        var ex = Assert.Throws<InvalidOperationException>(() =>
            ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.ClassWeights = new[] { 0f, 0f, 1f })).Fit(twoClasses));
        Assert.Contains("ClassWeights", ex.Message);
        Assert.Contains("weighs 0", ex.Message);
        // One class present with a positive weight is enough.
        ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => o.ClassWeights = new[] { 0f, 1f, 1f })).Fit(twoClasses);
    }

    // ---------------------------------------------------------------- 7. models hold only what inference reads

    [Fact]
    public void BuildingANetworkFromWeights_AllocatesNoGradients()
    {
        int[] widths = { 784, 512, 512, 10 };
        var layers = new List<Layer>();
        for (int i = 0; i + 1 < widths.Length; i++)
        {
            layers.Add(new DenseLayer(widths[i], widths[i + 1], $"dense{i}"));
            if (i + 2 < widths.Length) layers.Add(new ActivationLayer(widths[i + 1], Activation.Relu));
        }
        var network = new MultilayerPerceptron(layers);
        // (Not measured with GC.GetAllocatedBytesForCurrentThread: the aligned allocation of the weights retries when
        // another thread's pinned allocation slips in, so the bytes vary with the tests running alongside.)
        Assert.All(network.Parameters, p => Assert.False(p.HasGradient)); // 2.6 MB of gradients before
        Assert.Equal(0, network.TrainingStateBytes);
        // Scoring needs none.
        var x = new float[784];
        var output = new float[10];
        network.Predict(x, output, 1, new float[network.MaxWidth], new float[network.MaxWidth]);
        Assert.Equal(0, network.TrainingStateBytes);
        // Training allocates them when it needs them, and the network releases them again.
        var random = default(MlNetExtensions.Randomness.RandomStream);
        network.Forward(x, 1, training: true, ref random);
        network.Backward(x, new float[10], 1);
        Assert.All(network.Parameters, p => Assert.True(p.HasGradient));
        Assert.True(network.TrainingStateBytes > 4L * network.Parameters.Sum(p => (long)p.Length));
        network.ReleaseTrainingState();
        Assert.Equal(0, network.TrainingStateBytes);
    }

    [Fact]
    public void TrainedAndLoadedModels_HoldNoTrainingState()
    {
        var ml = new MLContext(1);
        var data = Iris(ml);
        var model = ml.MulticlassClassification.Trainers.Mlp(IrisOptions(o => { o.BatchNormalization = true; o.HiddenDropoutRate = 0.1f; })).Fit(data);
        Assert.Equal(0, model.Model.Network.TrainingStateBytes);
        Assert.All(model.Model.Network.Parameters, p => Assert.False(p.HasGradient));

        using var stream = new MemoryStream();
        ml.Model.Save(model, data.Schema, stream);
        stream.Position = 0;
        var loader = new MLContext(2);
        loader.ComponentCatalog.RegisterMlNetExtensions();
        var loaded = (MlpMulticlassPredictionTransformer)loader.Model.Load(stream, out _);
        Assert.Equal(0, loaded.Model.Network.TrainingStateBytes);
        Assert.All(loaded.Model.Network.Parameters, p => Assert.False(p.HasGradient));
        // Scoring allocates none either, and gives the trained model's scores.
        var scores = model.Transform(data).GetColumn<float[]>("Score").ToArray();
        var loadedScores = loaded.Transform(data).GetColumn<float[]>("Score").ToArray();
        Assert.Equal(scores.SelectMany(s => s), loadedScores.SelectMany(s => s));
        Assert.All(loaded.Model.Network.Parameters, p => Assert.False(p.HasGradient));
    }
}
