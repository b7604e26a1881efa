using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>Adversarial training (FGSM, <see cref="MlpTrainerOptionsBase.AdversarialEpsilon"/>) and <see cref="MlpAdversarialExamples"/>.</summary>
public class AdversarialTrainingTests
{
    private static MultilayerPerceptron SmallNetwork(ulong seed, Activation activation = Activation.Tanh)
    {
        var random = RandomStream.For(seed, 3);
        return MultilayerPerceptron.Create(new NetworkSpec(5, new[] { 6 }, 3, activation), new MlNetExtensions.Trainers.Initialization.HeNormalInitializer(), ref random);
    }

    [Fact]
    public void TheInputGradient_MatchesFiniteDifferences()
    {
        var network = SmallNetwork(1);
        var loss = new SoftmaxCrossEntropyLoss(3);
        const int batch = 4;
        var random = RandomStream.For(9, 9);
        var x = Enumerable.Range(0, batch * 5).Select(_ => (float)random.NextGaussian()).ToArray();
        var t = new float[batch * 3];
        for (int r = 0; r < batch; r++) t[r * 3 + r % 3] = 1f;
        var dOut = new float[batch * 3];
        var dx = new float[batch * 5];
        var dummy = default(RandomStream);
        loss.Compute(network.Forward(x, batch, false, ref dummy), t, ReadOnlySpan<float>.Empty, batch, dOut);
        network.Backward(x, null, dOut, batch, -1, null, dx);
        double Loss(float[] input)
        {
            var d = default(RandomStream);
            return loss.Compute(network.Forward(input, batch, false, ref d), t, ReadOnlySpan<float>.Empty, batch, new float[batch * 3]);
        }
        // Compute returns the loss summed over the batch and the gradient of its mean: dx is ∂(mean)/∂x.
        const double scale = batch;
        for (int i = 0; i < x.Length; i++)
        {
            var plus = (float[])x.Clone(); plus[i] += 1e-2f;
            var minus = (float[])x.Clone(); minus[i] -= 1e-2f;
            double numeric = (Loss(plus) - Loss(minus)) / 2e-2;
            Assert.True(Math.Abs(numeric - dx[i] * scale) <= 2e-3 + 2e-2 * Math.Abs(numeric), $"slot {i}: analytic {dx[i]}, numeric {numeric}");
        }
    }

    [Fact]
    public void AnAdversarialStep_MixesTheCleanAndTheAdversarialGradients_ByTheLossWeight()
    {
        const int batch = 3, d = 5;
        const float epsilon = 0.25f, w = 0.3f;
        var random = RandomStream.For(4, 4);
        var raw = Enumerable.Range(0, 6 * d).Select(_ => (float)random.NextGaussian()).ToArray();
        var targets = new float[6 * 3];
        for (int r = 0; r < 6; r++) targets[r * 3 + r % 3] = 1f;
        var rawSet = new DenseDataset(raw, d, targets, 3, null, 6);
        var pre = InputPreprocessing.Identity(d);
        int[] rows = { 4, 1, 2 };
        var x = rows.SelectMany(r => raw.Skip(r * d).Take(d)).ToArray();
        var t = rows.SelectMany(r => targets.Skip(r * 3).Take(3)).ToArray();
        var loss = new SoftmaxCrossEntropyLoss(3);

        // By hand: the clean gradients, the input gradient, the FGSM batch, its gradients.
        var reference = SmallNetwork(2, Activation.Relu);
        var dummy = default(RandomStream);
        var dOut = new float[batch * 3];
        var dx = new float[batch * d];
        loss.Compute(reference.Forward(x, batch, true, ref dummy), t, ReadOnlySpan<float>.Empty, batch, dOut);
        reference.Backward(x, null, dOut, batch, -1, null, dx);
        var clean = reference.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        var xAdv = x.Select((v, i) => v + epsilon * MathF.Sign(dx[i])).ToArray();
        double advLossByHand = loss.Compute(reference.Forward(xAdv, batch, true, ref dummy), t, ReadOnlySpan<float>.Empty, batch, dOut);
        reference.Backward(xAdv, dOut, batch);
        var adv = reference.Parameters.Select(p => p.Gradient.ToArray()).ToArray();

        // The same through AdversarialTraining.Step on a network with the same weights.
        var network = SmallNetwork(2, Activation.Relu);
        var training = new AdversarialTraining(epsilon, w, rawSet, pre);
        loss.Compute(network.Forward(x, batch, true, ref dummy), t, ReadOnlySpan<float>.Empty, batch, dOut);
        network.Backward(x, null, dOut, batch, -1, null, training.InputGradient(batch));
        double advLoss = training.Step(network, loss, network.Parameters, rows, t, ReadOnlySpan<float>.Empty, dOut, ref dummy);
        Assert.Equal(advLossByHand, advLoss, 10);
        for (int k = 0; k < clean.Length; k++)
            for (int i = 0; i < clean[k].Length; i++)
                Assert.Equal((1 - w) * clean[k][i] + w * adv[k][i], network.Parameters[k].Gradient[i], 5);
    }

    private static (IDataView Train, IDataView Test, ITransformer Keys) Digits(MLContext ml)
    {
        var train = TestData.Load(ml, "digits_train.csv");
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        return (keys.Transform(train), keys.Transform(TestData.Load(ml, "digits_test.csv")), keys);
    }

    private static MlpMulticlassTrainer.Options DigitsOptions(float epsilon) => new()
    {
        HiddenLayerSizes = new[] { 64 }, NumberOfEpochs = 30, Seed = 1, AdversarialEpsilon = epsilon,
    };

