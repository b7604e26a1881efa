using System.Runtime.CompilerServices;
using System.Diagnostics;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers.Kernels;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Trainers.Training;

/// <summary>The result of training: the network with the kept weights, the history, and the learning rate of the main phase's last update.</summary>
internal sealed record TrainingResult(MultilayerPerceptron Network, TrainingHistory History, float LastLearningRate = 0f);

/// <summary>
/// Minibatch training of a <see cref="MultilayerPerceptron"/>: per epoch a fresh shuffle, per minibatch
/// look-ahead (Nesterov), optional weight noise, forward, loss, backward, L1/L2 penalties and parameter tying, gradient
/// clipping, the scheduled learning rate, the optimizer step and max-norm; per epoch validation,
/// early stopping with best-weight restore, divergence and cancellation handling. Knows nothing of ML.NET.
/// </summary>
internal sealed class MlpTrainingLoop
{
    /// <summary>The name of the main phase, on the training rows (the reuse phases are "retrain" and "continue").</summary>
    private const string TrainPhase = "train";

    private readonly TrainingSettings _s;
    private readonly List<EpochRecord> _records = new();
    private readonly Stopwatch _clock = new();
    private TimeSpan _elapsedBefore;
    /// <summary>How the main phase ended, once a phase reusing the validation data runs (for its checkpoints).</summary>
    private MainPhaseOutcome? _main;

    /// <summary>Creates a loop with <paramref name="settings"/>.</summary>
    public MlpTrainingLoop(TrainingSettings settings) => _s = settings;

    /// <summary>
    /// Trains on <paramref name="train"/>, validating on <paramref name="validation"/> when given; from the settings'
    /// <see cref="TrainingSettings.Resume"/> checkpoint when there is one (then on from the epoch after it, with the same
    /// results as a run that never stopped).
    /// </summary>
    public TrainingResult Run(IEpochData train, DenseDataset? validation, long skippedRows = 0)
    {
        _clock.Restart();
        var resume = _s.Resume;
        if (resume is not null)
        {
            _records.AddRange(resume.Records);
            if (resume.Records.Length > 0) _elapsedBefore = resume.Records[^1].Elapsed; // wall time goes on from the checkpoint's
        }
        int trainRows = train.ForEpoch(1).Count; // the kept first read when the data is re-read every epoch: no extra read
        var first = resume?.Main is { } main
            ? MainPhaseFrom(main)
            : RunPhase(TrainPhase, train, trainRows, validation, _s.Epochs, useEarlyStopping: validation is not null, targetLoss: null, network: null, optimizer: null, from: resume?.Current);
        // A checkpoint of a reuse phase continues that phase; one of the main phase lets the reuse phase start afresh.
        var reuseFrom = resume?.Main is not null ? resume.Current : null;
        var network = first.Network;
        var reason = first.Reason;
        string message = first.Message;
        if (validation is not null && _s.Reuse != ValidationDataReuse.None && first.BestEpoch > 0 && reason is not (StopReason.Diverged or StopReason.Cancelled))
        {
            // Training + validation rows; with online augmentation the training part is read afresh each epoch.
            var all = new CombinedEpochData(train, validation, epochOffset: _s.Epochs);
            int allRows = trainRows + validation.Count;
            int batchesPerEpochTrain = BatchBounds(trainRows).Count;
            int batchesPerEpochAll = BatchBounds(allRows).Count;
            var kept = resume?.Main is { } savedMain ? NetworkSnapshot.FromValues(savedMain.Kept, network) : NetworkSnapshot.Capture(network);
            PhaseResult reuse;
            string done;
            switch (_s.Reuse)
            {
                case ValidationDataReuse.RetrainSameEpochs:
                    _main = Outcome(first, kept, double.NaN);
                    reuse = RunPhase("retrain", all, allRows, null, first.BestEpoch, false, null, null, null, reuseFrom);
                    done = $" Retrained from scratch on training + validation data for {first.BestEpoch} epochs.";
                    break;
                case ValidationDataReuse.RetrainSameUpdates:
                {
                    long updates = (long)first.BestEpoch * batchesPerEpochTrain;
                    int epochs = (int)Math.Max(1, Math.Round(updates / (double)batchesPerEpochAll));
                    _main = Outcome(first, kept, double.NaN);
                    reuse = RunPhase("retrain", all, allRows, null, epochs, false, null, null, null, reuseFrom);
                    done = $" Retrained from scratch on training + validation data for {epochs} epochs ({updates} updates in the best run).";
                    break;
                }
                default:
                {
                    // The lecture's algorithm: ε is the training-set loss at the kept weights; continue on training +
                    // validation data (same optimizer state and schedule) until the validation-set loss falls below ε.
                    double target = resume?.Main?.TargetLoss ?? Evaluate(network, _s.CreateLoss(), train.ForEpoch(1)).Loss;
                    _main = Outcome(first, kept, target);
                    reuse = RunPhase("continue", all, allRows, validation, _s.ContinueEpochCap, false, target, network, first.Optimizer, reuseFrom);
                    done = reuse.Reason == StopReason.TargetLossReached
                        ? $" Continued on training + validation data until the validation loss fell below the training loss {target:G5}."
                        : $" Continued on training + validation data for the cap of {_s.ContinueEpochCap} epochs; the validation loss stayed above the training loss {target:G5}.";
                    break;
                }
            }
            if (reuse.Reason is StopReason.Cancelled or StopReason.Diverged)
            {
                // Never hand back a half-finished reuse run: keep the early-stopped weights.
                kept.Restore(network);
                reason = reuse.Reason;
                message += $" The {(_s.Reuse == ValidationDataReuse.ContinueToTrainingLoss ? "continue" : "retrain")} phase on training + validation data " +
                           $"did not finish ({reuse.Message}); kept the weights of epoch {first.BestEpoch}.";
            }
            else
            {
                network = reuse.Network;
                message += done;
            }
        }
        else if (reuseFrom is not null)
            throw new InvalidOperationException($"The checkpoint is of the '{reuseFrom.Phase}' phase, which this training does not run.");
        network.MaxThreads = 1;
        network.ReleaseTrainingState(); // the model holds only what inference reads
        return new TrainingResult(network, new TrainingHistory(_records.ToArray(), first.BestEpoch, reason, message, skippedRows), first.Optimizer.LearningRate);
    }

