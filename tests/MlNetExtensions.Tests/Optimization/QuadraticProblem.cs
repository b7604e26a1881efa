using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Tests.Optimization;

/// <summary>
/// f(θ) = ½θᵀAθ − bᵀθ on three coordinates, with gradient g(θ) = Aθ − b; A is symmetric positive
/// definite with off-diagonal coupling, so the gradient at a look-ahead point differs from the one at θ.
/// </summary>
internal static class QuadraticProblem
{
    public static readonly double[,] A =
    {
        { 3.0, 1.0, 0.0 },
        { 1.0, 2.0, 0.5 },
        { 0.0, 0.5, 1.0 },
    };

    /// <summary>The minimizer θ*; b = Aθ*.</summary>
    public static readonly double[] Minimizer = { 0.5, -1.0, 2.0 };

    public static readonly double[] B = Multiply(Minimizer);

    public static readonly float[] Start = { 1f, -2f, 0.5f };

    public static double[] Gradient(IReadOnlyList<double> theta)
    {
        var g = Multiply(theta);
        for (int i = 0; i < 3; i++) g[i] -= B[i];
        return g;
    }

    /// <summary>Fills the parameter's gradient from its current values (the gradient point).</summary>
    public static void FillGradient(Parameter p)
    {
        var g = Gradient(p.Value.ToArray().Select(x => (double)x).ToArray());
        for (int i = 0; i < 3; i++) p.Gradient[i] = (float)g[i];
    }

    private static double[] Multiply(IReadOnlyList<double> x)
    {
        var y = new double[3];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                y[i] += A[i, j] * x[j];
        return y;
    }
}
