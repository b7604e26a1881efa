using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>The preprocessing learned from training rows: slot kinds, medians, robust scales, zeros kept, missing values.</summary>
public class InputPreprocessingTests
{
    private static DenseDataset Set(float[][] rows)
    {
        int d = rows[0].Length;
        return new DenseDataset(rows.SelectMany(r => r).ToArray(), d, new float[rows.Length], 1, null, rows.Length);
    }

    private static float Clip(double y) => (float)(y / Math.Sqrt(1 + y * y / 9));

    [Fact]
    public void SlotKinds_MediansAndRobustScales_AreTheTrainingRowsOwn()
    {
        // Slot 0 continuous (1..9, one NaN), slot 1 one-hot 0/1, slot 2 constant, slot 3 two values {2, 5}, slot 4 mostly zeros.
        var rows = new List<float[]>();
        for (int i = 1; i <= 9; i++)
            rows.Add(new[] { i == 4 ? float.NaN : i, i % 3 == 0 ? 1f : 0f, 7f, i < 5 ? 2f : 5f, i <= 6 ? 0f : i * 10f });
        var p = InputPreprocessing.Fit(Set(rows.ToArray()), normalize: true);

        Assert.Equal(new[] { InputSlotKind.Continuous, InputSlotKind.Binary, InputSlotKind.Constant, InputSlotKind.Binary, InputSlotKind.Continuous }, p.Kinds);
        // Slot 0: finite values 1,2,3,5,6,7,8,9: lower median (rank 3) 5, quartiles rank 1 → 2 and rank 5 → 7.
        Assert.Equal(5f, p.Fill[0]);
        Assert.Equal(5f, p.Shift[0]);
        Assert.Equal(1f / 5f, p.Scale[0]);
        Assert.Equal(0f, p.Offset[0]); // no zeros: not anchored
        Assert.Equal(new[] { 0 }, p.Indicators);
        Assert.Equal(6, p.OutputCount);
        // Slot 3: {2, 5} → 0 and 1 exactly.
        Assert.Equal(0f, p.TransformOne(3, 2f));
        Assert.Equal(1f, p.TransformOne(3, 5f));
        // Slot 2: constant, enters as 0 whatever the value.
        Assert.Equal(0f, p.TransformOne(2, 123f));
        // Slot 4: 6 zeros of 9: median 0, quartiles 0 and 70 → scale 1/70; anchored (0 → 0).
        Assert.Equal(0f, p.Shift[4]);
        Assert.Equal(1f / 70f, p.Scale[4]);
        Assert.Equal(0f, p.TransformOne(4, 0f));
        Assert.Equal(Clip(90 / 70.0), p.TransformOne(4, 90f), 6);
    }

    [Fact]
    public void Continuous_IsRobustScaledThenSmoothlyClipped()
    {
        var rows = Enumerable.Range(0, 101).Select(i => new[] { (float)i, i == 100 ? 1e6f : i * 2f }).ToArray();
        var p = InputPreprocessing.Fit(Set(rows), normalize: true);
        Assert.Equal(50f, p.Shift[0]);
        Assert.Equal(1f / 50f, p.Scale[0]); // quartiles 25 and 75
        Assert.Equal(0f, p.Offset[0]); // one zero in 101 values: stays centred, not anchored
        foreach (float x in new[] { 0f, 10f, 50f, 77f, 100f, -1000f, 1e9f })
            Assert.Equal(Clip((x - 50) / 50.0), p.TransformOne(0, x), 5);
        // Slot 1's outlier gives it a long right tail: it is a log slot, and still bounded within ±3 and ordered.
        Assert.Equal(InputSlotKind.LogContinuous, p.Kinds[1]);
        Assert.InRange(p.TransformOne(1, 1e6f), 0f, 3f);
        Assert.InRange(p.TransformOne(1, 1e30f), p.TransformOne(1, 1e6f), 3f);
        Assert.Equal(p.TransformOne(1, 0f), p.TransformOne(1, -1e30f)); // a negative value counts as 0
    }

