using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Tests.Network;

/// <summary>Central finite differences against analytic gradients, with float32-aware tolerances.</summary>
internal static class GradCheck
{
    /// <summary>Relative tolerance: a float32 central difference with h ≈ 1e-2 agrees to well under 1 %; a wrong gradient is off by O(1).</summary>
    public const double RelativeTolerance = 1e-2;

    /// <summary>Absolute floor for gradients that are (analytically) zero or tiny.</summary>
    public const double AbsoluteTolerance = 2e-3;

    public static float[] Random(int n, ulong seed, float low = -1f, float high = 1f)
    {
        var r = new RandomStream(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = r.NextSingle(low, high);
        return v;
    }

    /// <summary>Values with |v| in [minMagnitude, maxMagnitude] and a random sign (to stay away from kinks at 0).</summary>
    public static float[] AwayFromZero(int n, ulong seed, float minMagnitude, float maxMagnitude)
    {
        var r = new RandomStream(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            float m = r.NextSingle(minMagnitude, maxMagnitude);
            v[i] = r.NextSingle() < 0.5f ? -m : m;
        }
        return v;
    }

    /// <summary>
    /// The worst normalized error |a − n| / (tolRel·max(|a|, |n|) + tolAbs) over all coordinates of <paramref name="values"/>,
    /// where n is the central difference of <paramref name="f"/>; ≤ 1 means every coordinate passes.
    /// </summary>
    public static (double Worst, string Where) Compare(Span<float> values, ReadOnlySpan<float> analytic, Func<double> f, float h)
    {
        double worst = 0; string where = "";
        for (int i = 0; i < values.Length; i++)
        {
            float old = values[i];
            float plus = old + h, minus = old - h;
            values[i] = plus; double fp = f();
            values[i] = minus; double fm = f();
            values[i] = old;
            double numeric = (fp - fm) / ((double)plus - minus);
            double a = analytic[i];
            double err = Math.Abs(a - numeric) / (RelativeTolerance * Math.Max(Math.Abs(a), Math.Abs(numeric)) + AbsoluteTolerance);
            if (err > worst) { worst = err; where = $"[{i}] analytic {a:G6} numeric {numeric:G6}"; }
        }
        return (worst, where);
    }

    public static void AssertMatches(string what, Span<float> values, ReadOnlySpan<float> analytic, Func<double> f, float h = 1e-2f)
    {
        var (worst, where) = Compare(values, analytic, f, h);
        Assert.True(worst <= 1.0, $"{what}: gradient mismatch at {where} (normalized error {worst:G3})");
    }

    /// <summary>Asserts the gradient is not (nearly) all zero, so a check against it means something.</summary>
    public static void AssertNotVacuous(string what, ReadOnlySpan<float> analytic)
    {
        double sq = 0;
        foreach (var g in analytic) sq += (double)g * g;
        Assert.True(Math.Sqrt(sq) > 0.05, $"{what}: gradient is (nearly) zero, the check would be vacuous");
    }

    /// <summary>Σ c ⊙ y in double.</summary>
    public static double Dot(ReadOnlySpan<float> c, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int i = 0; i < c.Length; i++) s += (double)c[i] * y[i];
        return s;
    }

    /// <summary>
    /// Checks a layer's dL/dx and every parameter gradient for L = Σ c ⊙ y in training mode. <paramref name="random"/> is
    /// re-created for every evaluation, so any noise or mask drawn from it is the same constant each time.
    /// </summary>
    public static void CheckLayer(Layer layer, float[] x, int batch, ulong seed, Func<RandomStream>? random = null,
        float h = 1e-2f, bool expectInputGradient = true)
    {
        random ??= () => new RandomStream(seed + 1000);
        int outCount = batch * layer.OutputSize;
        var c = Random(outCount, seed + 77, -1.5f, 1.5f);
        layer.Reserve(batch);
        var y = new float[outCount];
        var r = random();
        layer.Forward(x, y, batch, training: true, ref r);
        var dx = new float[x.Length];
        layer.Backward(x, y, c, dx, batch);
        var grads = layer.Parameters.Select(p => p.Gradient.ToArray()).ToArray();

        double F()
        {
            var yy = new float[outCount];
            var rr = random!();
            layer.Forward(x, yy, batch, training: true, ref rr);
            return Dot(c, yy);
        }

        if (expectInputGradient) AssertNotVacuous("dL/dx", dx);
        AssertMatches("dL/dx", x, dx, F, h);
        for (int k = 0; k < grads.Length; k++)
        {
            AssertNotVacuous(layer.Parameters[k].Name, grads[k]);
            AssertMatches(layer.Parameters[k].Name, layer.Parameters[k].Value, grads[k], F, h);
        }
    }
}