    /// <summary>How the main phase ended, for the checkpoints of the phase reusing the validation data.</summary>
    private static MainPhaseOutcome Outcome(PhaseResult first, NetworkSnapshot kept, double target) =>
        new(first.BestEpoch, first.Reason, first.Message, first.Optimizer.LearningRate, kept.Values.ToArray(), target);

    /// <summary>
    /// The main phase's result as a checkpoint of a reuse phase saved it: the network holds the kept weights, the optimizer
    /// (which the continue phase goes on with, its state restored from the checkpoint) the main phase's last learning rate.
    /// </summary>
    private PhaseResult MainPhaseFrom(MainPhaseOutcome main)
    {
        var initRandom = RandomStream.For(_s.Seed, 0x1417);
        var network = MultilayerPerceptron.Create(_s.Network, _s.Initializer, ref initRandom);
        NetworkSnapshot.FromValues(main.Kept, network).Restore(network);
        var optimizer = _s.CreateOptimizer();
        optimizer.LearningRate = main.LastLearningRate;
        return new PhaseResult(network, optimizer, main.BestEpoch, main.Reason, main.Message);
    }

    /// <summary>Wall time of the run so far (with the time before the checkpoint resumed from).</summary>
    private TimeSpan Elapsed => _elapsedBefore + _clock.Elapsed;

    /// <summary>
    /// The next minibatch's gather on the background thread: <see cref="Armed"/> once prepared, <see cref="Pending"/> once
    /// posted, <see cref="Ready"/> once collected. <see cref="Post"/> and <see cref="Complete"/> are cached delegates (passing
    /// them to the network allocates nothing) and do nothing when there is nothing to do.
    /// </summary>
    private sealed class PrefetchState
    {
        public bool Armed, Pending, Ready;

        private readonly BatchGather _gather;

