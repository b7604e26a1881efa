using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Initialization;

namespace MlNetExtensions.Tests.Initialization;

public class InitializerTests
{
    private const int FanIn = 400, FanOut = 300;

    private static float[] Draw(WeightInitializer initializer, int fanIn, int fanOut, ulong seed = 11)
    {
        var weights = new float[fanIn * fanOut];
        var random = new RandomStream(seed);
        initializer.Initialize(weights, fanIn, fanOut, ref random);
        return weights;
    }

    private static (double Mean, double Variance, double MaxAbs) Moments(float[] w)
    {
        double mean = w.Average(x => (double)x);
        double variance = w.Average(x => (x - mean) * (x - mean));
        return (mean, variance, w.Max(x => Math.Abs((double)x)));
    }

    /// <summary>U(±bound): inside the bound, reaching close to it, mean 0, variance bound²/3.</summary>
    private static void AssertUniform(float[] w, double bound)
    {
        var (mean, variance, maxAbs) = Moments(w);
        Assert.True(maxAbs <= bound, $"max |w| = {maxAbs} exceeds the bound {bound}");
        Assert.True(maxAbs > 0.99 * bound, $"max |w| = {maxAbs} never comes near the bound {bound}");
        Assert.InRange(mean, -0.01 * bound, 0.01 * bound);
        Assert.InRange(variance / (bound * bound / 3), 0.98, 1.02);
    }

    [Fact]
    public void UniformFanIn_StaysWithinOneOverRootFanIn()
        => AssertUniform(Draw(new UniformFanInInitializer(), FanIn, FanOut), 1 / Math.Sqrt(FanIn));

    [Fact]
    public void XavierUniform_HasBoundRootSixOverFansAndVarianceTwoOverFans()
    {
        var w = Draw(new XavierUniformInitializer(), FanIn, FanOut);
        AssertUniform(w, Math.Sqrt(6.0 / (FanIn + FanOut)));
        Assert.InRange(Moments(w).Variance / (2.0 / (FanIn + FanOut)), 0.98, 1.02);
    }

    [Fact]
    public void HeUniform_HasBoundRootSixOverFanInAndVarianceTwoOverFanIn()
    {
        var w = Draw(new HeUniformInitializer(), FanIn, FanOut);
        AssertUniform(w, Math.Sqrt(6.0 / FanIn));
        Assert.InRange(Moments(w).Variance / (2.0 / FanIn), 0.98, 1.02);
    }

    [Fact]
    public void HeNormal_HasVarianceTwoOverFanIn_AndNormalTails()
    {
        var w = Draw(new HeNormalInitializer(), FanIn, FanOut);
        var (mean, variance, _) = Moments(w);
        double sigma = Math.Sqrt(2.0 / FanIn);
        Assert.InRange(mean, -0.01 * sigma, 0.01 * sigma);
        Assert.InRange(variance / (sigma * sigma), 0.98, 1.02);
        // A normal puts 4.55% of its mass beyond 2σ; a uniform of the same variance puts 0% beyond √3σ.
        double beyondTwoSigma = w.Count(x => Math.Abs(x) > 2 * sigma) / (double)w.Length;
        Assert.InRange(beyondTwoSigma, 0.042, 0.049);
    }

