using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Transforms.Tests;

public class LabelSmoothingAndNoiseTests
{
    private static (float[][] Soft, string[] SlotNames) Smooth(float epsilon, LabelSmoothingForm form, bool training)
    {
        var ml = new MLContext(1);
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.View(ml, 9));
        var data = keys.Transform(TestData.View(ml, 9));
        var transformer = ml.Transforms.SmoothLabels("Soft", "Label", epsilon, form).Fit(data);
        var view = training ? transformer.TransformForTraining(data) : transformer.Transform(keys.Transform(TestData.View(ml, 9)));
        VBuffer<ReadOnlyMemory<char>> names = default;
        view.Schema["Soft"].GetSlotNames(ref names);
        return (TestData.ReadVectors(view, "Soft"), names.DenseValues().Select(n => n.ToString()).ToArray());
    }

    [Theory]
    [InlineData(LabelSmoothingForm.Lecture, 0.9f, 0.05f)]
    [InlineData(LabelSmoothingForm.Uniform, 1f - 0.1f + 0.1f / 3, 0.1f / 3)]
    public void SoftTargetsMatchTheFormulaAndSumToOne(LabelSmoothingForm form, float on, float off)
    {
        var (soft, names) = Smooth(0.1f, form, training: true);
        Assert.Equal(new[] { "0", "1", "2" }, names); // the classes' names (MapValueToKey's order of appearance)
        for (int i = 0; i < soft.Length; i++)
        {
            Assert.Equal(1f, soft[i].Sum(), 5);
            int label = i % 3; // rows' labels 0, 1, 2, … are keys 1, 2, 3
            for (int k = 0; k < 3; k++) Assert.Equal(k == label ? on : off, soft[i][k], 6);
        }
    }

    [Fact]
    public void OutsideTrainingTheTargetIsOneHot()
    {
        var (soft, _) = Smooth(0.3f, LabelSmoothingForm.Lecture, training: false);
        for (int i = 0; i < soft.Length; i++)
            Assert.Equal(Enumerable.Range(0, 3).Select(k => k == i % 3 ? 1f : 0f).ToArray(), soft[i]);
    }

    [Fact]
    public void LabelSmoothingRejectsBadInput()
    {
        var ml = new MLContext(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SmoothLabels("Soft", "Label", epsilon: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SmoothLabels("Soft", "Label", epsilon: -0.1f));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SmoothLabels("Soft", "Label").Fit(TestData.View(ml, 3)));
        Assert.Contains("'Label' must be a key", e.Message);
        // The lecture's ε/(K−1) per wrong class: with 3 classes ε must stay below 2/3 (0.6 fits; 0.7 would give each
        // wrong class 0.35 against the true class's 0.3); the uniform form has no such limit.
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.View(ml, 9)).Transform(TestData.View(ml, 9));
        _ = ml.Transforms.SmoothLabels("Soft", "Label", epsilon: 0.6f).Fit(keyed);
        var tooMuch = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SmoothLabels("Soft", "Label", epsilon: 0.7f).Fit(keyed));
        Assert.Equal("Epsilon", tooMuch.ParamName);
        Assert.Contains("3 classes", tooMuch.Message);
        _ = ml.Transforms.SmoothLabels("Soft", "Label", epsilon: 0.7f, form: LabelSmoothingForm.Uniform).Fit(keyed);
    }

    private static float[] NoisyValues(NoiseInjectionOptions options, float value)
    {
        var ml = new MLContext(1);
        var rows = Enumerable.Range(0, 200).Select(_ => new Row { Pixels = Enumerable.Repeat(value, 64).ToArray() }).ToArray();
        var data = ml.Data.LoadFromEnumerable(rows);
        options.OutputColumnName = "Pixels";
        var transformer = ml.Transforms.InjectNoise(options).Fit(data);
        return TestData.ReadVectors(transformer.TransformForTraining(data), "Pixels").SelectMany(v => v).ToArray();
    }

    [Fact]
    public void AdditiveNoiseHasTheRequestedMeanAndVariance()
    {
        var v = NoisyValues(new NoiseInjectionOptions { StandardDeviation = 0.5f }, 2f);
        double mean = v.Average(), variance = v.Select(x => (x - mean) * (x - mean)).Average();
        Assert.Equal(2.0, mean, 1);
        Assert.InRange(variance, 0.25 * 0.95, 0.25 * 1.05);
    }

    [Fact]
    public void MultiplicativeNoiseHasTheRequestedMeanAndVariance()
    {
        var v = NoisyValues(new NoiseInjectionOptions { Kind = NoiseKind.MultiplicativeGaussian, StandardDeviation = 0.2f }, 3f);
        double mean = v.Average(), variance = v.Select(x => (x - mean) * (x - mean)).Average();
        Assert.Equal(3.0, mean, 1);
        Assert.InRange(variance, 0.36 * 0.95, 0.36 * 1.05); // (3 · 0.2)²
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MaskingZeroesTheRequestedFraction(bool inverted)
    {
        var v = NoisyValues(new NoiseInjectionOptions { Kind = NoiseKind.Masking, MaskProbability = 0.25f, InvertedScaling = inverted }, 1f);
        double zeroFraction = v.Count(x => x == 0f) / (double)v.Length;
        Assert.InRange(zeroFraction, 0.23, 0.27);
        float kept = inverted ? 1f / 0.75f : 1f;
        Assert.All(v, x => Assert.True(x == 0f || Math.Abs(x - kept) < 1e-6f));
        if (inverted) Assert.Equal(1.0, v.Average(), 1); // expected value preserved
    }

    [Fact]
    public void NoiseOptionsAreValidatedByName()
    {
        var ml = new MLContext(1);
        Assert.Equal("StandardDeviation", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.InjectNoise("Pixels", standardDeviation: -1)).ParamName);
        Assert.Equal("MaskProbability", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.InjectNoise("Pixels", kind: NoiseKind.Masking, maskProbability: 1.2f)).ParamName);
        Assert.Equal("Epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.SmoothLabels("Label", epsilon: 1f)).ParamName);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.InjectNoise("Label").Fit(TestData.View(ml, 2)));
        Assert.Contains("'Label' must be a Vector<Single>", e.Message);
    }
}