        public PrefetchState(BatchGather gather)
        {
            _gather = gather;
            Post = PostGather;
            Complete = CompleteGather;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        private void PostGather()
        {
            if (Armed)
            {
                Armed = false;
                Pending = BackgroundJob.TryPost(_gather); // false: another Fit holds the thread; gathered inline next time
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        private void CompleteGather()
        {
            if (Pending)
            {
                Pending = false;
                BackgroundJob.Complete();
                Ready = true;
            }
        }

        /// <summary>Posts the prepared gather.</summary>
        public Action Post { get; }

        /// <summary>Collects the posted gather.</summary>
        public Action Complete { get; }
    }

    /// <summary>
    /// Where the next minibatch's gather overlaps the step: it is posted after the forward pass of the layers up to
    /// <c>post</c> and collected (the caller copying the pieces the background thread has not reached) before the backward
    /// pass of layer <c>collect</c>. Products of at least <see cref="Gemm.MinMacsTwoWay"/> multiply-adds split over both
    /// cores when the background thread is free; the gather goes between the first layer's forward pass and the backward
    /// pass of the last wide layer, where only narrow products run. On the reference net (784-128-64-10): from after the
    /// first layer to before the second layer's backward pass (≈ 80 µs of single-threaded work for a gather of ≈ 70–100 µs).
    /// Posting it only after the second layer instead left the caller waiting for the gather ≈ 90 ms per Fit against
    /// ≈ 45 ms (four alternated runs each, busy machine), for ≈ 15 ms more on the second layer's forward pass.
    /// A larger second layer (784-512-512-10) stays out of the window, which is then the narrow layers after the last wide one.
    /// Without such a window (no wide layer before the output layer), the whole forward pass to the first layer's backward pass.
    /// </summary>
    private static (int Post, int Collect) PrefetchWindow(MultilayerPerceptron network, int batch)
    {
        var layers = network.Layers;
        int lastWide = -1, firstDense = -1, secondDense = -1;
        long secondMacs = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            if (layers[i] is not DenseLayer dense) continue;
            long macs = (long)dense.InputSize * dense.OutputSize * batch;
            if (firstDense < 0) firstDense = i;
            else if (secondDense < 0) { secondDense = i; secondMacs = macs; }
            if (macs >= Gemm.MinMacsTwoWay) lastWide = i;
        }
        int nextDense = -1; // the first dense layer after the last wide one
        for (int i = lastWide + 1; lastWide >= 0 && i < layers.Length; i++)
            if (layers[i] is DenseLayer) { nextDense = i; break; }
        if (nextDense < 0) return (layers.Length - 1, Math.Max(firstDense, 0));
        // A small second layer (at most MinMacsPerThread: it gains little from the split) joins the window.
        int post = secondDense > 0 && secondDense <= lastWide && secondMacs <= Gemm.MinMacsPerThread ? secondDense - 1 : nextDense - 1;
        return (post, lastWide);
    }

    private sealed record PhaseResult(MultilayerPerceptron Network, Optimizer Optimizer, int BestEpoch, StopReason Reason, string Message);

    private List<(int Start, int Count)> BatchBounds(int n)
    {
        var bounds = new List<(int, int)>();
        int b = Math.Min(_s.BatchSize, n);
        for (int start = 0; start < n; start += b) bounds.Add((start, Math.Min(b, n - start)));
        // Batch normalization cannot train on a single example: fold a trailing batch of one into the previous one.
        if (_s.Network.BatchNormalization && bounds.Count > 1 && bounds[^1].Item2 == 1)
        {
            var (s, c) = bounds[^2];
            bounds[^2] = (s, c + 1);
            bounds.RemoveAt(bounds.Count - 1);
        }
        return bounds;
    }

    // Not AggressiveOptimization: fully optimized, this large method took ≈ 24 ms of JIT ahead of every kernel in the warm-up
    // (the first step then waited for them); at tier 0 it compiles in a few milliseconds and on-stack replacement optimizes
    // the batch loop while it runs. Everything it calls per step is compiled fully optimized.
    /// <summary>
    /// One phase of training: from its start, or, with <paramref name="from"/>, from the end of that checkpoint's epoch
    /// (the network, optimizer, best snapshot and early-stopping counters restored; a phase the checkpoint says stops there
    /// runs no further epoch).
    /// </summary>
    private PhaseResult RunPhase(string phase, IEpochData data, int rowCount, DenseDataset? validation, int epochs, bool useEarlyStopping,
        double? targetLoss, MultilayerPerceptron? network, Optimizer? optimizer, PhaseCheckpoint? from)
    {
        var s = _s;
        if (network is null)
        {
            var initRandom = RandomStream.For(s.Seed, 0x1417);
            network = MultilayerPerceptron.Create(s.Network, s.Initializer, ref initRandom);
            if (s.WarmStartFrom is not null) WarmStart.CopyInto(s.WarmStartFrom, network); // "from scratch" is from the reference
        }
        network.MaxThreads = s.MaxThreads;
        var loss = s.CreateLoss();
        optimizer ??= s.CreateOptimizer();
        optimizer.MaxThreads = s.MaxThreads;
        var parameters = network.Parameters;
        var weightParams = parameters.Where(p => p.IsWeight).ToArray();
        var noiseBackup = s.WeightNoiseStdDev > 0 ? weightParams.Select(p => new float[p.Length]).ToArray() : null;
        int d = s.Network.InputSize, t = loss.TargetSize, o = loss.OutputSize;
        // Buffers for the largest minibatch that occurs: BatchSize rows, or all of them when there are fewer (BatchBounds),
        // plus one for a trailing batch of one folded into the previous (batch normalization).
        int batchRows = Math.Min(s.BatchSize, Math.Max(rowCount, 1));
        int maxBatch = batchRows + 1;
        network.Reserve(maxBatch);
        foreach (var p in parameters) _ = p.Gradient; // allocated here, on this thread, before any multi-threaded step reads them
        var gather = new BatchGather(maxBatch, d, t);
        var prefetchState = new PrefetchState(gather);
        var (postAfter, collectBefore) = PrefetchWindow(network, batchRows);
        // The next minibatch is gathered on the background thread during the current step (not with one thread allowed).
        bool prefetch = s.MaxThreads > 1 && Environment.ProcessorCount > 1 && DiagnosticSwitches.Prefetch;
        var gradOut = new float[maxBatch * o];
        var best = NetworkSnapshot.Capture(network);
        double bestScore = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0, firstEpoch = 1;
        var reason = StopReason.MaximumEpochs;
        string message = $"Trained for the full {epochs} epochs.";
        if (from is not null)
        {
            if (from.Phase != phase) throw new InvalidOperationException($"The checkpoint is of the '{from.Phase}' phase, not of '{phase}'.");
            NetworkSnapshot.FromValues(from.Network, network).Restore(network);
            optimizer.RestoreState(parameters, from.Optimizer);
            best = from.Best is null ? NetworkSnapshot.Capture(network, best) : NetworkSnapshot.FromValues(from.Best, network);
            (bestScore, bestEpoch, sinceBest, firstEpoch) = (from.BestScore, from.BestEpoch, from.SinceBest, from.Epoch + 1);
            if (from.Stop is { } stopped) { reason = stopped; message = from.StopMessage ?? ""; firstEpoch = epochs + 1; }
        }
        int[] order = Array.Empty<int>();
        List<(int Start, int Count)>? bounds = null;
        int boundsRows = -1;
        // Sparse input: the first layer reads the minibatch as lists of non-zeros (built once per dataset object).
        // Adversarial examples (FGSM) in the phase on the training rows only (the trainer refuses the reuse phases with them);
        // they need the input gradient, hence dense minibatches.
        var adversarial = phase == TrainPhase ? s.Adversarial : null;
        bool sparseInput = DiagnosticSwitches.SparseInput && network.AcceptsSparseInput && Gemm.SparseListsSupported && adversarial is null;
        DenseDataset? listedSet = null;
        SparseRows? rows = null;

        for (int epoch = firstEpoch; epoch <= epochs; epoch++)
        {
            var set = data.ForEpoch(epoch);
            if (set.Count == 0) throw new InvalidOperationException("The training data has no rows.");
            if (order.Length != set.Count) order = Enumerable.Range(0, set.Count).ToArray();
            else for (int i = 0; i < order.Length; i++) order[i] = i;
            var phaseSalt = (ulong)phase.Length * 7919UL + (ulong)phase[0];
            if (s.Shuffle) { var shuffle = RandomStream.For(s.Seed, phaseSalt, (ulong)epoch, 1); shuffle.Shuffle(order.AsSpan()); }
            if (bounds is null || boundsRows != set.Count) { bounds = BatchBounds(set.Count); boundsRows = set.Count; } // same rows: same batches
            if (sparseInput && !ReferenceEquals(listedSet, set)) 
            {
                // Lists from the reader, or built here once when the same rows serve every epoch (a pass over the rows costs
                // about what the lists save in five epochs; data re-read every epoch comes with the reader's lists or none).
                rows = set.Lists ?? (data.SameDataEachEpoch ? SparseRows.TryBuild(set) : null);
                listedSet = set;
            }
            double lossSum = 0, weightSum = 0;
            bool diverged = false;
            var gatherState = prefetchState; // batch bi was posted to the background thread during step bi − 1
            try
            {
            for (int bi = 0; bi < bounds.Count; bi++)
            {
                if (s.Cancellation.IsCancellationRequested || s.HostCancelled?.Invoke() == true) { reason = StopReason.Cancelled; break; }
                var (start, count) = bounds[bi];
                int slot = bi & 1;
                gatherState.Complete();
                if (!gatherState.Ready) { gather.Prepare(set, rows, order, start, count, slot); gather.Run(); }
                gatherState.Ready = false;
                float[] xBatch = rows is null ? gather.Features(slot) : Array.Empty<float>(), tBatch = gather.Targets(slot), wBatch = gather.Weights(slot);
                SparseBatch? xLists = rows is null ? null : gather.Sparse(slot);
                var stepRandom = RandomStream.For(s.Seed, phaseSalt, (ulong)epoch, 2 + (ulong)bi);
                optimizer.MoveToGradientPoint(parameters);
                if (noiseBackup is not null)
                    for (int p = 0; p < weightParams.Length; p++)
                    {
                        var v = weightParams[p].Value;
                        v.CopyTo(noiseBackup[p]);
                        for (int i = 0; i < v.Length; i++) v[i] += s.WeightNoiseStdDev * (float)stepRandom.NextGaussian();
                    }
                // The next batch is gathered on the other core while only narrow layers run (see PrefetchWindow).
                if (prefetch && bi + 1 < bounds.Count)
                {
                    var (nextStart, nextCount) = bounds[bi + 1];
                    gather.Prepare(set, rows, order, nextStart, nextCount, slot ^ 1);
                    gatherState.Armed = true;
                }
                var outputs = network.Forward(xLists is null ? xBatch.AsSpan(0, count * d) : default, xLists, count, training: true, ref stepRandom, postAfter, gatherState.Post);
                gatherState.Post(); // in case the forward pass had no such layer
                double batchLoss = loss.Compute(outputs, tBatch.AsSpan(0, count * t),
                    set.Weights is null ? ReadOnlySpan<float>.Empty : wBatch.AsSpan(0, count), count, gradOut.AsSpan(0, count * o));
                if (!double.IsFinite(batchLoss)) { diverged = true; break; }
                lossSum += batchLoss;
                if (set.Weights is null) weightSum += count;
                else
                {
                    // The value LINQ's Sum of floats gives (a double accumulator in order, rounded to float), without allocating.
                    double batchWeight = 0;
                    for (int i = 0; i < count; i++) batchWeight += wBatch[i];
                    weightSum += (float)batchWeight;
                }
                // The gather is collected before the last wide layer's backward pass, so that it and the layers below, and the
                // optimizer step, can split over both cores.
                network.Backward(xLists is null ? xBatch.AsSpan(0, count * d) : default, xLists, gradOut.AsSpan(0, count * o), count, collectBefore, gatherState.Complete,
                    adversarial is null ? Span<float>.Empty : adversarial.InputGradient(count));
                gatherState.Complete(); // in case the network had no layer to call it before
                if (adversarial is not null)
                {
                    double adversarialLoss = adversarial.Step(network, loss, parameters, order.AsSpan(start, count), tBatch.AsSpan(0, count * t),
                        set.Weights is null ? ReadOnlySpan<float>.Empty : wBatch.AsSpan(0, count), gradOut.AsSpan(0, count * o), ref stepRandom);
                    if (!double.IsFinite(adversarialLoss)) { diverged = true; break; }
                    lossSum += adversarial.LossWeight * (adversarialLoss - batchLoss); // the epoch's loss is the mixed objective's
                }
                if (noiseBackup is not null)
                    for (int p = 0; p < weightParams.Length; p++) noiseBackup[p].CopyTo(weightParams[p].Value);
                Penalties.AddPenaltyGradients(weightParams, s.L1, s.L2);
                s.Tying?.AddGradients(weightParams);
                if (s.GradientClipNorm > 0) Penalties.ClipGlobalNorm(parameters, s.GradientClipNorm);
                optimizer.LearningRate = s.Schedule.GetRate(optimizer.StepCount);
                optimizer.Step(parameters);
                if (s.MaxNorm > 0) Penalties.ApplyMaxNorm(network, s.MaxNorm);
            }
            }
            finally
            {
                gatherState.Armed = false;
                gatherState.Complete(); // left early (divergence, cancellation, an exception): release the thread
            }
            if (reason == StopReason.Cancelled)
            {
                message = $"Cancelled during epoch {epoch}; kept the weights of epoch {bestEpoch}.";
                break;
            }
            double trainLoss = weightSum > 0 ? lossSum / weightSum : double.NaN;
            if (diverged || !double.IsFinite(trainLoss) || !ParametersFinite(parameters))
            {
                reason = StopReason.Diverged;
                message = $"The training loss became NaN or infinite in epoch {epoch} ({phase}); try a lower learning rate " +
                          $"(it was {optimizer.LearningRate:G3}) or gradient clipping. Kept the weights of epoch {bestEpoch}.";
                s.Log?.Invoke(message);
                break;
            }
            double? valLoss = null, valMetric = null;
            if (validation is not null)
            {
                (valLoss, valMetric) = Evaluate(network, loss, validation);
            }
            var record = new EpochRecord(epoch, phase, trainLoss, valLoss, valMetric, optimizer.LearningRate, Elapsed);
            _records.Add(record);
            s.Progress?.Report(record);
            s.Log?.Invoke(record.ToString());

            if (!useEarlyStopping)
            {
                // Without validation data the last epoch's weights are the result.
                best = NetworkSnapshot.Capture(network, best); bestEpoch = epoch;
            }
            else
            {
                double score = s.Monitor == EarlyStoppingMonitor.ValidationLoss ? valLoss!.Value : -valMetric!.Value;
                if (!double.IsFinite(score)) score = double.PositiveInfinity;
                if (bestEpoch == 0 || score < bestScore - s.EarlyStoppingMinDelta)
                {
                    bestScore = score; bestEpoch = epoch; sinceBest = 0;
                    best = NetworkSnapshot.Capture(network, best);
                }
                else sinceBest++;
            }
            StopReason? stop = null;
            if (useEarlyStopping && sinceBest >= s.EarlyStoppingPatience)
            {
                stop = StopReason.EarlyStopping;
                message = $"Early stopping after epoch {epoch}: no improvement of the {(s.Monitor == EarlyStoppingMonitor.ValidationLoss ? "validation loss" : "validation metric")} " +
                          $"for {s.EarlyStoppingPatience} epochs; kept the weights of epoch {bestEpoch}.";
            }
            else if (targetLoss is { } target && valLoss is { } monitored && monitored < target)
            {
                stop = StopReason.TargetLossReached;
                message = $"Validation loss {monitored:G5} fell below {target:G5} after epoch {epoch}.";
            }
            if (s.SaveCheckpoint is { } save && s.CheckpointEveryEpochs > 0 && _records.Count % s.CheckpointEveryEpochs == 0)
            {
                // The whole state at this epoch boundary; the best snapshot only when it is not the current state.
                save(new TrainingCheckpoint(
                    new PhaseCheckpoint(phase, epoch, NetworkSnapshot.Capture(network).Values.ToArray(), bestEpoch == epoch ? null : best.Values.ToArray(),
                        bestScore, bestEpoch, sinceBest, optimizer.CaptureState(parameters), stop, stop is null ? null : message),
                    _main, _records.ToArray()));
            }
            if (stop is { } stopReason) { reason = stopReason; break; }
        }
        if (reason == StopReason.MaximumEpochs && useEarlyStopping)
            message = $"Trained for the full {epochs} epochs; kept the weights of epoch {bestEpoch}, the best on the validation data.";
        best.Restore(network); // with no completed epoch: the initial weights
        return new PhaseResult(network, optimizer, bestEpoch, reason, message);
    }

    /// <summary>
    /// Whether <paramref name="network"/>'s parameters and batch-normalization statistics are all finite and its inference
    /// outputs on the first (up to <paramref name="maxRows"/>) rows of <paramref name="data"/> are finite: the last check
    /// before a trained network is handed out.
    /// </summary>
    internal static bool GivesFiniteOutputs(MultilayerPerceptron network, DenseDataset data, int maxRows = 64)
    {
        if (!ParametersFinite(network.Parameters)) return false;
        foreach (var bn in network.Layers.OfType<BatchNormLayer>())
            if (!AllFinite(bn.RunningMean) || !AllFinite(bn.RunningVariance)) return false;
        int n = Math.Min(maxRows, data.Count), d = data.FeatureCount;
        if (n == 0) return true;
        var x = new float[n * d];
        if (data.DenseFeatures is { } dense) dense.AsSpan(0, n * d).CopyTo(x);
        else if (data.Lists is { } lists)
        {
            // Rows held only as lists: the first n rows written out (not the whole dense copy).
            var index = new int[d];
            for (int r = 0; r < n; r++)
            {
                int q = lists.Start[r], length = lists.Start[r + 1] - q;
                lists.CopyIndices(q, index.AsSpan(0, length));
                for (int k = 0; k < length; k++) x[r * d + index[k]] = lists.Value[q + k];
            }
        }
        else data.Features.AsSpan(0, n * d).CopyTo(x);
        var outputs = new float[n * network.OutputSize];
        network.Predict(x, outputs, n, new float[n * network.MaxWidth], new float[n * network.MaxWidth]);
        return AllFinite(outputs);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per epoch over every parameter: not worth running at tier 0
    internal static bool ParametersFinite(IReadOnlyList<Parameter> parameters)
    {
        for (int i = 0; i < parameters.Count; i++) // indexed: no enumerator allocated per epoch
            if (!AllFinite(parameters[i].Value)) return false;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite(ReadOnlySpan<float> v)
    {
        // x − x is 0 exactly when x is finite; NaN and ±∞ give NaN, which fails the comparison.
        int j = 0;
        for (; j + System.Numerics.Vector<float>.Count <= v.Length; j += System.Numerics.Vector<float>.Count)
        {
            var x = new System.Numerics.Vector<float>(v.Slice(j));
            if (!System.Numerics.Vector.EqualsAll(x - x, System.Numerics.Vector<float>.Zero)) return false;
        }
        for (; j < v.Length; j++) if (!float.IsFinite(v[j])) return false;
        return true;
    }

    /// <summary>Mean loss and task metric of <paramref name="network"/> on <paramref name="data"/> (inference mode).</summary>
    internal (double Loss, double Metric) Evaluate(MultilayerPerceptron network, Loss loss, DenseDataset data) =>
        Evaluate(Predict(network, data), loss, data, _s.Metric);

    /// <summary>Mean loss and task metric of the <paramref name="outputs"/> given for <paramref name="data"/>'s rows.</summary>
    internal static (double Loss, double Metric) Evaluate(float[] outputs, Loss loss, DenseDataset data, Func<ReadOnlyMemory<float>, DenseDataset, double> metric)
    {
        double total = loss.Compute(outputs, data.Targets.AsSpan(0, data.Count * data.TargetCount),
            data.Weights is null ? ReadOnlySpan<float>.Empty : data.Weights, data.Count, Span<float>.Empty);
        double weight = data.Weights?.Sum(w => (double)w) ?? data.Count;
        return (total / weight, metric(outputs, data));
    }

    /// <summary><paramref name="network"/>'s inference outputs for every row of <paramref name="data"/>, [Count × outputs].</summary>
    internal static float[] Predict(MultilayerPerceptron network, DenseDataset data)
    {
        int o = network.OutputSize, chunk = 256;
        var outputs = new float[data.Count * o];
        var a = new float[chunk * network.MaxWidth];
        var b = new float[chunk * network.MaxWidth];
        for (int start = 0; start < data.Count; start += chunk)
        {
            int n = Math.Min(chunk, data.Count - start);
            network.Predict(data.Features.AsSpan(start * data.FeatureCount, n * data.FeatureCount), outputs.AsSpan(start * o, n * o), n, a, b);
        }
        return outputs;
    }
}
