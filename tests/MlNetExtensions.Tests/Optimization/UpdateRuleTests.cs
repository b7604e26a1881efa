using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Tests.Optimization;

/// <summary>
/// Two steps of every rule on <see cref="QuadraticProblem"/>, against the algorithm box worked out
/// here in double precision. The learning rate changes between the steps, and the gradient is taken
/// wherever the optimizer put the parameters after <see cref="Optimizer.MoveToGradientPoint"/>.
/// </summary>
public class UpdateRuleTests
{
    private static readonly float[] Rates = { 0.1f, 0.05f };

    /// <summary>The optimizer's trajectory: the gradient point and θ after each step.</summary>
    private static (float[][] Points, float[][] Thetas) Run(Optimizer optimizer, float[] rates)
    {
        var p = new Parameter("theta", 3, isWeight: true);
        QuadraticProblem.Start.CopyTo(p.Value);
        var parameters = new[] { p };
        var points = new List<float[]>();
        var thetas = new List<float[]>();
        foreach (float rate in rates)
        {
            optimizer.LearningRate = rate;
            optimizer.MoveToGradientPoint(parameters);
            points.Add(p.Value.ToArray());
            QuadraticProblem.FillGradient(p);
            optimizer.Step(parameters);
            thetas.Add(p.Value.ToArray());
        }
        return (points.ToArray(), thetas.ToArray());
    }

    /// <summary>
    /// The hand-computed trajectory: <paramref name="gradientPoint"/> maps θ to the point where g is taken,
    /// <paramref name="update"/>(θ, g, ε, t) applies the box in place (t = 1, 2, …).
    /// </summary>
    private static (double[][] Points, double[][] Thetas) Reference(
        Func<double[], double[]> gradientPoint, Action<double[], double[], double, int> update, float[] rates)
    {
        var theta = QuadraticProblem.Start.Select(x => (double)x).ToArray();
        var points = new List<double[]>();
        var thetas = new List<double[]>();
        for (int t = 1; t <= rates.Length; t++)
        {
            var point = gradientPoint(theta);
            points.Add(point);
            update(theta, QuadraticProblem.Gradient(point), rates[t - 1], t);
            thetas.Add((double[])theta.Clone());
        }
        return (points.ToArray(), thetas.ToArray());
    }

    private static void AssertSameTrajectory((double[][] Points, double[][] Thetas) expected, (float[][] Points, float[][] Thetas) actual)
    {
        for (int step = 0; step < expected.Thetas.Length; step++)
        {
            AssertClose(expected.Points[step], actual.Points[step]);
            AssertClose(expected.Thetas[step], actual.Thetas[step]);
        }
        // The rule must actually have moved θ, or the comparison above proves little.
        Assert.True(Math.Abs(expected.Thetas[^1][0] - QuadraticProblem.Start[0]) > 1e-3);
    }

