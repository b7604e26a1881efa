using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Optimization;
using MlNetExtensions.Trainers.Schedules;

namespace MlNetExtensions.Trainers;

/// <summary>Checks trainer options before any data is read (errors name the option) and turns them into the training objects.</summary>
internal static class OptionsValidation
{
    private static ArgumentOutOfRangeException Bad(string name, object? value, string expected) =>
        new(name, value, $"Option {name} must be {expected}, got {value}.");

    private static void Rate(string name, float value, bool allowZero = true)
    {
        if (!float.IsFinite(value) || value < 0 || (!allowZero && value == 0)) throw Bad(name, value, allowZero ? "finite and ≥ 0" : "finite and > 0");
    }

    private static void Unit(string name, float value)
    {
        if (!(value >= 0f && value < 1f)) throw Bad(name, value, "in [0, 1)");
    }

    public static void Validate(MlpTrainerOptionsBase o)
    {
        if (string.IsNullOrEmpty(o.LabelColumnName)) throw new ArgumentException("Option LabelColumnName must name a column.", nameof(o.LabelColumnName));
        if (string.IsNullOrEmpty(o.FeatureColumnName)) throw new ArgumentException("Option FeatureColumnName must name a column.", nameof(o.FeatureColumnName));
        if (o.HiddenLayerSizes is null) throw new ArgumentNullException(nameof(o.HiddenLayerSizes), "Option HiddenLayerSizes must be set (empty for a linear model).");
        for (int i = 0; i < o.HiddenLayerSizes.Length; i++)
            if (o.HiddenLayerSizes[i] <= 0) throw Bad(nameof(o.HiddenLayerSizes), o.HiddenLayerSizes[i], $"positive widths (hidden layer {i + 1})");
        if (!Enum.IsDefined(o.Activation)) throw Bad(nameof(o.Activation), o.Activation, "a defined Activation");
        if (o.WeightInitialization is { } wi && !Enum.IsDefined(wi)) throw Bad(nameof(o.WeightInitialization), wi, "a defined WeightInitialization");
        Rate(nameof(o.InitializationGain), o.InitializationGain, allowZero: false);
        if (o.SparseConnections < 1) throw Bad(nameof(o.SparseConnections), o.SparseConnections, "at least 1");
        if (!Enum.IsDefined(o.Optimizer)) throw Bad(nameof(o.Optimizer), o.Optimizer, "a defined OptimizerKind");
        Rate(nameof(o.LearningRate), o.LearningRate, allowZero: false);
        Unit(nameof(o.Momentum), o.Momentum);
        Unit(nameof(o.Rho), o.Rho);
        Unit(nameof(o.Beta1), o.Beta1);
        Unit(nameof(o.Beta2), o.Beta2);
        if (o.Epsilon is { } eps) Rate(nameof(o.Epsilon), eps, allowZero: false);
        Rate(nameof(o.WeightDecay), o.WeightDecay);
        if (!Enum.IsDefined(o.LearningRateSchedule)) throw Bad(nameof(o.LearningRateSchedule), o.LearningRateSchedule, "a defined LearningRateScheduleKind");
        if (o.DecayIterations < 0) throw Bad(nameof(o.DecayIterations), o.DecayIterations, "≥ 0");
        if (o.FinalLearningRate is { } fr && !(fr >= 0 && fr <= o.LearningRate)) throw Bad(nameof(o.FinalLearningRate), fr, $"in [0, LearningRate = {o.LearningRate}]");
        if (!(o.DecayFactor > 0f && o.DecayFactor <= 1f)) throw Bad(nameof(o.DecayFactor), o.DecayFactor, "in (0, 1]");
        if (o.WarmupIterations < 0) throw Bad(nameof(o.WarmupIterations), o.WarmupIterations, "≥ 0");
        if (o.NumberOfEpochs is { } epochs && epochs < 1) throw Bad(nameof(o.NumberOfEpochs), epochs, "at least 1 (or null: automatic)");
        if (o.BatchSize < 1) throw Bad(nameof(o.BatchSize), o.BatchSize, "at least 1");
        if (o.BatchNormalization && o.BatchSize < 2)
            throw Bad(nameof(o.BatchSize), o.BatchSize, "at least 2 with BatchNormalization (a batch of one has no variance)");
        Rate(nameof(o.L1Regularization), o.L1Regularization);
        Rate(nameof(o.L2Regularization), o.L2Regularization);
        Rate(nameof(o.MaxNorm), o.MaxNorm);
        Rate(nameof(o.GradientClipNorm), o.GradientClipNorm);
        Unit(nameof(o.InputDropoutRate), o.InputDropoutRate);
        Unit(nameof(o.HiddenDropoutRate), o.HiddenDropoutRate);
        Unit(nameof(o.BatchNormalizationMomentum), o.BatchNormalizationMomentum);
        Rate(nameof(o.InputNoiseStdDev), o.InputNoiseStdDev);
        Rate(nameof(o.WeightNoiseStdDev), o.WeightNoiseStdDev);
        Unit(nameof(o.ValidationFraction), o.ValidationFraction);
        if (o.EarlyStoppingPatience < 1) throw Bad(nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, "at least 1");
        Rate(nameof(o.EarlyStoppingMinDelta), o.EarlyStoppingMinDelta);
        if (!Enum.IsDefined(o.EarlyStoppingMonitor)) throw Bad(nameof(o.EarlyStoppingMonitor), o.EarlyStoppingMonitor, "a defined EarlyStoppingMonitor");
        if (!Enum.IsDefined(o.ValidationDataReuse)) throw Bad(nameof(o.ValidationDataReuse), o.ValidationDataReuse, "a defined ValidationDataReuse");
        if (!Enum.IsDefined(o.MissingValues)) throw Bad(nameof(o.MissingValues), o.MissingValues, "a defined MissingValueHandling");
        if (o.ContinueEpochCap < 1) throw Bad(nameof(o.ContinueEpochCap), o.ContinueEpochCap, "at least 1");
        if (o.NumberOfThreads is { } t && t < 1) throw Bad(nameof(o.NumberOfThreads), t, "at least 1");
    }

    public static Optimizer CreateOptimizer(MlpTrainerOptionsBase o) =>
        OptimizerFactory.Create(new OptimizerSettings(o.Optimizer, o.LearningRate, o.Momentum, o.Rho, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay));

    public static LearningRateSchedule CreateSchedule(MlpTrainerOptionsBase o, int epochs, int batchesPerEpoch)
    {
        long total = (long)epochs * batchesPerEpoch;
        long decay = o.DecayIterations > 0 ? o.DecayIterations
            : o.LearningRateSchedule is LearningRateScheduleKind.LinearDecay or LearningRateScheduleKind.Cosine ? Math.Max(1, total)
            : Math.Max(1, batchesPerEpoch);
        float final = o.FinalLearningRate ?? (o.LearningRateSchedule == LearningRateScheduleKind.LinearDecay ? 0.01f * o.LearningRate : 0f);
        return LearningRateScheduleFactory.Create(new ScheduleSettings(o.LearningRateSchedule, o.LearningRate, decay, final, o.DecayFactor, o.WarmupIterations));
    }

    public static WeightInitializer CreateInitializer(MlpTrainerOptionsBase o)
    {
        var kind = o.WeightInitialization ?? (o.Activation is Activation.Relu or Activation.LeakyRelu
            ? WeightInitialization.HeUniform : WeightInitialization.XavierUniform);
        return WeightInitializerFactory.Create(kind, o.InitializationGain, o.SparseConnections);
    }
}