    [Fact]
    public void FgsmExamples_MoveEverySlotByEpsilonOrNotAtAll_AndRaiseTheLoss()
    {
        var ml = new MLContext(seed: 1);
        var (train, test, _) = Digits(ml);
        var model = ml.MulticlassClassification.Trainers.Mlp(DigitsOptions(0)).Fit(train);
        const float epsilon = 0.05f;
        var examples = ml.MulticlassClassification.FgsmExamplesOfMlp(model, test, epsilon);
        var before = test.GetColumn<float[]>("Features").ToArray();
        var after = examples.GetColumn<float[]>("Features").ToArray();
        Assert.Equal(before.Length, after.Length);
        int moved = 0;
        for (int r = 0; r < before.Length; r++)
            for (int j = 0; j < before[r].Length; j++)
            {
                float delta = Math.Abs(after[r][j] - before[r][j]);
                Assert.True(delta == 0f || Math.Abs(delta - epsilon) < 1e-6f, $"row {r} slot {j} moved by {delta}");
                if (delta > 0) moved++;
            }
        Assert.True(moved > before.Length * 30, $"only {moved} slots moved"); // most of the 64 pixels have a gradient
        var clean = ml.MulticlassClassification.Evaluate(model.Transform(test));
        var attacked = ml.MulticlassClassification.Evaluate(model.Transform(examples));
        Assert.True(attacked.LogLoss > clean.LogLoss, $"log-loss {attacked.LogLoss:F4} under attack, {clean.LogLoss:F4} clean");
        // ε = 0: the data unchanged.
        var same = ml.MulticlassClassification.FgsmExamplesOfMlp(model, test, 0f).GetColumn<float[]>("Features").ToArray();
        Assert.Equal(before, same);
    }

    [Fact]
    public void AdversarialTraining_RaisesAccuracyUnderAnFgsmAttack_OnDigits()
    {
        var ml = new MLContext(seed: 1);
        var (train, test, _) = Digits(ml);
        const float epsilon = 0.1f;
        var plain = ml.MulticlassClassification.Trainers.Mlp(DigitsOptions(0)).Fit(train);
        var robust = ml.MulticlassClassification.Trainers.Mlp(DigitsOptions(epsilon)).Fit(train);
        double Accuracy(ITransformer m, IDataView d) => ml.MulticlassClassification.Evaluate(m.Transform(d)).MicroAccuracy;
        double plainAttacked = Accuracy(plain, ml.MulticlassClassification.FgsmExamplesOfMlp(plain, test, epsilon));
        double robustAttacked = Accuracy(robust, ml.MulticlassClassification.FgsmExamplesOfMlp(robust, test, epsilon));
        double robustClean = Accuracy(robust, test);
        Assert.True(robustAttacked > plainAttacked + 0.1, $"under an ε = {epsilon} attack: {robustAttacked:F4} with adversarial training, {plainAttacked:F4} without");
        Assert.True(robustClean >= 0.93, $"clean accuracy with adversarial training {robustClean:F4}");
    }

    [Fact]
    public void BinaryAndRegressionExamples_AreMade_AndRaiseTheError()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var test = TestData.Load(ml, "breast_cancer_test.csv", DataKind.Boolean);
        var binary = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { NumberOfEpochs = 20, Seed = 1 }).Fit(train);
        var examples = ml.BinaryClassification.FgsmExamplesOfMlp(binary, test, 0.5f);
        Assert.True(ml.BinaryClassification.Evaluate(binary.Transform(examples)).LogLoss > ml.BinaryClassification.Evaluate(binary.Transform(test)).LogLoss);

        var rTrain = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
        var rTest = TestData.Load(ml, "diabetes_test.csv", DataKind.Single);
        var regression = ml.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options { NumberOfEpochs = 20, Seed = 1 }).Fit(rTrain);
        var rExamples = ml.Regression.FgsmExamplesOfMlp(regression, rTest, 0.02f);
        Assert.True(ml.Regression.Evaluate(regression.Transform(rExamples)).MeanSquaredError > ml.Regression.Evaluate(regression.Transform(rTest)).MeanSquaredError);
    }

    [Fact]
    public void BadAdversarialOptions_AreRefusedNamingTheOption()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        MlpBinaryTrainer.Options O(Action<MlpBinaryTrainer.Options> set) { var o = new MlpBinaryTrainer.Options { NumberOfEpochs = 1, Seed = 1 }; set(o); return o; }
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp(O(o => o.AdversarialEpsilon = -0.1f)));
        Assert.Equal(nameof(MlpTrainerOptionsBase.AdversarialEpsilon), e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp(O(o => o.AdversarialLossWeight = 0f)));
        Assert.Equal(nameof(MlpTrainerOptionsBase.AdversarialLossWeight), e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp(O(o => o.AdversarialLossWeight = 1.5f)));
        Assert.Equal(nameof(MlpTrainerOptionsBase.AdversarialLossWeight), e.ParamName);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.Mlp(O(o =>
        {
            o.AdversarialEpsilon = 0.1f; o.ValidationFraction = 0.2f; o.ValidationDataReuse = ValidationDataReuse.RetrainSameEpochs;
        })));
        Assert.Equal(nameof(MlpTrainerOptionsBase.AdversarialEpsilon), e.ParamName);
        Assert.Contains("ValidationDataReuse", e.Message);
        var reload = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.Mlp(O(o => { o.AdversarialEpsilon = 0.1f; o.ReloadDataEachEpoch = true; })).Fit(train));
        Assert.Equal(nameof(MlpTrainerOptionsBase.AdversarialEpsilon), reload.ParamName);
        var model = ml.BinaryClassification.Trainers.Mlp(O(_ => { })).Fit(train);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.FgsmExamplesOfMlp(model, train, float.NaN));
        var noLabel = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.FgsmExamplesOfMlp(model, train, 0.1f, "Nope"));
        Assert.Contains("'Nope'", noLabel.Message);
    }
}