    internal static void AssertClose(double[] expected, ReadOnlySpan<float> actual, double relative = 1e-6)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = relative * Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance,
                $"index {i}: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance:G3})");
        }
    }

    private static double[] Same(double[] theta) => (double[])theta.Clone();

    [Fact]
    public void Sgd_MatchesAlgorithm81()
    {
        var expected = Reference(Same, (theta, g, eps, _) =>
        {
            for (int i = 0; i < 3; i++) theta[i] -= eps * g[i]; // θ ← θ − εg
        }, Rates);
        AssertSameTrajectory(expected, Run(new Sgd(), Rates));
    }

    [Fact]
    public void Momentum_MatchesAlgorithm82()
    {
        const float alpha = 0.8f;
        var v = new double[3];
        var expected = Reference(Same, (theta, g, eps, _) =>
        {
            for (int i = 0; i < 3; i++)
            {
                v[i] = alpha * v[i] - eps * g[i]; // v ← αv − εg
                theta[i] += v[i];                 // θ ← θ + v
            }
        }, Rates);
        AssertSameTrajectory(expected, Run(new Momentum(alpha), Rates));
    }

    [Fact]
    public void Nesterov_TakesTheGradientAtTheLookAheadPoint_Algorithm83()
    {
        const float alpha = 0.8f;
        var v = new double[3];
        var expected = Reference(
            theta => theta.Select((x, i) => x + alpha * v[i]).ToArray(), // θ̃ = θ + αv
            (theta, g, eps, _) =>
            {
                for (int i = 0; i < 3; i++)
                {
                    v[i] = alpha * v[i] - eps * g[i]; // v ← αv − εg(θ̃)
                    theta[i] += v[i];                 // θ ← θ + v
                }
            }, Rates);
        var actual = Run(new Nesterov(alpha), Rates);
        AssertSameTrajectory(expected, actual);

        // At the second step the look-ahead point is really away from θ.
        Assert.NotEqual(actual.Thetas[0][0], actual.Points[1][0]);
    }

    [Fact]
    public void AdaGrad_MatchesAlgorithm84()
    {
        const float delta = 1e-3f; // large enough to matter in the comparison
        var r = new double[3];
        var expected = Reference(Same, (theta, g, eps, _) =>
        {
            for (int i = 0; i < 3; i++)
            {
                r[i] += g[i] * g[i];                             // r ← r + g⊙g
                theta[i] += -eps / (delta + Math.Sqrt(r[i])) * g[i]; // Δθ = −ε/(δ + √r)⊙g
            }
        }, Rates);
        AssertSameTrajectory(expected, Run(new AdaGrad(delta), Rates));
    }

    [Fact]
    public void RmsProp_MatchesAlgorithm85()
    {
        const float rho = 0.8f, delta = 1e-3f;
        var r = new double[3];
        var expected = Reference(Same, (theta, g, eps, _) =>
        {
            for (int i = 0; i < 3; i++)
            {
                r[i] = rho * r[i] + (1 - (double)rho) * g[i] * g[i]; // r ← ρr + (1 − ρ)g⊙g
                theta[i] += -eps / Math.Sqrt(delta + r[i]) * g[i];    // Δθ = −ε/√(δ + r)⊙g
            }
        }, Rates);
        AssertSameTrajectory(expected, Run(new RmsProp(rho, delta), Rates));
    }

    [Fact]
    public void RmsPropNesterov_MatchesAlgorithm86()
    {
        const float rho = 0.8f, alpha = 0.7f, delta = 1e-3f;
        var r = new double[3];
        var v = new double[3];
        var expected = Reference(
            theta => theta.Select((x, i) => x + alpha * v[i]).ToArray(), // θ̃ = θ + αv
            (theta, g, eps, _) =>
            {
                for (int i = 0; i < 3; i++)
                {
                    r[i] = rho * r[i] + (1 - (double)rho) * g[i] * g[i];     // r ← ρr + (1 − ρ)g⊙g
                    v[i] = alpha * v[i] - eps / Math.Sqrt(delta + r[i]) * g[i]; // v ← αv − ε/√(δ + r)⊙g
                    theta[i] += v[i];                                        // θ ← θ + v
                }
            }, Rates);
        var actual = Run(new RmsPropNesterov(rho, alpha, delta), Rates);
        AssertSameTrajectory(expected, actual);
        Assert.NotEqual(actual.Thetas[0][0], actual.Points[1][0]);
    }

    /// <summary>Algorithm 8.7 by hand; <paramref name="decay"/> λ &gt; 0 adds AdamW's θ ← θ − ελθ before the step.</summary>
    private static Action<double[], double[], double, int> AdamBox(float beta1, float beta2, float delta, double decay = 0)
    {
        var s = new double[3];
        var r = new double[3];
        return (theta, g, eps, t) =>
        {
            for (int i = 0; i < 3; i++)
            {
                theta[i] -= eps * decay * theta[i];                        // AdamW: θ ← θ − ελθ
                s[i] = beta1 * s[i] + (1 - (double)beta1) * g[i];          // s ← ρ1 s + (1 − ρ1)g
                r[i] = beta2 * r[i] + (1 - (double)beta2) * g[i] * g[i];   // r ← ρ2 r + (1 − ρ2)g⊙g
                double sHat = s[i] / (1 - Math.Pow(beta1, t));             // ŝ = s/(1 − ρ1^t)
                double rHat = r[i] / (1 - Math.Pow(beta2, t));             // r̂ = r/(1 − ρ2^t)
                theta[i] += -eps * sHat / (Math.Sqrt(rHat) + delta);       // Δθ = −ε ŝ/(√r̂ + δ)
            }
        };
    }

    [Fact]
    public void Adam_MatchesAlgorithm87()
    {
        const float beta1 = 0.8f, beta2 = 0.95f, delta = 1e-3f;
        var expected = Reference(Same, AdamBox(beta1, beta2, delta), Rates);
        AssertSameTrajectory(expected, Run(new Adam(beta1, beta2, delta), Rates));
    }

    [Fact]
    public void Adam_BiasCorrection_FirstStepMovesEachCoordinateByAboutTheLearningRate()
    {
        var adam = new Adam { LearningRate = Adam.DefaultLearningRate };
        var p = new Parameter("w", 3, isWeight: true); // θ0 = 0, so θ1 is the step itself
        float[] g = { 0.5f, -2f, 1e-3f };
        g.CopyTo(p.Gradient);
        adam.Step(new[] { p });

        // ŝ = g and r̂ = g⊙g at t = 1, so Δθ = −ε g/(|g| + δ) ≈ −ε sign(g) whatever the gradient's scale.
        // Without the correction the first coordinate would move by ε·0.1/√0.001 ≈ 3.2ε.
        for (int i = 0; i < 3; i++)
        {
            double expected = -0.001 * Math.Sign(g[i]) * (Math.Abs(g[i]) / (Math.Abs(g[i]) + 1e-8));
            Assert.Equal(expected, p.Value[i], 1e-8);
        }

        // Second step with a gradient 10× smaller: ŝ = (0.09g1 + 0.1g2)/0.19, r̂ = (0.000999g1² + 0.001g2²)/0.001999.
        float[] g2 = g.Select(x => x / 10f).ToArray();
        g2.CopyTo(p.Gradient);
        adam.Step(new[] { p });
        for (int i = 0; i < 3; i++)
        {
            double sHat = (0.9 * 0.1 * g[i] + 0.1 * g2[i]) / (1 - 0.9 * 0.9);
            double rHat = (0.999 * 0.001 * g[i] * g[i] + 0.001 * (double)g2[i] * g2[i]) / (1 - 0.999 * 0.999);
            double theta1 = -0.001 * g[i] / (Math.Abs(g[i]) + 1e-8);
            double expected = theta1 - 0.001 * sHat / (Math.Sqrt(rHat) + 1e-8);
            Assert.Equal(expected, p.Value[i], 1e-8);
        }
    }

    [Fact]
    public void AdamW_DecaysWeightsBeforeTheAdamStep_AndLeavesOtherParametersUndecayed()
    {
        const float beta1 = 0.8f, beta2 = 0.95f, delta = 1e-3f, lambda = 0.5f;
        var optimizer = new AdamW(beta1, beta2, delta, lambda);
        var weight = new Parameter("w", 3, isWeight: true);
        var bias = new Parameter("b", 3, isWeight: false);
        QuadraticProblem.Start.CopyTo(weight.Value);
        QuadraticProblem.Start.CopyTo(bias.Value);
        var parameters = new[] { weight, bias };

        // The same fixed gradients for both tensors, so only the decay tells them apart.
        float[][] gradients = { new[] { 0.3f, -0.2f, 0.1f }, new[] { -0.1f, 0.4f, 0.2f } };
        var decayed = AdamBox(beta1, beta2, delta, lambda);
        var plain = AdamBox(beta1, beta2, delta);
        var expectedWeight = QuadraticProblem.Start.Select(x => (double)x).ToArray();
        var expectedBias = (double[])expectedWeight.Clone();
        for (int t = 1; t <= 2; t++)
        {
            optimizer.LearningRate = Rates[t - 1];
            optimizer.MoveToGradientPoint(parameters);
            gradients[t - 1].CopyTo(weight.Gradient);
            gradients[t - 1].CopyTo(bias.Gradient);
            optimizer.Step(parameters);

            var g = gradients[t - 1].Select(x => (double)x).ToArray();
            decayed(expectedWeight, g, Rates[t - 1], t);
            plain(expectedBias, g, Rates[t - 1], t);
            AssertClose(expectedWeight, weight.Value);
            AssertClose(expectedBias, bias.Value);
        }
        Assert.True(Math.Abs(weight.Value[0] - bias.Value[0]) > 0.01);
    }

    [Fact]
    public void AdamW_WithoutDecay_IsAdam()
    {
        var expected = Reference(Same, AdamBox(0.9f, 0.999f, 1e-8f), Rates);
        AssertSameTrajectory(expected, Run(new AdamW(weightDecay: 0f), Rates));
    }

    [Fact]
    public void Reset_ForgetsStateAndStepCount()
    {
        var first = Run(new Adam(), Rates);
        var adam = new Adam();
        Run(adam, Rates);
        adam.Reset();
        Assert.Equal(0, adam.StepCount);
        var again = Run(adam, Rates);
        Assert.Equal(first.Thetas[^1], again.Thetas[^1]);
    }
}
