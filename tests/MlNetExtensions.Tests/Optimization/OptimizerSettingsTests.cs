using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Tests.Optimization;

public class OptimizerSettingsTests
{
    [Theory]
    [InlineData(OptimizerKind.Sgd, typeof(Sgd))]
    [InlineData(OptimizerKind.Momentum, typeof(Momentum))]
    [InlineData(OptimizerKind.Nesterov, typeof(Nesterov))]
    [InlineData(OptimizerKind.AdaGrad, typeof(AdaGrad))]
    [InlineData(OptimizerKind.RmsProp, typeof(RmsProp))]
    [InlineData(OptimizerKind.RmsPropNesterov, typeof(RmsPropNesterov))]
    [InlineData(OptimizerKind.Adam, typeof(Adam))]
    [InlineData(OptimizerKind.AdamW, typeof(AdamW))]
    public void Create_BuildsTheRuleOfTheKind_WithTheInitialLearningRate(OptimizerKind kind, Type expected)
    {
        var optimizer = OptimizerFactory.Create(new OptimizerSettings(kind, 0.25f));
        Assert.IsType(expected, optimizer);
        Assert.Equal(0.25f, optimizer.LearningRate);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void Create_NullEpsilonMeansEachRulesLectureDefault()
    {
        Assert.Equal(1e-7f, Assert.IsType<AdaGrad>(OptimizerFactory.Create(new(OptimizerKind.AdaGrad, 0.1f))).Delta);
        Assert.Equal(1e-6f, Assert.IsType<RmsProp>(OptimizerFactory.Create(new(OptimizerKind.RmsProp, 0.1f))).Delta);
        Assert.Equal(1e-6f, Assert.IsType<RmsPropNesterov>(OptimizerFactory.Create(new(OptimizerKind.RmsPropNesterov, 0.1f))).Delta);
        Assert.Equal(1e-8f, Assert.IsType<Adam>(OptimizerFactory.Create(new(OptimizerKind.Adam, 0.1f))).Delta);
        Assert.Equal(1e-8f, Assert.IsType<AdamW>(OptimizerFactory.Create(new(OptimizerKind.AdamW, 0.1f))).Delta);
    }

    [Fact]
    public void Create_PassesEverySettingToTheRule()
    {
        var settings = new OptimizerSettings(OptimizerKind.AdamW, 0.1f, Momentum: 0.5f, Rho: 0.6f, Beta1: 0.7f, Beta2: 0.8f, Epsilon: 1e-4f, WeightDecay: 0.3f);
        var adamW = Assert.IsType<AdamW>(OptimizerFactory.Create(settings));
        Assert.Equal((0.7f, 0.8f, 1e-4f, 0.3f), (adamW.Beta1, adamW.Beta2, adamW.Delta, adamW.WeightDecay));

        var rmsNesterov = Assert.IsType<RmsPropNesterov>(OptimizerFactory.Create(settings with { Kind = OptimizerKind.RmsPropNesterov }));
        Assert.Equal((0.6f, 0.5f, 1e-4f), (rmsNesterov.Rho, rmsNesterov.Alpha, rmsNesterov.Delta));

        Assert.Equal(0.5f, Assert.IsType<Momentum>(OptimizerFactory.Create(settings with { Kind = OptimizerKind.Momentum })).Alpha);
        Assert.Equal(0.5f, Assert.IsType<Nesterov>(OptimizerFactory.Create(settings with { Kind = OptimizerKind.Nesterov })).Alpha);
        Assert.Equal(0.6f, Assert.IsType<RmsProp>(OptimizerFactory.Create(settings with { Kind = OptimizerKind.RmsProp })).Rho);
    }

    [Fact]
    public void Validate_NamesTheSettingAndTheValue()
    {
        var settings = new OptimizerSettings(OptimizerKind.Momentum, 0.1f, Momentum: 1.2f);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(settings.Validate);
        Assert.Equal("Momentum", ex.ParamName);
        Assert.StartsWith("Momentum must be in [0, 1), got 1.2", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => OptimizerFactory.Create(settings));
    }

    [Theory]
    [InlineData("LearningRate", 0f)]
    [InlineData("LearningRate", -0.1f)]
    [InlineData("LearningRate", float.NaN)]
    [InlineData("LearningRate", float.PositiveInfinity)]
    [InlineData("Momentum", 1f)]
    [InlineData("Momentum", -0.1f)]
    [InlineData("Rho", 1f)]
    [InlineData("Rho", float.NaN)]
    [InlineData("Beta1", 1.5f)]
    [InlineData("Beta2", 1f)]
    [InlineData("Beta2", -0.5f)]
    [InlineData("Epsilon", 0f)]
    [InlineData("Epsilon", -1e-8f)]
    [InlineData("WeightDecay", -0.01f)]
    [InlineData("WeightDecay", float.PositiveInfinity)]
    public void Validate_RejectsOutOfRangeValuesByName(string name, float value)
    {
        var valid = new OptimizerSettings(OptimizerKind.Adam, 0.001f);
        valid.Validate();
        var settings = name switch
        {
            "LearningRate" => valid with { LearningRate = value },
            "Momentum" => valid with { Momentum = value },
            "Rho" => valid with { Rho = value },
            "Beta1" => valid with { Beta1 = value },
            "Beta2" => valid with { Beta2 = value },
            "Epsilon" => valid with { Epsilon = value },
            "WeightDecay" => valid with { WeightDecay = value },
            _ => throw new ArgumentException(name),
        };
        var ex = Assert.Throws<ArgumentOutOfRangeException>(settings.Validate);
        Assert.Equal(name, ex.ParamName);
        Assert.StartsWith($"{name} must be", ex.Message);
    }

    [Fact]
    public void Validate_RejectsUnknownKind()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(new OptimizerSettings((OptimizerKind)99, 0.1f).Validate);
        Assert.Equal("Kind", ex.ParamName);
    }

    [Fact]
    public void Validate_AcceptsBoundaryValues()
    {
        new OptimizerSettings(OptimizerKind.AdamW, 1e-6f, Momentum: 0f, Rho: 0f, Beta1: 0f, Beta2: 0.9999f, Epsilon: 1e-12f, WeightDecay: 0f).Validate();
    }
}
