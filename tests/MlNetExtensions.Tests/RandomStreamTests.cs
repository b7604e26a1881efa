using MlNetExtensions.Randomness;

namespace MlNetExtensions.Tests;

public class RandomStreamTests
{
    [Fact]
    public void SameSeedSameSequence_DifferentCountersDifferentSequence()
    {
        var a = RandomStream.For(42, 1, 2);
        var b = RandomStream.For(42, 1, 2);
        var c = RandomStream.For(42, 1, 3);
        ulong x = a.NextUInt64(), y = b.NextUInt64(), z = c.NextUInt64();
        Assert.Equal(x, y);
        Assert.NotEqual(x, z);
    }

    [Fact]
    public void UniformAndGaussianMoments()
    {
        var r = new RandomStream(7);
        const int n = 200_000;
        double su = 0, sg = 0, sg2 = 0;
        for (int i = 0; i < n; i++)
        {
            float u = r.NextSingle();
            Assert.InRange(u, 0f, 0.99999994f);
            su += u;
            double g = r.NextGaussian();
            sg += g; sg2 += g * g;
        }
        Assert.InRange(su / n, 0.497, 0.503);
        Assert.InRange(sg / n, -0.01, 0.01);
        Assert.InRange(sg2 / n, 0.98, 1.02);
    }

    [Fact]
    public void NextIntIsUnbiasedAndInRange()
    {
        var r = new RandomStream(3);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[r.NextInt(7)]++;
        foreach (var c in counts) Assert.InRange(c, 9_400, 10_600);
    }
}
