using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>
/// What the MLP trainers share: option validation, reading the data into dense batches,
/// the validation split, feature standardization, running the training loop, logging and progress.
/// Derived trainers supply the label handling, loss, metric and prediction transformer of their task.
/// </summary>
/// <typeparam name="TTransformer">The prediction transformer the trainer produces.</typeparam>
/// <typeparam name="TOptions">The trainer's options.</typeparam>
public abstract class MlpTrainerBase<TTransformer, TOptions> : IEstimator<TTransformer>
    where TTransformer : ITransformer
    where TOptions : MlpTrainerOptionsBase
{
    private protected readonly IHost Host;
    private protected readonly TOptions TrainerOptions;
    private readonly IHostEnvironment _environment;

    private protected MlpTrainerBase(IHostEnvironment environment, TOptions options, string name)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _environment = environment;
        Host = environment.Register(name);
        TrainerOptions = options;
        HostCancellation.EnsureResolved();
        ValidateOptions();
    }

    /// <summary>
    /// Checks the options (errors name the option): when the trainer is built and again at every Fit, since the options
    /// object may have been changed in between. Derived trainers add their task's options.
    /// </summary>
    private protected virtual void ValidateOptions() => OptionsValidation.Validate(TrainerOptions);

    /// <summary>Trains on <paramref name="input"/>, with <see cref="MlpTrainerOptionsBase.ValidationData"/> or
    /// <see cref="MlpTrainerOptionsBase.ValidationFraction"/> for early stopping when set.</summary>
    public TTransformer Fit(IDataView input) => Fit(input, TrainerOptions.ValidationData);

    /// <summary>Trains on <paramref name="trainData"/> and early-stops on <paramref name="validationData"/> (as LightGbm and FastTree's Fit(train, validation)).</summary>
    /// <param name="trainData">Training data with the label and features columns.</param>
    /// <param name="validationData">
    /// Validation data of the same schema, or null. A key label must carry the same classes as the training data's
    /// (KeyValues; for soft labels, SlotNames): when they are the same values in another order, or a subset, the validation
    /// labels are remapped to the training order; a class the training data lacks, or KeyValues on only one side, is an error.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (checked again here), the network would not fit in memory, or a column is missing or of the wrong type.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite before any epoch finished, or the trained weights give non-finite outputs.</exception>
    /// <exception cref="OperationCanceledException">The options' CancellationToken, or the MLContext's execution (<c>CancelExecution()</c>), was cancelled before any epoch finished.</exception>
    public TTransformer Fit(IDataView trainData, IDataView? validationData) => Fit(trainData, validationData, null);

    /// <summary>
    /// Continues training from an earlier trained model (warm start, the form ML.NET's linear trainers use for incremental
    /// training): the network starts from <paramref name="modelParameters"/>' weights instead of random ones, with
    /// <see cref="MlpTrainerOptionsBase.ValidationData"/> or <see cref="MlpTrainerOptionsBase.ValidationFraction"/> for early
    /// stopping when set. See <see cref="Fit(IDataView, IDataView?, MlpModelParameters?)"/>.
    /// </summary>
    /// <param name="trainData">Training data with the label and features columns.</param>
    /// <param name="modelParameters">The model to start from (for instance <c>transformer.Model</c> of an earlier Fit, or of a loaded model).</param>
    /// <exception cref="ArgumentException">The model's architecture or input size differs from the options and data (the message says what differs).</exception>
    public TTransformer Fit(IDataView trainData, MlpModelParameters modelParameters)
    {
        ArgumentNullException.ThrowIfNull(modelParameters);
        return Fit(trainData, TrainerOptions.ValidationData, modelParameters);
    }

    /// <summary>
    /// Trains on <paramref name="trainData"/>, early-stopping on <paramref name="validationData"/> when given, starting from
    /// <paramref name="modelParameters"/>' weights when given (warm start).
    /// <para>
    /// A warm start keeps the reference model's input preprocessing (missing-value fills and indicators, scaling) and, for
    /// regression, its label standardization, instead of learning them again from <paramref name="trainData"/>: the weights
    /// keep their meaning, and <see cref="MlpTrainerOptionsBase.NormalizeFeatures"/> has no effect. The architecture must
    /// match: the features' slot count, <see cref="MlpTrainerOptionsBase.HiddenLayerSizes"/>,
    /// <see cref="MlpTrainerOptionsBase.Activation"/>, <see cref="MlpTrainerOptionsBase.BatchNormalization"/> and the outputs
    /// (classes); training-only options (dropout, noise) may differ. The optimizer state and the learning-rate schedule start
    /// afresh from the options (a smaller <see cref="MlpTrainerOptionsBase.LearningRate"/> is usual for fine-tuning); a
    /// retraining phase of <see cref="MlpTrainerOptionsBase.ValidationDataReuse"/> starts again from the reference's weights.
    /// <see cref="MlpTrainerOptionsBase.ParameterTyingStrength"/> keeps the weights near the reference's. The reference
    /// model is only read: it may go on scoring meanwhile.
    /// </para>
    /// </summary>
    /// <param name="trainData">Training data with the label and features columns.</param>
    /// <param name="validationData">Validation data of the same schema, or null (see <see cref="Fit(IDataView, IDataView?)"/>).</param>
    /// <param name="modelParameters">The model to start from, or null for random initial weights.</param>
    /// <exception cref="ArgumentException">The model's architecture or input size differs from the options and data, or
    /// <see cref="MlpTrainerOptionsBase.ParameterTyingStrength"/> is above 0 without a model to tie to.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (checked again here), the network would not fit in memory, or a column is missing or of the wrong type.</exception>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite before any epoch finished, or the trained weights give non-finite outputs.</exception>
    /// <exception cref="OperationCanceledException">The options' CancellationToken, or the MLContext's execution (<c>CancelExecution()</c>), was cancelled before any epoch finished.</exception>
    public TTransformer Fit(IDataView trainData, IDataView? validationData, MlpModelParameters? modelParameters)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        if (modelParameters is null && TrainerOptions.ParameterTyingStrength > 0)
            throw new ArgumentException(
                $"Option ParameterTyingStrength is {TrainerOptions.ParameterTyingStrength.ToString(CultureInfo.InvariantCulture)}, which ties the weights to a reference model, " +
                "but Fit was given none: pass the model to start from and tie to as Fit(trainData, modelParameters), or set ParameterTyingStrength to 0.",
                nameof(MlpTrainerOptionsBase.ParameterTyingStrength));
        TrainerOptions.CancellationToken.ThrowIfCancellationRequested(); // nothing trained yet: no model to hand back
        if (HostCancellation.IsCancelled(_environment) || HostCancellation.IsCancelled(Host))
            throw new OperationCanceledException("The MLContext's execution was cancelled (CancelExecution) before Fit started: use a new MLContext to train.");
        ValidateOptions(); // the options may have changed since the trainer was built
        // A checkpoint to resume from is read first: a missing or damaged file fails before any data is read.
        (CheckpointFingerprint Fingerprint, TrainingCheckpoint Checkpoint)? resumed =
            TrainerOptions.ResumeFromCheckpoint is { } resumePath ? ReadCheckpoint(resumePath) : null;
        using var channel = Host.Start("Training");
        var task = Setup(trainData.Schema);
        // A hold-out split from the training rows (ValidationFraction, or the automatic one) is validated on the plain labels
        // when the task trains on other targets: both are read in the one pass over the training data.
        bool maySplit = validationData is null && (TrainerOptions.ValidationFraction > 0 || TrainerOptions.NumberOfEpochs is null);
        var reader = new TrainingDataReader(TrainerOptions.FeatureColumnName, TrainerOptions.LabelColumnName, TrainerOptions.ExampleWeightColumnName, task.Labels, TrainerOptions.MissingValues,
            maySplit ? task.ValidationLabels : null);
        var validationReader = task.ValidationLabels is null ? reader
            : new TrainingDataReader(TrainerOptions.FeatureColumnName, TrainerOptions.LabelColumnName, TrainerOptions.ExampleWeightColumnName, task.ValidationLabels, TrainerOptions.MissingValues);
        reader.CheckSchema(trainData.Schema, "training data");
        // A warm start's architecture is checked before any row is read.
        if (modelParameters is { IsEnsemble: true })
            throw new ArgumentException(
                $"The model to start from is a bagged ensemble of {modelParameters.Members.Count} networks (option {nameof(MlpTrainerOptionsBase.NumberOfModels)} = {modelParameters.Members.Count}): " +
                "a warm start needs a single network. Start from one member (modelParameters.Members[i].Parameters) or train afresh.", nameof(modelParameters));
        if (modelParameters is not null)
            WarmStartReference.Check(modelParameters, TrainerOptions, ((VectorDataViewType)trainData.Schema[TrainerOptions.FeatureColumnName].Type).Size, task.OutputSize, task.Task, task.OutputNames);
        var externalValidationReader = validationReader;
        if (validationData is not null)
        {
            reader.CheckSchema(validationData.Schema, "validation data");
            // The validation labels must mean what the training labels mean: the same keys in the same order (or remapped).
            var remap = LabelAlignment.ValidationToTraining(trainData.Schema, validationData.Schema, TrainerOptions.LabelColumnName);
            if (remap is not null)
            {
                var labels = task.RemappedValidationLabels?.Invoke(remap)
                    ?? throw new InvalidOperationException($"The validation labels of column '{TrainerOptions.LabelColumnName}' would need remapping, which this task does not support.");
                externalValidationReader = new TrainingDataReader(TrainerOptions.FeatureColumnName, TrainerOptions.LabelColumnName, TrainerOptions.ExampleWeightColumnName, labels, TrainerOptions.MissingValues);
                channel.Info(MessageSensitivity.None, $"The validation data's label keys ('{TrainerOptions.LabelColumnName}') are in another order than the training data's: remapped by their KeyValues.");
            }
        }
        if (validationData is not null && TrainerOptions.ValidationFraction > 0)
            throw new ArgumentException("Set either ValidationData (or the validationData argument) or ValidationFraction, not both.");

        // Mostly-zero rows are also kept as lists of their non-zeros when the first layer can read them so (see SparseRows).
        // Not with a validation split (its copies of the rows are dense: the lists would be built for nothing).
        // The input preprocessing keeps zeros where they are common, so normalized rows can stay lists too (see InputPreprocessing).
        bool listNonZeros = DiagnosticSwitches.SparseInput && Kernels.Gemm.SparseListsSupported
            && TrainerOptions.InputNoiseStdDev == 0 && TrainerOptions.InputDropoutRate == 0 && TrainerOptions.ValidationFraction == 0
            && TrainerOptions.AdversarialEpsilon == 0 // adversarial examples are made from dense raw rows
            && TrainerOptions.NumberOfModels == 1; // bootstrap samples are copies of dense rows
        var (all, skipped) = reader.Read(trainData, "training data", listNonZeros: listNonZeros);
        if (all.Count == 0)
            throw new InvalidOperationException(skipped > 0
                ? $"All {skipped} rows of the training data were skipped for NaN or infinite values."
                : "The training data has no rows.");
        task.CheckTargets?.Invoke(all);
        if (all.Weights is { } w && System.Numerics.Tensors.TensorPrimitives.Sum(w.AsSpan(0, all.Count)) <= 0f)
            throw new InvalidOperationException($"Every example weight in column '{TrainerOptions.ExampleWeightColumnName}' of the training data is 0: nothing to learn from.");
        // Without a Seed a resumed run goes on with the seed the checkpoint's run drew.
        ulong seed = TrainerOptions.Seed is { } fixedSeed ? (ulong)(uint)fixedSeed
            : resumed is { } r ? r.Fingerprint.Seed : (ulong)(uint)Host.Rand.Next();
        int d = all.FeatureCount;
        // Automatic epochs: a hold-out for early stopping once the data is large enough (see AutomaticEpochs).
        float validationFraction = TrainerOptions.ValidationFraction;
        bool autoHoldOut = TrainerOptions.NumberOfEpochs is null && validationData is null && validationFraction == 0 && all.Count >= AutomaticEpochs.HoldOutMinRows;
        if (autoHoldOut) validationFraction = AutomaticEpochs.HoldOutFraction;

        // Validation split (deterministic by seed).
        int[]? trainRows = null;
        DenseDataset train = all;
        DenseDataset? validation = null;
        if (validationData is not null)
        {
            var (v, vs) = externalValidationReader.Read(validationData, "validation data", d);
            validation = v; skipped += vs;
            if (validation.Count == 0) throw new InvalidOperationException("The validation data has no usable rows.");
        }
        else if (validationFraction > 0)
        {
            (trainRows, var valRows) = ValidationSplit.Rows(all.Count, validationFraction, seed);
            // Validation targets are the plain labels (no smoothing or class weights) when the task reads them differently.
            validation = (task.ValidationLabels is null ? all : all.WithPlainTargets()).Select(valRows);
            train = all.Select(trainRows);
        }

        // Input preprocessing (missing values, scaling) learned on the training rows only, never on validation or test rows.
        // A warm start keeps the reference's preprocessing and label standardization, so that its weights keep their meaning.
        var preprocessing = modelParameters?.Preprocessing ?? InputPreprocessing.Fit(train, TrainerOptions.NormalizeFeatures);
        var (labelShift, labelScale) = modelParameters is not null ? (modelParameters.LabelShift, modelParameters.LabelScale)
            : LabelStandardization(train) ?? Standardization.Identity(task.OutputSize);
        var labelInverseScale = labelScale.Select(s => 1f / s).ToArray();
        DenseDataset Prepare(DenseDataset set)
        {
            set = preprocessing.Apply(set); // in place where it can (rows held as lists stay lists when zeros stay zeros)
            Standardization.Apply(set.Targets, set.Count, labelShift, labelInverseScale); // nothing to do when not standardized
            return set;
        }
        // Adversarial examples are made from the raw training rows (before the preprocessing, which works in place).
        var rawTrain = TrainerOptions.AdversarialEpsilon > 0 ? train.Select(Enumerable.Range(0, train.Count).ToArray()) : null;
        train = Prepare(train);
        if (validation is not null) validation = Prepare(validation);
        if (preprocessing.Indicators.Length > 0)
            channel.Info(MessageSensitivity.None, $"{preprocessing.Indicators.Length} feature slots have missing values (NaN) in the training data: imputed with their medians, each with an indicator input.");
        // The network inputs that vary over the training rows: d of the automatic penalty and epochs (see VaryingFeatures),
        // counted only when one of them needs it.
        int? varying = null;
        int VaryingInputs() => varying ??= VaryingFeatures.Count(train);
        // The L2 penalty, from the training rows only (after the preprocessing) when automatic.
        double noiseFraction = double.NaN;
        // A warm start keeps its reference's penalty (what its weights were trained under; ParameterTyingStrength is
        // weighed against it), and a penalty the reference does not record is the base.
        float l2 = TrainerOptions.L2Regularization
            ?? (modelParameters is not null ? AutomaticL2.OfReference(modelParameters.Options)
                : AutomaticL2.For(train, AdaptsL2ToData, out noiseFraction, TrainerOptions.NumberOfThreads ?? Environment.ProcessorCount, AdaptsL2ToData ? VaryingInputs() : null));
        float? automaticL2 = TrainerOptions.L2Regularization is null ? l2 : null;
        if (TrainerOptions.L2Regularization is null && AdaptsL2ToData && modelParameters is null)
            channel.Info(MessageSensitivity.None, $"Automatic L2 penalty {l2.ToString("G4", CultureInfo.InvariantCulture)} ({train.Count} rows, {VaryingInputs()} varying inputs, noise fraction {noiseFraction.ToString("F3", CultureInfo.InvariantCulture)} by the Delta test).");

        // Fresh reads per epoch when the upstream data is stochastic (online augmentation).
        // A single epoch with no reuse phase reads the data once anyway: no need to probe it.
        int epochCount = TrainerOptions.NumberOfEpochs
            ?? (validation is not null ? AutomaticEpochs.MaxEpochs : AutomaticEpochs.FixedEpochs(train.Count, VaryingInputs(), TrainerOptions.BatchSize));
        if (TrainerOptions.NumberOfEpochs is null)
            channel.Info(MessageSensitivity.None, validation is not null
                ? $"Automatic epochs: at most {epochCount} with early stopping on {(autoHoldOut ? $"a hold-out of {validation.Count} of the {all.Count} training rows" : $"the {validation.Count} validation rows")}."
                : $"Automatic epochs: {epochCount} over all {train.Count} training rows.");
        bool singlePass = epochCount == 1 && (validation is null || TrainerOptions.ValidationDataReuse == ValidationDataReuse.None);
        bool reload = TrainerOptions.ReloadDataEachEpoch ?? (!singlePass && DataProbe.IsStochastic(trainData, TrainerOptions.FeatureColumnName));
        DenseDataset? previousRead = null;
        IEpochData epochs = reload
            ? new ReloadingEpochData(train, epoch =>
              {
                  // Each read reuses the arrays of the previous fresh read (the first read, kept as epoch 1's data, is never reused).
                  var (fresh, _) = reader.Read(trainData, "training data", d, previousRead, listNonZeros && trainRows is null);
                  previousRead = fresh;
                  if (fresh.Count != all.Count)
                      throw new InvalidOperationException(
                          $"The training data changed size between epochs ({all.Count} → {fresh.Count} rows); with SkipNonFiniteRows the skipped rows must not vary.");
                  return Prepare(trainRows is null ? fresh : fresh.Select(trainRows));
              })
            : new FixedEpochData(train);
        if (reload) channel.Info(MessageSensitivity.None, "The training data is re-read every epoch (stochastic upstream transforms give fresh values).");
        if (reload && TrainerOptions.NumberOfModels > 1)
            throw new ArgumentException(
                $"Option NumberOfModels is {TrainerOptions.NumberOfModels}, but the training data is re-read every epoch (stochastic upstream transforms such as augmentation): " +
                "bagging draws its bootstrap samples from rows read once. Set ReloadDataEachEpoch = false, or NumberOfModels = 1.", nameof(MlpTrainerOptionsBase.NumberOfModels));
        if (reload && rawTrain is not null)
            throw new ArgumentException(
                $"Option AdversarialEpsilon is {TrainerOptions.AdversarialEpsilon.ToString(CultureInfo.InvariantCulture)}, but the training data is re-read every epoch " +
                "(ReloadDataEachEpoch, or stochastic upstream transforms such as augmentation): adversarial training needs the same rows every epoch. " +
                "Set ReloadDataEachEpoch = false, or AdversarialEpsilon = 0.", nameof(MlpTrainerOptionsBase.AdversarialEpsilon));

        // Sizes from the data: buffers hold min(BatchSize, rows) rows (all rows of a reuse phase on training + validation data).
        int rowsPerPhase = train.Count + (validation is not null && TrainerOptions.ValidationDataReuse != ValidationDataReuse.None ? validation.Count : 0);
        int batchRows = Math.Min(TrainerOptions.BatchSize, rowsPerPhase);
        OptionsValidation.CheckFootprint(TrainerOptions, preprocessing.OutputCount, task.OutputSize, task.Labels.TargetSize, batchRows, OptionsValidation.AvailableBytes,
            $"{preprocessing.OutputCount} inputs, {task.OutputSize} outputs, {rowsPerPhase} rows");

        // What a checkpoint must match to continue this run: options, seed, data and the preprocessing learned from it.
        CheckpointFingerprint? fingerprint = TrainerOptions.CheckpointPath is null && resumed is null ? null : new CheckpointFingerprint
        {
            Options = TrainingOptions(seed, task, modelParameters, automaticL2, TrainerOptions.NumberOfEpochs is null ? epochCount : null), Seed = seed, TrainingRows = all.Count, FeatureCount = d, SkippedRows = skipped,
            ValidationRows = validation?.Count ?? 0, TrainingData = CheckpointFingerprint.Hash(train),
            ValidationData = validation is null ? 0 : CheckpointFingerprint.Hash(validation),
            Preprocessing = CheckpointFingerprint.Hash(preprocessing, labelShift, labelScale),
        };
        if (resumed is { } from)
        {
            var differences = fingerprint!.Differences(from.Fingerprint);
            if (differences.Count > 0)
                throw new InvalidOperationException(
                    $"Option {nameof(MlpTrainerOptionsBase.ResumeFromCheckpoint)}: the checkpoint file '{TrainerOptions.ResumeFromCheckpoint}' was written by training with other options or data: " +
                    $"{string.Join("; ", differences)}. Resume with the options and data it was written with.");
            channel.Info(MessageSensitivity.None, $"Resuming from the checkpoint '{TrainerOptions.ResumeFromCheckpoint}' after {from.Checkpoint.Current.Phase} epoch {from.Checkpoint.Current.Epoch}.");
            if (reload)
                channel.Warning(MessageSensitivity.None, "The training data is re-read every epoch (ReloadDataEachEpoch, or stochastic upstream transforms): " +
                    "random upstream transforms draw afresh in the resumed epochs, so the model may not be bit for bit the one an uninterrupted run gives.");
        }

        var settings = new TrainingSettings
        {
            Network = new NetworkSpec(preprocessing.OutputCount, TrainerOptions.HiddenLayerSizes, task.OutputSize, TrainerOptions.Activation, TrainerOptions.BatchNormalization,
                TrainerOptions.InputDropoutRate, TrainerOptions.HiddenDropoutRate, TrainerOptions.InputNoiseStdDev, TrainerOptions.BatchNormalizationMomentum),
            CreateLoss = task.CreateLoss,
            CreateOptimizer = () => OptionsValidation.CreateOptimizer(TrainerOptions),
            Schedule = OptionsValidation.CreateSchedule(TrainerOptions, epochCount, BatchesPerEpoch(train.Count)),
            Initializer = OptionsValidation.CreateInitializer(TrainerOptions),
            Metric = task.Metric,
            Epochs = epochCount,
            BatchSize = TrainerOptions.BatchSize,
            Shuffle = TrainerOptions.Shuffle,
            Seed = seed,
            MaxThreads = TrainerOptions.NumberOfThreads ?? AutomaticThreads(preprocessing.OutputCount, task.OutputSize, Math.Min(TrainerOptions.BatchSize, train.Count)),
            L1 = TrainerOptions.L1Regularization,
            L2 = l2,
            WarmStartFrom = modelParameters?.Network,
            Adversarial = rawTrain is null ? null : new AdversarialTraining(TrainerOptions.AdversarialEpsilon, TrainerOptions.AdversarialLossWeight, rawTrain, preprocessing),
            Tying = modelParameters is not null && TrainerOptions.ParameterTyingStrength > 0 ? new ParameterTying(modelParameters.Network, TrainerOptions.ParameterTyingStrength) : null,
            MaxNorm = TrainerOptions.MaxNorm,
            GradientClipNorm = TrainerOptions.GradientClipNorm,
            WeightNoiseStdDev = TrainerOptions.WeightNoiseStdDev,
            EarlyStoppingPatience = TrainerOptions.EarlyStoppingPatience,
            EarlyStoppingMinDelta = TrainerOptions.EarlyStoppingMinDelta,
            Monitor = TrainerOptions.EarlyStoppingMonitor,
            Reuse = TrainerOptions.ValidationDataReuse,
            ContinueEpochCap = TrainerOptions.ContinueEpochCap,
            Progress = TrainerOptions.Progress,
            Log = message => channel.Info(MessageSensitivity.None, message),
            Cancellation = TrainerOptions.CancellationToken,
            HostCancelled = HostCancellation.For(_environment, Host),
            CheckpointEveryEpochs = TrainerOptions.CheckpointEveryEpochs,
            SaveCheckpoint = TrainerOptions.CheckpointPath is not { } checkpointPath ? null : checkpoint =>
            {
                try { TrainingCheckpointFile.Write(checkpointPath, fingerprint!, checkpoint); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new IOException($"Option {nameof(MlpTrainerOptionsBase.CheckpointPath)}: the checkpoint could not be written to '{checkpointPath}' ({e.GetType().Name}: {e.Message}).", e);
                }
                channel.Info(MessageSensitivity.None, $"Checkpoint after {checkpoint.Current.Phase} epoch {checkpoint.Current.Epoch} written to '{checkpointPath}'.");
            },
            Resume = resumed?.Checkpoint,
        };
        if (TrainerOptions.NumberOfModels > 1)
        {
            var ensemble = FitEnsemble(settings, train, validation, skipped, rawTrain, preprocessing, task.Combination, channel);
            var bagged = new MlpModelParameters(ensemble.Members, task.Combination, preprocessing, labelShift, labelScale, DescribeOptions(seed, task, modelParameters, automaticL2), ensemble.History);
            return task.CreateTransformer(bagged);
        }
        var result = new MlpTrainingLoop(settings).Run(epochs, validation, skipped);
        CheckTrained(result, train, "", channel);
        var model = new MlpModelParameters(result.Network, preprocessing, labelShift, labelScale, DescribeOptions(seed, task, modelParameters, automaticL2), result.History);
        return task.CreateTransformer(model);
    }

    /// <summary>
    /// Trains <see cref="MlpTrainerOptionsBase.NumberOfModels"/> members on bootstrap samples of <paramref name="train"/>
    /// (see <see cref="Bagging"/>), at most <see cref="MlpTrainerOptionsBase.NumberOfThreads"/> (or the processor count) at once.
    /// </summary>
    private (MlpEnsembleMember[] Members, TrainingHistory History) FitEnsemble(TrainingSettings settings, DenseDataset train, DenseDataset? validation, long skipped,
        DenseDataset? rawTrain, InputPreprocessing preprocessing, EnsembleCombination combination, IChannel channel)
    {
        int k = TrainerOptions.NumberOfModels;
        int parallel = Math.Min(k, TrainerOptions.NumberOfThreads ?? Environment.ProcessorCount);
        OptionsValidation.CheckEnsembleFootprint(TrainerOptions, preprocessing.OutputCount, settings.Network.OutputSize, train.TargetCount,
            Math.Min(TrainerOptions.BatchSize, train.Count + (validation?.Count ?? 0)), train.Count, parallel, OptionsValidation.AvailableBytes);
        channel.Info(MessageSensitivity.None, $"Bagging: {k} members, each on a bootstrap sample of the {train.Count} training rows, {parallel} at a time.");
        var bagging = new Bagging(settings, k, parallel,
            sample => rawTrain is null ? null : new AdversarialTraining(TrainerOptions.AdversarialEpsilon, TrainerOptions.AdversarialLossWeight, rawTrain.Select(sample), preprocessing),
            combination);
        var (members, history) = bagging.Run(train, validation, skipped);
        foreach (var m in members) CheckTrained(m.Result, train, $"Member {m.Index + 1} of {k}: ", channel);
        if (history.StopReason is StopReason.Diverged or StopReason.Cancelled) channel.Warning(MessageSensitivity.None, history.StopMessage);
        else channel.Info(MessageSensitivity.None, history.StopMessage);
        return (members.Select(m => new MlpEnsembleMember(m.Index, m.Seed, m.Result.Network, m.Result.History, m.OutOfBagRows, m.OutOfBagLoss, m.OutOfBagMetric)).ToArray(), history);
    }

    /// <summary>
    /// Refuses a trained network that is no model (no epoch finished, or non-finite outputs on the training rows), the
    /// messages starting with <paramref name="who"/> (empty for a single network); logs how training stopped.
    /// </summary>
    private void CheckTrained(TrainingResult result, DenseDataset train, string who, IChannel channel)
    {
        var history = result.History;
        if (history.BestEpoch == 0)
        {
            // No epoch of the main phase finished: the network holds its initial random weights, which are no model.
            if (history.StopReason == StopReason.Cancelled)
                throw new OperationCanceledException(who + "Training was cancelled during epoch 1, before any epoch finished: there is no trained model to return.", TrainerOptions.CancellationToken);
            if (history.StopReason == StopReason.Diverged)
                throw new TrainingDivergedException(
                    $"{who}The training loss became NaN or infinite in epoch 1, before any epoch finished: there is no trained model to return. " +
                    $"Try a lower LearningRate (it was {TrainerOptions.LearningRate.ToString(CultureInfo.InvariantCulture)}; the last update used {result.LastLearningRate.ToString("G3", CultureInfo.InvariantCulture)}), gradient clipping (GradientClipNorm), " +
                    "a smaller InitializationGain, or check the features and labels for extreme values.", 1, result.LastLearningRate);
        }
        if (!MlpTrainingLoop.GivesFiniteOutputs(result.Network, train))
            throw new TrainingDivergedException(
                $"{who}The trained network (the weights of epoch {history.BestEpoch}) gives NaN or infinite outputs on the training rows: it is not returned. " +
                $"Try a lower LearningRate (it was {TrainerOptions.LearningRate.ToString(CultureInfo.InvariantCulture)}), gradient clipping (GradientClipNorm) or a smaller InitializationGain.",
                history.BestEpoch, result.LastLearningRate);
        if (who.Length > 0) return; // the ensemble's stop is logged once, for all its members
        // A model that is not what was asked for (diverged, cancelled: earlier weights kept) is a warning, not an info line.
        if (history.StopReason is StopReason.Diverged or StopReason.Cancelled) channel.Warning(MessageSensitivity.None, history.StopMessage);
        else channel.Info(MessageSensitivity.None, history.StopMessage);
    }

    /// <summary>
    /// Below this many multiply-adds per minibatch in the dense layers' forward pass, training runs on one thread: the
    /// hand-offs to a second core (the next batch's gather, split products) cost more than they save. Measured on the
    /// tabular benchmark (2-core AMD EPYC, AVX-512): one thread took 0.33 s instead of 0.58 s on satellite (36-128-64-6,
    /// batch 32, about 0.4 M multiply-adds per batch) and 0.47 s instead of 0.64 s on lending_club (0.75 M); the MNIST
    /// reference workload (14 M) keeps both cores. The thread count never changes the results.
    /// </summary>
    internal const long MinMacsForThreads = 1L << 22;

    private int AutomaticThreads(int inputs, int outputs, int batchRows)
    {
        long macs = 0;
        int fanIn = inputs;
        foreach (int width in TrainerOptions.HiddenLayerSizes.Append(outputs)) { macs += (long)fanIn * width; fanIn = width; }
        return macs * (long)batchRows < MinMacsForThreads ? 1 : Environment.ProcessorCount;
    }

    /// <summary>Reads the checkpoint to resume from; a missing file's error names the option.</summary>
    private static (CheckpointFingerprint Fingerprint, TrainingCheckpoint Checkpoint) ReadCheckpoint(string path)
    {
        try { return TrainingCheckpointFile.Read(path); }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"Option {nameof(MlpTrainerOptionsBase.ResumeFromCheckpoint)}: {e.Message}", path, e);
        }
    }

    /// <summary>The model's option entry holding the seed actually used.</summary>
    private const string EffectiveSeedKey = "EffectiveSeed";

    private int BatchesPerEpoch(int rows) => (rows + Math.Min(TrainerOptions.BatchSize, rows) - 1) / Math.Min(TrainerOptions.BatchSize, rows);

    /// <summary>
    /// The options as the model records them (invariant text by name), with the effective seed. Not the data views, the
    /// callbacks, nor the checkpoint options (where a run's files went does not describe its model: a resumed run's model
    /// is the same as an uninterrupted one's).
    /// </summary>
    private IReadOnlyDictionary<string, string> DescribeOptions(ulong seed, TaskSetup task, MlpModelParameters? reference, float? automaticL2)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in TrainerOptions.GetType().GetProperties())
        {
            if (p.PropertyType == typeof(IDataView) || p.Name is nameof(MlpTrainerOptionsBase.Progress) or nameof(MlpTrainerOptionsBase.CancellationToken)
                or nameof(MlpTrainerOptionsBase.CheckpointPath) or nameof(MlpTrainerOptionsBase.CheckpointEveryEpochs) or nameof(MlpTrainerOptionsBase.ResumeFromCheckpoint)) continue;
            // A single network's options read as before bagging existed (the same model bytes): NumberOfModels only when ≥ 2.
            if (p.Name == nameof(MlpTrainerOptionsBase.NumberOfModels) && TrainerOptions.NumberOfModels == 1) continue;
            var value = p.GetValue(TrainerOptions);
            map[p.Name] = value switch
            {
                null => "",
                int[] a => string.Join(",", a),
                float[] f => string.Join(",", f.Select(x => x.ToString("R", CultureInfo.InvariantCulture))),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
        }
        map[EffectiveSeedKey] = seed.ToString(CultureInfo.InvariantCulture);
        if (automaticL2 is { } l2) map[AutomaticL2.OptionsKey] = l2.ToString("R", CultureInfo.InvariantCulture);
        map[WarmStartReference.TaskKey] = task.Task.ToString();
        if (task.OutputNames is { } names) map[WarmStartReference.OutputNamesKey] = WarmStartReference.JoinNames(names);
        // Started from an earlier model's weights: which ones (a checkpoint of this run resumes only from the same reference).
        if (reference is not null) map[WarmStartReference.WarmStartKey] = "weights " + CheckpointFingerprint.Hash(reference.Network).ToString("X16", CultureInfo.InvariantCulture);
        return map;
    }

    /// <summary>
    /// The options a checkpoint must have been written with: those of <see cref="DescribeOptions"/> but the thread count
    /// (results do not depend on it) and the seed (the fingerprint compares the effective seed itself), plus the epoch
    /// count the automatic rule gave (<paramref name="automaticEpochs"/>, null when the epochs were set).
    /// </summary>
    private IReadOnlyDictionary<string, string> TrainingOptions(ulong seed, TaskSetup task, MlpModelParameters? reference, float? automaticL2, int? automaticEpochs)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in DescribeOptions(seed, task, reference, automaticL2)) map[name] = value;
        if (automaticEpochs is { } epochs) map[AutomaticEpochs.CheckpointKey] = epochs.ToString(CultureInfo.InvariantCulture);
        // The automatic penalty follows from the data and options the fingerprint holds already; its last bits may differ
        // between CPUs (the Delta test's products), which must not refuse a resume on another machine.
        map.Remove(AutomaticL2.OptionsKey);
        map.Remove(nameof(MlpTrainerOptionsBase.NumberOfThreads));
        map.Remove(nameof(MlpTrainerOptionsBase.Seed));
        map.Remove(EffectiveSeedKey);
        return map;
    }

    /// <summary>Checks that the label and features columns exist in <paramref name="inputSchema"/> and returns them.</summary>
    private protected (SchemaShape.Column Label, SchemaShape.Column Features) RequireColumns(SchemaShape inputSchema)
    {
        var label = SchemaShapes.Find(inputSchema, TrainerOptions.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The input has no label column '{TrainerOptions.LabelColumnName}'.");
        var features = SchemaShapes.Find(inputSchema, TrainerOptions.FeatureColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The input has no features column '{TrainerOptions.FeatureColumnName}'.");
        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The features column '{TrainerOptions.FeatureColumnName}' must be a known-size vector of Single.");
        return (label, features);
    }

    /// <summary>The annotation shape of a score column: ScoreColumnKind and ScoreValueKind (plus <paramref name="more"/>).</summary>
    private protected static SchemaShape ScoreAnnotationShape(params SchemaShape.Column[] more) =>
        new(new[] { SchemaShapes.TextAnnotation("ScoreColumnKind"), SchemaShapes.TextAnnotation("ScoreValueKind") }.Concat(more));

    /// <summary>The output columns this trainer adds to <paramref name="inputSchema"/>.</summary>
    public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);

    /// <summary>Everything task-specific for one Fit, derived from the training schema (kept per fit, so an estimator can fit concurrently).</summary>
    private protected sealed class TaskSetup
    {
        /// <summary>Network outputs per example.</summary>
        public required int OutputSize { get; init; }
        /// <summary>Reads training targets (with label smoothing and class weights where the task has them).</summary>
        public required LabelReader Labels { get; init; }
        /// <summary>Reads validation targets as the plain labels; null when they are read like the training ones.</summary>
        public LabelReader? ValidationLabels { get; init; }
        /// <summary>
        /// Reads separate validation data's plain labels whose classes are in another order: validation class i (0-based key
        /// or slot) is training class remap[i]. Null when the task has no classes to remap.
        /// </summary>
        public Func<int[], LabelReader>? RemappedValidationLabels { get; init; }
        /// <summary>The training loss.</summary>
        public required Func<Loss> CreateLoss { get; init; }
        /// <summary>The validation metric from outputs and plain targets (higher is better).</summary>
        public required Func<ReadOnlyMemory<float>, DenseDataset, double> Metric { get; init; }
        /// <summary>Checks the training targets once read (for instance that both classes occur).</summary>
        public Action<DenseDataset>? CheckTargets { get; init; }
        /// <summary>The task family (what the network's outputs mean): a warm start needs a reference of the same family.</summary>
        public required ModelTask Task { get; init; }
        /// <summary>The classes (multiclass) or outputs (multi-output regression) in output order, when the label names them.</summary>
        public string[]? OutputNames { get; init; }
        /// <summary>How an ensemble averages its members' outputs: probabilities for classification, scores (the default) for regression.</summary>
        public EnsembleCombination Combination { get; init; } = EnsembleCombination.MeanScore;
        /// <summary>Wraps the trained model in the task's prediction transformer.</summary>
        public required Func<MlpModelParameters, TTransformer> CreateTransformer { get; init; }
    }

    private protected abstract TaskSetup Setup(DataViewSchema trainSchema);
    /// <summary>
    /// The label de-standardization the model applies to its outputs (output·Scale + Shift, one value per output), learned
    /// from the training targets, whose standardization is then (t − Shift)/Scale; null when the task keeps its targets as
    /// they are.
    /// </summary>
    private protected virtual (float[] Shift, float[] Scale)? LabelStandardization(DenseDataset train) => null;

    /// <summary>Whether the automatic L2 penalty adapts to the data (<see cref="AutomaticL2"/>): regression's trainers.</summary>
    private protected virtual bool AdaptsL2ToData => false;
}