    /// <summary>A skewed non-negative slot is robust-scaled after ln(1 + x/m), m the median of its positive values; a
    /// symmetric one, a skewed one with negatives and a mostly-zero one are not.</summary>
    [Fact]
    public void ASkewedNonNegativeSlot_IsScaledAfterALogarithm()
    {
        // Slot 0: 1, 2, 4, ..., 2^10 (skewed, positive); slot 1: −5..5 (symmetric); slot 2: slot 0 minus 3 (skewed with
        // negatives); slot 3: mostly zeros with a long tail.
        var rows = Enumerable.Range(0, 11).Select(i => new[] { MathF.Pow(2, i), i - 5f, MathF.Pow(2, i) - 3f, i < 8 ? 0f : MathF.Pow(10, i - 7) }).ToArray();
        var p = InputPreprocessing.Fit(Set(rows), normalize: true);
        Assert.Equal(new[] { InputSlotKind.LogContinuous, InputSlotKind.Continuous, InputSlotKind.Continuous, InputSlotKind.Continuous }, p.Kinds);
        Assert.Equal(32f, p.LogScale[0]); // median of 1..1024 in powers of two
        Assert.Equal(new[] { 0f, 0f, 0f }, p.LogScale[1..]);
        Assert.Equal(32f, p.Fill[0]); // a missing value gets the raw median
        float Ln(float x) => MathF.Log(1f + x / 32f);
        Assert.Equal(Ln(32f), p.Shift[0]); // the median of the logs
        Assert.Equal((float)(1.0 / ((double)Ln(128f) - Ln(4f))), p.Scale[0]); // their quartiles (ranks 2 and 7: 4 and 128)
        Assert.Equal(Clip(((double)Ln(100f) - Ln(32f)) * p.Scale[0]), p.TransformOne(0, 100f), 5);
        Assert.Equal(p.TransformOne(0, 32f), p.TransformOne(0, float.NaN));
    }

