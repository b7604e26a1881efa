using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>Selection of the k-th smallest value, against a full sort, and the preprocessing statistics it gives.</summary>
public class OrderStatisticsTests
{
    private static IEnumerable<float[]> Patterns(Random rng)
    {
        foreach (int n in new[] { 1, 2, 3, 15, 16, 17, 100, 1000, 5000 })
        {
            yield return Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(); // distinct
            yield return Enumerable.Range(0, n).Select(_ => (float)rng.Next(4)).ToArray(); // few values
            yield return Enumerable.Repeat(3f, n).ToArray(); // all equal
            yield return Enumerable.Range(0, n).Select(i => (float)i).ToArray(); // sorted
            yield return Enumerable.Range(0, n).Select(i => (float)(n - i)).ToArray(); // reversed
            yield return Enumerable.Range(0, n).Select(i => (float)Math.Min(i, n - i)).ToArray(); // organ pipe
        }
    }

    [Fact]
    public void Select_GivesTheSortedValueOfEveryRank_AndPartitionsAroundIt()
    {
        var rng = new Random(7);
        foreach (var values in Patterns(rng))
        {
            var sorted = values.OrderBy(v => v).ToArray();
            var ranks = values.Length <= 100 ? Enumerable.Range(0, values.Length) : new[] { 0, 1, values.Length / 4, values.Length / 2, values.Length - 1 };
            foreach (int k in ranks)
            {
                var work = (float[])values.Clone();
                float v = OrderStatistics.Select(work.AsSpan(), k);
                Assert.Equal(sorted[k], v);
                Assert.Equal(sorted, work.OrderBy(x => x).ToArray()); // a permutation
                for (int i = 0; i < k; i++) Assert.True(work[i] <= v);
                for (int i = k + 1; i < work.Length; i++) Assert.True(work[i] >= v);
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => OrderStatistics.Select(new float[3].AsSpan(), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => OrderStatistics.Select(Span<double>.Empty, 0));
    }

    /// <summary>Random slots with negatives, zeros, NaN and repeated values: the medians and quartile scales are the sorted
    /// finite values' own (lower median of rank (count − 1)/2, quartiles of ranks (count − 1)/4 and 3(count − 1)/4).</summary>
    [Fact]
    public void Preprocessing_MediansAndQuartiles_MatchAFullSort()
    {
        var rng = new Random(11);
        int n = 501, d = 40;
        var data = new float[n * d];
        for (int j = 0; j < d; j++)
        {
            double zeros = j % 4 * 0.2, nan = j % 3 * 0.05;
            for (int r = 0; r < n; r++)
            {
                double u = rng.NextDouble();
                data[r * d + j] = u < zeros ? 0f : u < zeros + nan ? float.NaN : j % 2 == 0 ? (float)Math.Round(rng.NextDouble() * 10 - 3) : (float)(rng.NextDouble() * 200 - 50);
            }
        }
        var p = InputPreprocessing.Fit(new DenseDataset(data, d, new float[n], 1, null, n), normalize: true);
        for (int j = 0; j < d; j++)
        {
            var finite = Enumerable.Range(0, n).Select(r => data[r * d + j]).Where(v => !float.IsNaN(v)).OrderBy(v => v).ToArray();
            int count = finite.Length;
            Assert.Equal(finite[(count - 1) / 2], p.Fill[j]);
            if (p.Kinds[j] != InputSlotKind.Continuous) continue;
            Assert.Equal(finite[(count - 1) / 2], p.Shift[j]);
            double iqr = (double)finite[3 * (count - 1) / 4] - finite[(count - 1) / 4];
            if (iqr > 0) Assert.Equal((float)(1.0 / iqr), p.Scale[j]);
        }
        Assert.Contains(InputSlotKind.Continuous, p.Kinds);
    }
}
