using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Optimization;
using MlNetExtensions.Trainers.Schedules;

namespace MlNetExtensions.Tests.Optimization;

/// <summary>Every rule, built by the factory, drives θ to the minimizer of <see cref="QuadraticProblem"/>.</summary>
public class ConvergenceTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.2f)]
    [InlineData(OptimizerKind.Momentum, 0.05f)]
    [InlineData(OptimizerKind.Nesterov, 0.05f)]
    [InlineData(OptimizerKind.AdaGrad, 0.5f)]
    [InlineData(OptimizerKind.RmsProp, 0.02f)]
    [InlineData(OptimizerKind.RmsPropNesterov, 0.005f)]
    [InlineData(OptimizerKind.Adam, 0.05f)]
    [InlineData(OptimizerKind.AdamW, 0.05f)]
    public void MinimizesAConvexQuadratic(OptimizerKind kind, float learningRate)
    {
        const int steps = 3000;
        // AdamW's decay would pull θ towards 0 and away from θ*; a small λ keeps it close.
        var optimizer = OptimizerFactory.Create(new OptimizerSettings(kind, learningRate, WeightDecay: 1e-4f));
        var schedule = LearningRateScheduleFactory.Create(
            new ScheduleSettings(LearningRateScheduleKind.LinearDecay, learningRate, DecayIterations: 2000, FinalRate: learningRate / 100, Gamma: 1f, WarmupIterations: 0));
        var p = new Parameter("theta", 3, isWeight: true);
        var parameters = new[] { p };
        double startDistance = Distance(p.Value);

        for (long k = 0; k < steps; k++)
        {
            optimizer.LearningRate = schedule.GetRate(k);
            optimizer.MoveToGradientPoint(parameters);
            QuadraticProblem.FillGradient(p);
            optimizer.Step(parameters);
        }

        Assert.True(startDistance > 1.5);
        double distance = Distance(p.Value);
        Assert.True(distance < 1e-2, $"{kind}: ‖θ − θ*‖∞ = {distance} after {steps} steps");
    }

    private static double Distance(ReadOnlySpan<float> theta)
        => theta.ToArray().Select((x, i) => Math.Abs(x - QuadraticProblem.Minimizer[i])).Max();
}
