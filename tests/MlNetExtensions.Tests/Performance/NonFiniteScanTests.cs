using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Performance;

/// <summary>The vectorized non-finite scan of the training data reader against the scalar definition.</summary>
public class NonFiniteScanTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(30)]
    [InlineData(784)]
    public void FindsTheFirstNonFiniteValueAtEveryPosition(int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (i % 5 - 2) * 1e30f;
        Assert.Equal(-1, TrainingDataReader.IndexOfNonFinite(x));
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            for (int p = 0; p < length; p++)
            {
                var y = (float[])x.Clone();
                y[p] = bad;
                if (p + 3 < length) y[p + 3] = float.NaN;
                Assert.Equal(p, TrainingDataReader.IndexOfNonFinite(y));
            }
        var big = new float[length];
        big.AsSpan().Fill(float.MaxValue);
        Assert.Equal(-1, TrainingDataReader.IndexOfNonFinite(big));
    }
}