    [Theory]
    [InlineData(50, 20, 1.0f)]
    [InlineData(20, 50, 1.0f)]
    [InlineData(30, 30, 1.5f)]
    [InlineData(200, 64, 1.4142135f)]
    [InlineData(64, 200, 0.5f)]
    [InlineData(7, 1, 2f)]
    [InlineData(1, 7, 2f)]
    public void Orthogonal_IsOrthogonalUpToTheGain(int fanIn, int fanOut, float gain)
    {
        var w = Draw(new OrthogonalInitializer(gain), fanIn, fanOut);
        // Tall: WᵀW (fanOut × fanOut) = g²I. Wide: WWᵀ (fanIn × fanIn) = g²I.
        bool tall = fanIn >= fanOut;
        int n = tall ? fanOut : fanIn;
        double maxError = 0;
        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                double dot = 0;
                if (tall)
                    for (int i = 0; i < fanIn; i++) dot += (double)w[i * fanOut + a] * w[i * fanOut + b];
                else
                    for (int j = 0; j < fanOut; j++) dot += (double)w[a * fanOut + j] * w[b * fanOut + j];
                double target = a == b ? (double)gain * gain : 0;
                maxError = Math.Max(maxError, Math.Abs(dot - target));
            }
        }
        Assert.True(maxError < 1e-4, $"max |WᵀW − g²I| = {maxError}");
    }

    [Fact]
    public void Orthogonal_IsRandomNotAFixedMatrix()
    {
        var w = Draw(new OrthogonalInitializer(), 30, 30);
        // A random rotation spreads its entries; a permutation or identity would be mostly zeros.
        Assert.True(w.Count(x => Math.Abs(x) > 1e-3) > 0.95 * w.Length);
        Assert.NotEqual(w, Draw(new OrthogonalInitializer(), 30, 30, seed: 12));
    }

    [Theory]
    [InlineData(100, 40, 15)]
    [InlineData(10, 5, 15)] // k capped at the fan-in: every weight non-zero
    [InlineData(50, 3, 1)]
    public void Sparse_GivesEachOutputUnitExactlyKIncomingWeights(int fanIn, int fanOut, int connections)
    {
        var w = Draw(new SparseInitializer(connections), fanIn, fanOut);
        int k = Math.Min(connections, fanIn);
        for (int j = 0; j < fanOut; j++)
        {
            int nonZero = 0;
            for (int i = 0; i < fanIn; i++) if (w[i * fanOut + j] != 0f) nonZero++;
            Assert.Equal(k, nonZero);
        }
    }

    [Fact]
    public void Sparse_NonZeroWeightsAreGaussianScaledByTheGain_AtVaryingRows()
    {
        const int fanIn = 300, fanOut = 400, k = 15;
        var w = Draw(new SparseInitializer(k, gain: 2f), fanIn, fanOut);
        var nonZero = w.Where(x => x != 0f).Select(x => (double)x).ToArray();
        Assert.Equal(k * fanOut, nonZero.Length);
        double variance = nonZero.Average(x => x * x);
        Assert.InRange(variance / 4.0, 0.93, 1.07); // N(0, g²) with g = 2, 6000 draws

        // The rows chosen differ between units, and cover the fan-in.
        var usedRows = new HashSet<int>();
        for (int i = 0; i < fanIn; i++)
            for (int j = 0; j < fanOut; j++)
                if (w[i * fanOut + j] != 0f) usedRows.Add(i);
        Assert.True(usedRows.Count > 0.95 * fanIn);
    }

    [Fact]
    public void Sparse_OverwritesPreviousContents()
    {
        var weights = Enumerable.Repeat(5f, 40 * 10).ToArray();
        var random = new RandomStream(1);
        new SparseInitializer(3).Initialize(weights, 40, 10, ref random);
        Assert.Equal(30, weights.Count(x => x != 0f));
    }

    [Theory]
    [InlineData(WeightInitialization.UniformFanIn)]
    [InlineData(WeightInitialization.XavierUniform)]
    [InlineData(WeightInitialization.HeNormal)]
    [InlineData(WeightInitialization.HeUniform)]
    [InlineData(WeightInitialization.Orthogonal)]
    [InlineData(WeightInitialization.Sparse)]
    public void SameSeedGivesIdenticalWeights_OtherSeedOthers(WeightInitialization kind)
    {
        var initializer = WeightInitializerFactory.Create(kind, gain: 1f, sparseConnections: 15);
        var a = Draw(initializer, 60, 40, seed: 5);
        var b = Draw(initializer, 60, 40, seed: 5);
        var c = Draw(initializer, 60, 40, seed: 6);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData(WeightInitialization.UniformFanIn, typeof(UniformFanInInitializer))]
    [InlineData(WeightInitialization.XavierUniform, typeof(XavierUniformInitializer))]
    [InlineData(WeightInitialization.HeNormal, typeof(HeNormalInitializer))]
    [InlineData(WeightInitialization.HeUniform, typeof(HeUniformInitializer))]
    [InlineData(WeightInitialization.Orthogonal, typeof(OrthogonalInitializer))]
    [InlineData(WeightInitialization.Sparse, typeof(SparseInitializer))]
    public void Factory_BuildsTheSchemeOfTheKind(WeightInitialization kind, Type expected)
        => Assert.IsType(expected, WeightInitializerFactory.Create(kind, 1f, 15));

    [Fact]
    public void Factory_PassesGainAndConnections()
    {
        Assert.Equal(1.5f, Assert.IsType<OrthogonalInitializer>(WeightInitializerFactory.Create(WeightInitialization.Orthogonal, 1.5f, 15)).Gain);
        var sparse = Assert.IsType<SparseInitializer>(WeightInitializerFactory.Create(WeightInitialization.Sparse, 0.5f, 7));
        Assert.Equal((0.5f, 7), (sparse.Gain, sparse.Connections));
    }

    [Fact]
    public void Factory_RejectsBadGainConnectionsAndKind()
    {
        Assert.Equal("gain", Assert.Throws<ArgumentOutOfRangeException>(() => WeightInitializerFactory.Create(WeightInitialization.Orthogonal, 0f, 15)).ParamName);
        Assert.Equal("gain", Assert.Throws<ArgumentOutOfRangeException>(() => WeightInitializerFactory.Create(WeightInitialization.Sparse, float.NaN, 15)).ParamName);
        Assert.Equal("sparseConnections", Assert.Throws<ArgumentOutOfRangeException>(() => WeightInitializerFactory.Create(WeightInitialization.Sparse, 1f, 0)).ParamName);
        Assert.Equal("kind", Assert.Throws<ArgumentOutOfRangeException>(() => WeightInitializerFactory.Create((WeightInitialization)17, 1f, 15)).ParamName);
    }

    [Fact]
    public void Initialize_RejectsAMismatchedBuffer()
    {
        var weights = new float[10];
        var random = new RandomStream(1);
        Assert.Throws<ArgumentException>(() => new HeNormalInitializer().Initialize(weights, 3, 4, ref random));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HeNormalInitializer().Initialize(weights, 0, 10, ref random));
    }
}
