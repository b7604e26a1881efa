using System.Globalization;

namespace MlNetExtensions.Trainers.Training;

/// <summary>One trained member of a bagged ensemble: its training result, seed and out-of-bag figures.</summary>
internal sealed record BaggedMember(int Index, ulong Seed, TrainingResult Result, int OutOfBagRows, double OutOfBagLoss, double OutOfBagMetric);

/// <summary>
/// Bagging (Breiman): k member networks, member i trained on its bootstrap sample of the training rows (see
/// <see cref="Bootstrap"/>) with its own seed, all validated on the same validation rows. Members train in parallel, at
/// most a given number at once, each on one thread: a member's bits depend only on its seed and sample, never on the
/// thread count or the order members finish in. Knows nothing of ML.NET.
/// </summary>
internal sealed class Bagging
{
    /// <summary>The phase name of the ensemble's history records (one per member).</summary>
    internal const string Phase = "bagging";

    private readonly TrainingSettings _settings;
    private readonly int _members, _parallel;
    private readonly Func<int[], AdversarialTraining?> _adversarialFor;
    private readonly EnsembleCombination _combination;

    /// <param name="settings">The settings of a single network (its seed is the ensemble's; the thread count is ignored: one per member).</param>
    /// <param name="members">k, at least 2.</param>
    /// <param name="parallel">Most members training at once.</param>
    /// <param name="adversarialFor">A member's adversarial training on the raw rows of its sample (the sample given), or null.</param>
    /// <param name="combination">How the members' outputs are averaged (for the ensemble's validation figures).</param>
    public Bagging(TrainingSettings settings, int members, int parallel, Func<int[], AdversarialTraining?> adversarialFor, EnsembleCombination combination)
    {
        _combination = combination;
        if (members < 2) throw new ArgumentOutOfRangeException(nameof(members), members, "Bagging needs at least 2 members.");
        _settings = settings; _members = members; _parallel = Math.Max(1, parallel); _adversarialFor = adversarialFor;
    }

    /// <summary>
    /// Trains the members on bootstrap samples of <paramref name="train"/> (rows already preprocessed), validating each on
    /// <paramref name="validation"/> when given. Progress records reach the settings' Progress one at a time (from the
    /// members' threads, as each member finishes an epoch); log lines are prefixed with the member ("member 2/5: ...").
    /// </summary>
    public (BaggedMember[] Members, TrainingHistory History) Run(DenseDataset train, DenseDataset? validation, long skippedRows)
    {
        var s = _settings;
        var gate = new object();
        var progress = s.Progress is { } p ? new SerializedProgress(p, gate) : null;
        var members = new BaggedMember[_members];
        try
        {
        Parallel.For(0, _members, new ParallelOptions { MaxDegreeOfParallelism = _parallel }, i =>
        {
            var sample = Bootstrap.Sample(s.Seed, i, train.Count);
            var outOfBag = Bootstrap.OutOfBag(sample, train.Count);
            ulong seed = Bootstrap.MemberSeed(s.Seed, i);
            string prefix = $"member {(i + 1).ToString(CultureInfo.InvariantCulture)}/{_members.ToString(CultureInfo.InvariantCulture)}: ";
            var memberSettings = s with
            {
                Seed = seed,
                MaxThreads = 1,
                Progress = progress,
                Log = s.Log is { } log ? message => { lock (gate) log(prefix + message); } : null,
                Adversarial = _adversarialFor(sample),
            };
            var loop = new MlpTrainingLoop(memberSettings);
            var result = loop.Run(new FixedEpochData(train.Select(sample)), validation, skippedRows);
            var (loss, metric) = outOfBag.Length == 0 || result.History.BestEpoch == 0
                ? (double.NaN, double.NaN)
                : loop.Evaluate(result.Network, s.CreateLoss(), train.Select(outOfBag));
            members[i] = new BaggedMember(i, seed, result, outOfBag.Length, loss, metric);
        });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // The first failing member's own exception (the same types as a single network's Fit throws).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        return (members, History(members, validation, skippedRows));
    }

    /// <summary>The ensemble's history: per member its out-of-bag loss and the validation figures of the first members' ensemble.</summary>
    private TrainingHistory History(BaggedMember[] members, DenseDataset? validation, long skippedRows)
    {
        var s = _settings;
        var loss = s.CreateLoss();
        var records = new EpochRecord[members.Length];
        var memberOutputs = new List<float[]>();
        int o = s.Network.OutputSize;
        bool evaluate = validation is not null && members.All(m => m.Result.History.BestEpoch > 0);
        var combined = evaluate ? new float[validation!.Count * o] : Array.Empty<float>();
        for (int i = 0; i < members.Length; i++)
        {
            var h = members[i].Result.History;
            double? validationLoss = null, validationMetric = null;
            if (evaluate)
            {
                // The ensemble of members 0..i, row by row from every member's outputs.
                memberOutputs.Add(MlpTrainingLoop.Predict(members[i].Result.Network, validation!));
                var row = new float[(i + 1) * o];
                for (int r = 0; r < validation!.Count; r++)
                {
                    for (int m = 0; m <= i; m++) memberOutputs[m].AsSpan(r * o, o).CopyTo(row.AsSpan(m * o));
                    EnsembleCombiner.Combine(_combination, row, i + 1, combined.AsSpan(r * o, o));
                }
                (validationLoss, validationMetric) = MlpTrainingLoop.Evaluate(combined, loss, validation, s.Metric);
            }
            var last = h.Epochs.Count > 0 ? h.Epochs[^1] : null;
            records[i] = new EpochRecord(i + 1, Phase, members[i].OutOfBagLoss, validationLoss, validationMetric, last?.LearningRate ?? 0f, last?.Elapsed ?? TimeSpan.Zero);
        }
        var reason = members.Any(m => m.Result.History.StopReason == StopReason.Cancelled) ? StopReason.Cancelled
            : members.Any(m => m.Result.History.StopReason == StopReason.Diverged) ? StopReason.Diverged : StopReason.MaximumEpochs;
        string kept = string.Join(", ", members.Select(m => m.Result.History.BestEpoch.ToString(CultureInfo.InvariantCulture)));
        double meanOutOfBag = members.Select(m => m.OutOfBagMetric).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        string message = $"Bagging: {members.Length} members trained on bootstrap samples of the training rows (kept epochs {kept}); " +
                         $"mean out-of-bag metric {meanOutOfBag.ToString("G5", CultureInfo.InvariantCulture)}" +
                         (records[^1].ValidationMetric is { } v ? $"; the ensemble's validation metric {v.ToString("G5", CultureInfo.InvariantCulture)}." : ".");
        if (reason != StopReason.MaximumEpochs)
            message += " " + string.Join(" ", members.Where(m => m.Result.History.StopReason == reason).Select(m => $"Member {m.Index + 1}: {m.Result.History.StopMessage}"));
        return new TrainingHistory(records, members.Length, reason, message, skippedRows);
    }

    /// <summary>Forwards progress records one at a time (members report from their own threads).</summary>
    private sealed class SerializedProgress(IProgress<EpochRecord> inner, object gate) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value)
        {
            lock (gate) inner.Report(value);
        }
    }
}