    [Fact]
    public void ASlotWithAQuarterZeros_IsShiftedSoThatZeroStaysZero()
    {
        // 3 zeros in 12 values (a quarter), the others 1..9: lower median rank 5 → 3, quartiles rank 2 → 0 and rank 8 → 6.
        var values = new float[] { 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var p = InputPreprocessing.Fit(Set(values.Select(v => new[] { v }).ToArray()), normalize: true);
        Assert.Equal(3f, p.Shift[0]);
        Assert.Equal(1f / 6f, p.Scale[0]);
        Assert.Equal(Clip(-3 / 6.0), p.Offset[0], 6);
        Assert.Equal(0f, p.TransformOne(0, 0f));
        Assert.True(p.PreservesZeros);
        foreach (float x in new[] { 1f, 3f, 9f, 100f, -5f })
            Assert.Equal(Clip((x - 3) / 6.0) - Clip(-0.5), p.TransformOne(0, x), 5);
        // Two zeros in 12 (below a quarter): centred, so 0 no longer maps to 0 and rows cannot stay lists.
        values[2] = 10f;
        var centred = InputPreprocessing.Fit(Set(values.Select(v => new[] { v }).ToArray()), normalize: true);
        Assert.Equal(0f, centred.Offset[0]);
        Assert.False(centred.PreservesZeros);
    }

    [Fact]
    public void ZeroSpread_FallsBackToTheMedianDeviation()
    {
        // 8 of 11 values are 0: the quartiles are both 0; the values away from the median (4, 6 and 8) have median deviation 6.
        var rows = new float[][] { new[] { 4f }, new[] { 8f } }.Concat(Enumerable.Repeat(new[] { 0f }, 8)).Concat(new[] { new[] { 6f } }).ToArray();
        var p = InputPreprocessing.Fit(Set(rows), normalize: true);
        Assert.Equal(InputSlotKind.Continuous, p.Kinds[0]);
        Assert.Equal(1f / 6f, p.Scale[0]); // values 4, 8, 6 away from 0: median 6
        Assert.True(p.PreservesZeros);
    }

    [Fact]
    public void Transform_VectorPathGivesTheScalarBits_AndIndicatorsMarkNaN()
    {
        var random = new Random(5);
        int d = 37, n = 200;
        var rows = Enumerable.Range(0, n).Select(r => Enumerable.Range(0, d).Select(j =>
            j % 5 == 0 && random.NextDouble() < 0.1 ? float.NaN
            : j % 7 == 0 ? (random.NextDouble() < 0.5 ? 0f : 1f)
            : j % 4 == 0 && random.NextDouble() < 0.6 ? 0f
            : j % 3 == 0 ? (float)Math.Exp(random.NextDouble() * 8) // skewed and positive: log slots
            : (float)(random.NextDouble() * 100 - 20)).ToArray()).ToArray();
        var p = InputPreprocessing.Fit(Set(rows), normalize: true);
        Assert.Contains(InputSlotKind.LogContinuous, p.Kinds);
        Assert.Contains(InputSlotKind.Continuous, p.Kinds);
        Assert.Equal(Enumerable.Range(0, d).Where(j => rows.Any(r => float.IsNaN(r[j]))).ToArray(), p.Indicators);
        var output = new float[p.OutputCount];
        foreach (var row in rows)
        {
            p.Transform(row, output);
            for (int j = 0; j < d; j++)
                Assert.Equal(BitConverter.SingleToInt32Bits(p.TransformOne(j, row[j])), BitConverter.SingleToInt32Bits(output[j]));
            for (int k = 0; k < p.Indicators.Length; k++)
                Assert.Equal(float.IsNaN(row[p.Indicators[k]]) ? 1f : 0f, output[d + k]);
            Assert.All(output, v => Assert.True(float.IsFinite(v)));
        }
        // A missing value goes in as the median would (and 0 for a continuous slot: the median maps to 0 before the offset).
        int slot = p.Indicators[0];
        Assert.Equal(p.TransformOne(slot, p.Fill[slot]), p.TransformOne(slot, float.NaN));
    }

    [Fact]
    public void WithoutNormalization_ValuesPassUnchanged_ButMissingOnesGetTheMedian()
    {
        var rows = new[] { new[] { 1f, 0.5f }, new[] { float.NaN, 0.25f }, new[] { 3f, -0f }, new[] { 10f, 2f } };
        var p = InputPreprocessing.Fit(Set(rows), normalize: false);
        Assert.All(p.Kinds, k => Assert.Equal(InputSlotKind.Raw, k));
        Assert.Equal(new[] { 0 }, p.Indicators);
        var output = new float[3];
        p.Transform(new[] { float.NaN, -0f }, output);
        Assert.Equal(new[] { 3f, -0f, 1f }, output);
        Assert.True(float.IsNegative(output[1]));
        // No missing values in training: the identity, but a NaN at scoring still gets the median.
        var clean = InputPreprocessing.Fit(Set(new[] { new[] { 1f }, new[] { 2f }, new[] { 4f } }), normalize: false);
        Assert.True(clean.IsIdentity);
        var one = new float[1];
        clean.Transform(new[] { float.NaN }, one);
        Assert.Equal(2f, one[0]);
    }

    [Fact]
    public void ListsAndDenseRows_GiveTheSameStatisticsAndValues()
    {
        var random = new Random(9);
        int d = 50, n = 300;
        var dense = new float[n * d];
        for (int i = 0; i < dense.Length; i++) dense[i] = random.NextDouble() < 0.85 ? 0f : (float)random.Next(1, 255) / 255f;
        var denseSet = new DenseDataset((float[])dense.Clone(), d, new float[n], 1, null, n);
        var lists = SparseRows.TryBuild(new DenseDataset((float[])dense.Clone(), d, new float[n], 1, null, n))!;
        var listSet = new DenseDataset(lists, new float[n], 1, null);
        var a = InputPreprocessing.Fit(denseSet, true);
        var b = InputPreprocessing.Fit(listSet, true);
        Assert.Equal(a.Shift, b.Shift);
        Assert.Equal(a.Scale, b.Scale);
        Assert.Equal(a.Kinds, b.Kinds);
        Assert.True(b.PreservesZeros);
        var fromDense = a.Apply(denseSet);
        var fromLists = b.Apply(listSet);
        Assert.Same(listSet, fromLists); // stayed lists, transformed in place
        Assert.Null(fromLists.DenseFeatures);
        Assert.Equal(fromDense.Features, fromLists.Features);
    }
}
