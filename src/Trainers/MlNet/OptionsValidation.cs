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

    /// <summary>The most members <see cref="MlpTrainerOptionsBase.NumberOfModels"/> allows.</summary>
    internal const int MaxModels = 100;

    public static void Validate(MlpTrainerOptionsBase o)
    {
        if (string.IsNullOrEmpty(o.LabelColumnName)) throw new ArgumentException("Option LabelColumnName must name a column.", nameof(o.LabelColumnName));
        if (string.IsNullOrEmpty(o.FeatureColumnName)) throw new ArgumentException("Option FeatureColumnName must name a column.", nameof(o.FeatureColumnName));
        if (o.ExampleWeightColumnName is { Length: 0 }) throw new ArgumentException("Option ExampleWeightColumnName must name a column, or be null for unweighted examples.", nameof(o.ExampleWeightColumnName));
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
        if (o.L2Regularization is { } l2) Rate(nameof(o.L2Regularization), l2);
        Rate(nameof(o.ParameterTyingStrength), o.ParameterTyingStrength);
        Rate(nameof(o.AdversarialEpsilon), o.AdversarialEpsilon);
        if (!(o.AdversarialLossWeight > 0f && o.AdversarialLossWeight <= 1f)) throw Bad(nameof(o.AdversarialLossWeight), o.AdversarialLossWeight, "in (0, 1]");
        if (o.AdversarialEpsilon > 0 && o.ValidationDataReuse != ValidationDataReuse.None)
            throw Bad(nameof(o.AdversarialEpsilon), o.AdversarialEpsilon, $"0 with ValidationDataReuse {o.ValidationDataReuse} (adversarial examples are made in the phase on the training rows only; set ValidationDataReuse to None)");
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
        if (o.NumberOfModels is < 1 or > MaxModels) throw Bad(nameof(o.NumberOfModels), o.NumberOfModels, $"in [1, {MaxModels}]");
        if (o.NumberOfModels > 1 && o.CheckpointPath is not null)
            throw new ArgumentException($"Option {nameof(o.CheckpointPath)} must be null with {nameof(o.NumberOfModels)} = {o.NumberOfModels}: an ensemble's members are not checkpointed; train a single network (NumberOfModels = 1) for checkpoints.", nameof(o.CheckpointPath));
        if (o.NumberOfModels > 1 && o.ResumeFromCheckpoint is not null)
            throw new ArgumentException($"Option {nameof(o.ResumeFromCheckpoint)} must be null with {nameof(o.NumberOfModels)} = {o.NumberOfModels}: an ensemble cannot resume from a checkpoint; set NumberOfModels = 1 to resume a single network.", nameof(o.ResumeFromCheckpoint));
        if (o.NumberOfModels > 1 && o.ReloadDataEachEpoch == true)
            throw new ArgumentException($"Option {nameof(o.ReloadDataEachEpoch)} must not be true with {nameof(o.NumberOfModels)} = {o.NumberOfModels}: bootstrap samples are drawn from rows read once; set ReloadDataEachEpoch to false or null.", nameof(o.ReloadDataEachEpoch));
        if (o.NumberOfThreads is { } t && t < 1) throw Bad(nameof(o.NumberOfThreads), t, "at least 1");
        if (o.CheckpointPath is { } checkpoint && (string.IsNullOrWhiteSpace(checkpoint) || Directory.Exists(checkpoint)))
            throw new ArgumentException($"Option {nameof(o.CheckpointPath)} must be the path of a file (or null for no checkpoints), got '{checkpoint}'" +
                (Directory.Exists(checkpoint) ? ", which is a folder." : "."), nameof(o.CheckpointPath));
        if (o.CheckpointEveryEpochs < 1) throw Bad(nameof(o.CheckpointEveryEpochs), o.CheckpointEveryEpochs, "at least 1");
        if (o.ResumeFromCheckpoint is { } resume && string.IsNullOrWhiteSpace(resume))
            throw new ArgumentException($"Option {nameof(o.ResumeFromCheckpoint)} must be the path of a checkpoint file (or null to train from the start), got '{resume}'.", nameof(o.ResumeFromCheckpoint));
        // Before any data: the smallest network of this shape (one input, one output, batches of one) must fit.
        CheckFootprint(o, 1, 1, 1, 1, AvailableBytes, "even with 1 input, 1 output and batches of 1 row");
    }

    /// <summary>Optimizer state arrays per parameter array (velocity, squared-gradient average, Adam's two moments).</summary>
    internal static int OptimizerStateArrays(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Sgd => 0,
        OptimizerKind.Momentum or OptimizerKind.Nesterov or OptimizerKind.AdaGrad or OptimizerKind.RmsProp => 1,
        _ => 2, // RMSProp + Nesterov, Adam, AdamW
    };

    /// <summary>What training a network of the options' shape holds in memory, in float values (4 bytes each).</summary>
    /// <param name="ParameterValues">Weights, biases and batch-normalization γ, β: the model.</param>
    /// <param name="ParameterFloats">Everything sized by the parameters: values, gradients, optimizer state, the best-epoch copy (and the copies of weight noise and validation reuse).</param>
    /// <param name="BatchFloats">Everything sized by the minibatch: each layer's outputs and gradients, masks, the gathered batches.</param>
    internal readonly record struct TrainingFootprint(long ParameterValues, long ParameterFloats, long BatchFloats)
    {
        public long Bytes => 4 * (ParameterFloats + BatchFloats);
    }

    /// <summary>
    /// The training footprint of a network with <paramref name="inputs"/> inputs, the options' hidden layers and
    /// <paramref name="outputs"/> outputs, trained on minibatches of up to <paramref name="batchRows"/> rows of
    /// <paramref name="targets"/> targets. Every count in 64-bit checked arithmetic; a single array longer than .NET allows
    /// is an error naming HiddenLayerSizes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A layer's weight matrix has more values than an array can hold.</exception>
    internal static TrainingFootprint Footprint(MlpTrainerOptionsBase o, int inputs, int outputs, int targets, int batchRows)
    {
        checked
        {
            long parameters = 0, widths = 0, masks = 0;
            long fanIn = inputs;
            if (o.InputNoiseStdDev > 0) widths += inputs;
            if (o.InputDropoutRate > 0) { widths += inputs; masks += inputs; }
            var sizes = o.HiddenLayerSizes.Append(outputs).ToArray();
            for (int h = 0; h < sizes.Length; h++)
            {
                long width = sizes[h];
                long weights = fanIn * width;
                if (weights > Array.MaxLength)
                    throw new ArgumentOutOfRangeException(nameof(o.HiddenLayerSizes),
                        $"Option HiddenLayerSizes {{{string.Join(", ", o.HiddenLayerSizes)}}}: the {(h < sizes.Length - 1 ? $"hidden layer {h + 1}" : "output layer")} " +
                        $"has {fanIn:N0} × {width:N0} = {weights:N0} weights, more than one array can hold ({Array.MaxLength:N0}). Use narrower layers.");
                parameters += weights + width;
                widths += width;
                if (h < sizes.Length - 1)
                {
                    widths += width; // the activation
                    if (o.BatchNormalization) { parameters += 2 * width; widths += width; masks += width; }
                    if (o.HiddenDropoutRate > 0) { widths += width; masks += width; }
                }
                fanIn = width;
            }
            // Value, gradient and best-epoch copy, the optimizer's state; weight noise keeps a copy of the weights, validation
            // reuse the early-stopped weights (and a retrain a whole second network with its optimizer).
            long copies = 3 + OptimizerStateArrays(o.Optimizer) + (o.WeightNoiseStdDev > 0 ? 1 : 0);
            if (o.ValidationDataReuse != ValidationDataReuse.None) copies += 1;
            if (o.ValidationDataReuse is ValidationDataReuse.RetrainSameEpochs or ValidationDataReuse.RetrainSameUpdates) copies += 3 + OptimizerStateArrays(o.Optimizer);
            long batch = (long)batchRows + 1;
            long perBatch = 2 * widths + masks + outputs + 2 * ((long)inputs + targets + 1);
            return new TrainingFootprint(parameters, parameters * copies, batch * perBatch);
        }
    }

    /// <summary>The memory this process may use: the GC's view (physical memory, a container limit or a heap hard limit).</summary>
    internal static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// What a bagged ensemble holds in memory while it trains, in bytes: <paramref name="parallel"/> members training at once
    /// (each the footprint of one network, plus its bootstrap copy of the <paramref name="rows"/> training rows), and the
    /// kept parameters of the other members.
    /// </summary>
    internal static long EnsembleBytes(MlpTrainerOptionsBase o, int inputs, int outputs, int targets, int batchRows, int rows, int parallel)
    {
        var f = Footprint(o, inputs, outputs, targets, batchRows);
        checked
        {
            long sample = 4L * rows * (inputs + targets + 1);
            return parallel * (f.Bytes + sample) + (o.NumberOfModels - parallel) * 4 * f.ParameterValues;
        }
    }

    /// <summary>Refuses an ensemble (<see cref="MlpTrainerOptionsBase.NumberOfModels"/> ≥ 2) that would not fit in <paramref name="availableBytes"/>, naming NumberOfModels.</summary>
    internal static void CheckEnsembleFootprint(MlpTrainerOptionsBase o, int inputs, int outputs, int targets, int batchRows, int rows, int parallel, long availableBytes)
    {
        long bytes;
        try { bytes = EnsembleBytes(o, inputs, outputs, targets, batchRows, rows, parallel); }
        catch (OverflowException) { bytes = long.MaxValue; }
        if (bytes <= availableBytes) return;
        throw new ArgumentOutOfRangeException(nameof(o.NumberOfModels),
            $"Option NumberOfModels {o.NumberOfModels} needs about {Size(bytes)} to train ({parallel} members at once, each with its bootstrap copy of the {rows:N0} rows, and the others' weights); " +
            $"this process may use {Size(availableBytes)}. Use fewer members, fewer at once (NumberOfThreads), or a smaller network.");
    }

    /// <summary>
    /// Checks that training fits in memory (<see cref="Footprint"/> against <paramref name="availableBytes"/>), naming the
    /// option that weighs most: HiddenLayerSizes when the parameter-sized arrays dominate, else BatchSize.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The estimate exceeds the memory available, or an array would be too long.</exception>
    internal static void CheckFootprint(MlpTrainerOptionsBase o, int inputs, int outputs, int targets, int batchRows, long availableBytes, string shape)
    {
        TrainingFootprint f;
        try { f = Footprint(o, inputs, outputs, targets, batchRows); }
        catch (OverflowException)
        {
            throw new ArgumentOutOfRangeException(nameof(o.HiddenLayerSizes),
                $"Option HiddenLayerSizes {{{string.Join(", ", o.HiddenLayerSizes)}}} with BatchSize {o.BatchSize} ({shape}) needs more memory than can be counted. Use narrower layers.");
        }
        if (f.Bytes <= availableBytes) return;
        bool batchDominates = f.BatchFloats > f.ParameterFloats;
        string option = batchDominates ? nameof(o.BatchSize) : nameof(o.HiddenLayerSizes);
        string value = batchDominates ? o.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{{{string.Join(", ", o.HiddenLayerSizes)}}}";
        throw new ArgumentOutOfRangeException(option,
            $"Option {option} {value} needs about {Size(f.Bytes)} to train ({shape}): {f.ParameterValues:N0} parameters, {Size(4 * f.ParameterFloats)} with their " +
            $"gradients, {o.Optimizer} state and best-epoch copy, and {Size(4 * f.BatchFloats)} of buffers for minibatches of {batchRows:N0} rows; " +
            $"this process may use {Size(availableBytes)}. Use narrower or fewer hidden layers, or a smaller BatchSize.");
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):F1} GB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):F1} MB",
        _ => $"{bytes / 1024.0:F1} KB",
    };

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
