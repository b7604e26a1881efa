using MlNetExtensions.Randomness;

namespace MlNetExtensions.Transforms.Kernels;

/// <summary>Per-value random kernels over spans.</summary>
internal static class NoiseKernels
{
    /// <summary>Fills <paramref name="values"/> with independent standard normal draws (Box–Muller, both outputs of each pair used).</summary>
    public static void FillStandardNormal(Span<float> values, ref RandomStream random)
    {
        int i = 0;
        for (; i + 1 < values.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            var (sin, cos) = Math.SinCos(2.0 * Math.PI * u2);
            values[i] = (float)(radius * cos);
            values[i + 1] = (float)(radius * sin);
        }
        if (i < values.Length) values[i] = (float)random.NextGaussian();
    }

    /// <summary>Fills <paramref name="values"/> with independent uniform draws in [-1, 1).</summary>
    public static void FillUniformSymmetric(Span<float> values, ref RandomStream random)
    {
        for (int i = 0; i < values.Length; i++) values[i] = 2f * random.NextSingle() - 1f;
    }
}
