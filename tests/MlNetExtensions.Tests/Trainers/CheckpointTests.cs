using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>
/// Issue 12, item 5: checkpoints every N epochs (CheckpointPath, CheckpointEveryEpochs) and resuming from one
/// (ResumeFromCheckpoint) give the uninterrupted run's model bit for bit; damaged checkpoints and checkpoints of other
/// options or data are refused, naming the file or what differs.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mlnetext-ckpt-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string PathIn(string name) => Path.Combine(_dir.FullName, name);

    public enum Task { Multiclass, Binary, Regression }

    /// <summary>Collects the records a run reports and, when the <c>copyAfter</c>-th record has been reported, copies the checkpoint file (then holding the state after the record before it).</summary>
    private sealed class Recorder(string? checkpoint = null, string? copy = null, int copyAfter = 0) : IProgress<EpochRecord>
    {
        public List<EpochRecord> Records { get; } = new();

        public void Report(EpochRecord value)
        {
            Records.Add(value);
            if (Records.Count == copyAfter) File.Copy(checkpoint!, copy!, overwrite: true);
        }
    }

    private static MlpModelParameters Train(Task task, Action<MlpTrainerOptionsBase> configure, Func<MLContext, IDataView, IDataView>? alterData = null)
    {
        var ml = new MLContext(seed: 1);
        switch (task)
        {
            case Task.Multiclass:
            {
                var raw = TestData.Load(ml, "iris_train.csv");
                var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
                data = alterData?.Invoke(ml, data) ?? data;
                var o = new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 12, 8 }, NumberOfEpochs = 9, BatchSize = 16, Seed = 7 };
                configure(o);
                return ml.MulticlassClassification.Trainers.Mlp(o).Fit(data).Model;
            }
            case Task.Binary:
            {
                var data = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
                data = alterData?.Invoke(ml, data) ?? data;
                var o = new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 7, BatchSize = 32, Seed = 7 };
                configure(o);
                return ml.BinaryClassification.Trainers.Mlp(o).Fit(data).Model;
            }
            default:
            {
                var data = TestData.Load(ml, "diabetes_train.csv", DataKind.Single);
                data = alterData?.Invoke(ml, data) ?? data;
                var o = new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 7, BatchSize = 32, Seed = 7 };
                configure(o);
                return ml.Regression.Trainers.Mlp(o).Fit(data).Model;
            }
        }
    }

    /// <summary>The same network bits, preprocessing, history (but the elapsed times), stop and options.</summary>
    internal static void AssertSameModel(MlpModelParameters expected, MlpModelParameters actual)
    {
        var e = NetworkSnapshot.Capture(expected.Network).Values;
        var a = NetworkSnapshot.Capture(actual.Network).Values;
        Assert.Equal(e.Count, a.Count);
        for (int i = 0; i < e.Count; i++)
            Assert.True(MemoryMarshal.AsBytes(e[i].AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(a[i].AsSpan())), $"network array {i} differs");
        Assert.Equal(CheckpointFingerprint.Hash(expected.Preprocessing, expected.LabelShift, expected.LabelScale),
            CheckpointFingerprint.Hash(actual.Preprocessing, actual.LabelShift, actual.LabelScale));
        static object Row(EpochRecord r) => (r.Epoch, r.Phase, BitConverter.DoubleToInt64Bits(r.TrainingLoss), r.ValidationLoss, r.ValidationMetric, r.LearningRate);
        Assert.Equal(expected.History.Epochs.Select(Row), actual.History.Epochs.Select(Row));
        Assert.Equal(expected.History.BestEpoch, actual.History.BestEpoch);
        Assert.Equal(expected.History.StopReason, actual.History.StopReason);
        Assert.Equal(expected.History.StopMessage, actual.History.StopMessage);
        Assert.Equal(expected.History.SkippedRows, actual.History.SkippedRows);
        Assert.Equal(expected.Options, actual.Options);
    }

    /// <summary>
    /// Trains uninterrupted with and without checkpoints (the same model), copies the checkpoint taken after
    /// <paramref name="resumeAfter"/> epochs (of all phases), resumes from it and checks that the resumed run trains only
    /// the epochs after it and ends with the same model.
    /// </summary>
    private void AssertResumeIsExact(Task task, Action<MlpTrainerOptionsBase> configure, int resumeAfter)
    {
        var plain = Train(task, configure);
        string checkpoint = PathIn("run.ckpt"), copy = PathIn($"after-{resumeAfter}.ckpt");
        var recorder = new Recorder(checkpoint, copy, resumeAfter + 1);
        var full = Train(task, o => { configure(o); o.CheckpointPath = checkpoint; o.Progress = recorder; });
        AssertSameModel(plain, full); // taking checkpoints changes nothing
        if (recorder.Records.Count == resumeAfter) File.Copy(checkpoint, copy); // the last epoch's: no record follows it
        Assert.True(File.Exists(copy), $"the run had only {recorder.Records.Count} epochs, no checkpoint after {resumeAfter}");
        var resumedRecords = new Recorder();
        var resumed = Train(task, o => { configure(o); o.ResumeFromCheckpoint = copy; o.Progress = resumedRecords; });
        AssertSameModel(plain, resumed);
        // It went on from the checkpoint: only the later epochs were trained (a run from scratch would report them all).
        Assert.Equal(recorder.Records.Skip(resumeAfter).Select(r => (r.Phase, r.Epoch)), resumedRecords.Records.Select(r => (r.Phase, r.Epoch)));
    }

    public static TheoryData<OptimizerKind> Optimizers() => new(Enum.GetValues<OptimizerKind>());

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void ResumingFromEpoch4_GivesTheUninterruptedModel_ForEveryOptimizer_WithDropoutAndNoise(OptimizerKind optimizer) =>
        AssertResumeIsExact(Task.Multiclass, o =>
        {
            o.Optimizer = optimizer;
            o.LearningRate = optimizer is OptimizerKind.Sgd or OptimizerKind.Momentum or OptimizerKind.Nesterov ? 0.02f : 0.005f;
            o.InputDropoutRate = 0.1f; o.HiddenDropoutRate = 0.3f; o.InputNoiseStdDev = 0.05f; o.WeightNoiseStdDev = 0.01f;
            o.WarmupIterations = 10; o.L1Regularization = 1e-4f; o.GradientClipNorm = 5f; o.MaxNorm = 3f;
        }, resumeAfter: 4);

    [Fact]
    public void ResumingWithBatchNormalization_AStepSchedule_AndRegression_GivesTheUninterruptedModel()
    {
        AssertResumeIsExact(Task.Regression, o =>
        {
            o.BatchNormalization = true; o.LearningRateSchedule = LearningRateScheduleKind.StepDecay; o.Optimizer = OptimizerKind.AdamW;
        }, resumeAfter: 3);
        AssertResumeIsExact(Task.Binary, o => { o.BatchNormalization = true; o.HiddenDropoutRate = 0.2f; }, resumeAfter: 1);
    }

    [Fact]
    public void ResumingWithEarlyStoppingOnAHoldOut_GivesTheUninterruptedModel_BeforeAndAtTheStop()
    {
        void Configure(MlpTrainerOptionsBase o)
        {
            o.NumberOfEpochs = 60; o.ValidationFraction = 0.25f; o.EarlyStoppingPatience = 3; o.LearningRate = 0.05f; o.HiddenDropoutRate = 0.2f;
            o.Optimizer = OptimizerKind.Nesterov;
        }
        var plain = Train(Task.Multiclass, Configure);
        Assert.Equal(StopReason.EarlyStopping, plain.History.StopReason);
        int stoppedAt = plain.History.Epochs.Count;
        Assert.True(plain.History.BestEpoch < stoppedAt);
        // Before the stop, with a best epoch behind the checkpoint (its snapshot saved apart from the current weights) ...
        AssertResumeIsExact(Task.Multiclass, Configure, resumeAfter: stoppedAt - 1);
        AssertResumeIsExact(Task.Multiclass, Configure, resumeAfter: 2);
        // ... and from the checkpoint of the stopping epoch itself: nothing more is trained.
        var checkpoint = PathIn("stop.ckpt");
        Train(Task.Multiclass, o => { Configure(o); o.CheckpointPath = checkpoint; });
        var records = new Recorder();
        AssertSameModel(plain, Train(Task.Multiclass, o => { Configure(o); o.ResumeFromCheckpoint = checkpoint; o.Progress = records; }));
        Assert.Empty(records.Records);
    }

    [Theory]
    [InlineData(ValidationDataReuse.ContinueToTrainingLoss)]
    [InlineData(ValidationDataReuse.RetrainSameEpochs)]
    [InlineData(ValidationDataReuse.RetrainSameUpdates)]
    public void ResumingInsideAPhaseReusingTheValidationData_GivesTheUninterruptedModel(ValidationDataReuse reuse)
    {
        void Configure(MlpTrainerOptionsBase o)
        {
            o.NumberOfEpochs = 30; o.ValidationFraction = 0.3f; o.EarlyStoppingPatience = 2; o.LearningRate = 0.01f;
            o.ValidationDataReuse = reuse; o.ContinueEpochCap = 6; o.HiddenDropoutRate = 0.1f;
        }
        var plain = Train(Task.Regression, Configure);
        int main = plain.History.Epochs.Count(r => r.Phase == "train");
        int total = plain.History.Epochs.Count;
        Assert.True(total >= main + 2, $"the reuse phase ran {total - main} epochs");
        AssertResumeIsExact(Task.Regression, Configure, resumeAfter: main + 1); // inside the reuse phase
        AssertResumeIsExact(Task.Regression, Configure, resumeAfter: total);    // at its last epoch
        AssertResumeIsExact(Task.Regression, Configure, resumeAfter: main);     // at the main phase's last epoch
    }

    [Fact]
    public void CheckpointsAreWrittenEveryNEpochs_AndSeparateValidationDataIsPartOfTheFingerprint()
    {
        var ml = new MLContext(seed: 1);
        var raw = TestData.Load(ml, "iris_train.csv");
        var map = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw);
        var train = map.Transform(raw);
        var valid = map.Transform(TestData.Load(ml, "iris_test.csv"));
        var checkpoint = PathIn("every3.ckpt");
        var seen = new List<int>();
        var recorder = new Recorder();
        MlpMulticlassTrainer.Options Options() => new()
        {
            HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 8, Seed = 3, CheckpointPath = checkpoint, CheckpointEveryEpochs = 3,
            EarlyStoppingPatience = 50,
        };
        ml.Log += (_, e) => { if (e.RawMessage.StartsWith("Checkpoint after", StringComparison.Ordinal)) lock (seen) seen.Add(int.Parse(e.RawMessage.Split(' ')[4])); };
        var o = Options(); o.Progress = recorder;
        var full = ml.MulticlassClassification.Trainers.Mlp(o).Fit(train, valid).Model;
        Assert.Equal(new[] { 3, 6 }, seen);
        Assert.Empty(_dir.GetFiles("*.tmp", SearchOption.AllDirectories)); // no temporary file left behind
        var r = Options(); r.ResumeFromCheckpoint = checkpoint;
        AssertSameModel(full, ml.MulticlassClassification.Trainers.Mlp(r).Fit(train, valid).Model);
        // Other validation rows: refused, naming them.
        var other = Options(); other.ResumeFromCheckpoint = checkpoint;
        var e = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.Mlp(other).Fit(train, train).Model);
        Assert.Contains("validation", e.Message);
    }

    [Fact]
    public void ACheckpointOfOtherOptionsSeedOrData_IsRefused_NamingWhatDiffers()
    {
        var checkpoint = PathIn("a.ckpt");
        Train(Task.Multiclass, o => { o.CheckpointPath = checkpoint; o.CheckpointEveryEpochs = 4; });
        InvalidOperationException Refused(Action<MlpTrainerOptionsBase> change, Func<MLContext, IDataView, IDataView>? data = null)
        {
            var e = Assert.Throws<InvalidOperationException>(() => Train(Task.Multiclass, o => { o.ResumeFromCheckpoint = checkpoint; change(o); }, data));
            Assert.Contains(checkpoint, e.Message);
            Assert.Contains(nameof(MlpTrainerOptionsBase.ResumeFromCheckpoint), e.Message);
            return e;
        }
        Assert.Contains("option LearningRate was '0.001' and is '0.002'", Refused(o => o.LearningRate = 0.002f).Message);
        Assert.Contains("option HiddenLayerSizes", Refused(o => o.HiddenLayerSizes = new[] { 12, 9 }).Message);
        Assert.Contains("option NumberOfEpochs", Refused(o => o.NumberOfEpochs = 10).Message);
        Assert.Contains("option Optimizer", Refused(o => o.Optimizer = OptimizerKind.AdamW).Message);
        Assert.Contains("effective seed", Refused(o => o.Seed = 8).Message);
        Assert.Contains("row count was 120 and is 100", Refused(_ => { }, (ml, d) => ml.Data.TakeRows(d, 100)).Message);
        // The same number of rows with one value changed: the data's hash.
        var changed = Refused(_ => { }, (ml, d) => ml.Transforms.CustomMapping<FeatureRow, FeatureRow>((i, o) =>
        {
            o.Features = (float[])i.Features.Clone();
            o.Features[0] += 0.5f;
        }, contractName: null).Fit(d).Transform(d));
        Assert.Contains("training rows' values differ", changed.Message);
        // What may change: the thread count and the checkpoint options.
        Train(Task.Multiclass, o => { o.ResumeFromCheckpoint = checkpoint; o.NumberOfThreads = 1; o.CheckpointPath = PathIn("b.ckpt"); o.CheckpointEveryEpochs = 3; });
        Assert.True(File.Exists(PathIn("b.ckpt")));
    }

    private sealed class FeatureRow
    {
        [VectorType(4)] public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>
    /// With automatic epochs the checkpoint records the count the rule gave; a checkpoint that lacks it or records another
    /// (written under an earlier rule) is refused naming it, instead of resuming on another cosine schedule.
    /// </summary>
    [Fact]
    public void ACheckpointWithAutomaticEpochs_RecordsTheirCount_AndOneOfAnotherRuleIsRefused()
    {
        var checkpoint = PathIn("auto.ckpt");
        // Iris, 120 rows of 4 inputs: narrow data, 800 updates in 8 batches of 16, 100 epochs.
        var full = Train(Task.Multiclass, o => { o.NumberOfEpochs = null; o.CheckpointPath = checkpoint; o.CheckpointEveryEpochs = 40; });
        Assert.Equal(100, full.History.Epochs.Count);
        var (fingerprint, saved) = TrainingCheckpointFile.Read(checkpoint);
        Assert.Equal("100", fingerprint.Options[AutomaticEpochs.CheckpointKey]);
        Assert.Equal("", fingerprint.Options[nameof(MlpTrainerOptionsBase.NumberOfEpochs)]);

        // The same run resumes from it.
        var resumed = Train(Task.Multiclass, o => { o.NumberOfEpochs = null; o.ResumeFromCheckpoint = checkpoint; });
        Assert.Equal(full.DenseLayers.SelectMany(l => l.Weights).ToArray(), resumed.DenseLayers.SelectMany(l => l.Weights).ToArray());

        void RefusedWith(IReadOnlyDictionary<string, string> options, string expected)
        {
            var older = PathIn("older.ckpt");
            TrainingCheckpointFile.Write(older, new CheckpointFingerprint
            {
                Options = options, Seed = fingerprint.Seed, TrainingRows = fingerprint.TrainingRows, FeatureCount = fingerprint.FeatureCount,
                SkippedRows = fingerprint.SkippedRows, ValidationRows = fingerprint.ValidationRows, TrainingData = fingerprint.TrainingData,
                ValidationData = fingerprint.ValidationData, Preprocessing = fingerprint.Preprocessing,
            }, saved);
            var e = Assert.Throws<InvalidOperationException>(() => Train(Task.Multiclass, o => { o.NumberOfEpochs = null; o.ResumeFromCheckpoint = older; }));
            Assert.Contains(expected, e.Message);
        }
        // Written before the count was recorded, or under a rule that gave 50 epochs.
        RefusedWith(fingerprint.Options.Where(p => p.Key != AutomaticEpochs.CheckpointKey).ToDictionary(p => p.Key, p => p.Value), $"option {AutomaticEpochs.CheckpointKey}");
        RefusedWith(fingerprint.Options.ToDictionary(p => p.Key, p => p.Key == AutomaticEpochs.CheckpointKey ? "50" : p.Value), $"option {AutomaticEpochs.CheckpointKey} was '50' and is '100'");
    }

    [Fact]
    public void AFlippedByteOrATruncatedCheckpoint_IsRefused_NamingTheFile()
    {
        var checkpoint = PathIn("good.ckpt");
        Train(Task.Multiclass, o => { o.CheckpointPath = checkpoint; o.CheckpointEveryEpochs = 4; });
        var bytes = File.ReadAllBytes(checkpoint);
        var damaged = PathIn("damaged.ckpt");
        void AssertRefused(byte[] content, string what)
        {
            File.WriteAllBytes(damaged, content);
            var e = Assert.Throws<FormatException>(() => Train(Task.Multiclass, o => o.ResumeFromCheckpoint = damaged));
            Assert.True(e.Message.Contains(damaged), $"{what}: the message does not name the file: {e.Message}");
        }
        // Every header byte, then positions spread over the frame and payload (the last ones are the CRC-32).
        var positions = Enumerable.Range(0, 40).Concat(Enumerable.Range(0, 40).Select(i => 40 + (int)((long)(bytes.Length - 41) * i / 39))).Distinct();
        foreach (int at in positions)
        {
            var flipped = (byte[])bytes.Clone();
            flipped[at] ^= 0x10;
            AssertRefused(flipped, $"byte {at} flipped");
        }
        foreach (int length in new[] { 0, 5, 12, 20, bytes.Length / 2, bytes.Length - 1 })
            AssertRefused(bytes[..length], $"truncated to {length} bytes");
        AssertRefused(File.ReadAllBytes(TestData.PathOf("iris_train.csv")), "not a checkpoint");
        Assert.Throws<FileNotFoundException>(() => Train(Task.Multiclass, o => o.ResumeFromCheckpoint = PathIn("missing.ckpt")));
        // The good file still resumes.
        Train(Task.Multiclass, o => o.ResumeFromCheckpoint = checkpoint);
    }

    [Fact]
    public void ResumingWithDataReReadEveryEpoch_WarnsThatTheResultIsNotBitIdentical()
    {
        var ml = new MLContext(seed: 1);
        var raw = TestData.Load(ml, "iris_train.csv");
        var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var checkpoint = PathIn("reload.ckpt");
        MlpMulticlassTrainer.Options Options() => new() { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 5, Seed = 3, ReloadDataEachEpoch = true, CheckpointEveryEpochs = 3 };
        var o = Options(); o.CheckpointPath = checkpoint;
        var full = ml.MulticlassClassification.Trainers.Mlp(o).Fit(data).Model;
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.RawMessage); };
        var r = Options(); r.ResumeFromCheckpoint = checkpoint;
        var resumed = ml.MulticlassClassification.Trainers.Mlp(r).Fit(data).Model;
        Assert.Contains(warnings, w => w.Contains("re-read every epoch") && w.Contains("not be bit for bit"));
        AssertSameModel(full, resumed); // these rows read the same every time: here the result is the same all the same
    }

    private sealed class SparseRow
    {
        [VectorType(SparseFeatures)] public float[] Features { get; set; } = Array.Empty<float>();
        public float Label { get; set; }
    }

    private const int SparseFeatures = 120;

    /// <summary>Mostly-zero rows, which the trainer holds as lists of their non-zeros (where the CPU's kernels read them).</summary>
    private static IDataView SparseData(MLContext ml)
    {
        var random = new Random(5);
        var rows = Enumerable.Range(0, 300).Select(_ =>
        {
            var x = new float[SparseFeatures];
            for (int j = 0; j < x.Length; j++) if (random.NextDouble() < 0.05) x[j] = (float)random.NextDouble() * 4;
            return new SparseRow { Features = x, Label = x.Take(10).Sum() - x.Skip(60).Take(10).Sum() };
        }).ToList();
        return ml.Data.LoadFromEnumerable(rows);
    }

    [Fact]
    public void ResumingOnRowsHeldAsListsOfNonZeros_GivesTheUninterruptedModel_AndTheirHashIsTheDenseRowsHash()
    {
        MlpModelParameters Fit(Action<MlpRegressionTrainer.Options> set)
        {
            var ml = new MLContext(seed: 1);
            var o = new MlpRegressionTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 6, Seed = 2 };
            set(o);
            return ml.Regression.Trainers.Mlp(o).Fit(SparseData(ml)).Model;
        }
        var checkpoint = PathIn("sparse.ckpt");
        var full = Fit(o => { o.CheckpointPath = checkpoint; o.CheckpointEveryEpochs = 4; });
        AssertSameModel(full, Fit(o => o.ResumeFromCheckpoint = checkpoint));
        // The fingerprint's data hash does not depend on how the rows are held (a machine with other kernels may list them or not).
        int n = 50, d = 30;
        var random = new Random(1);
        var x = Enumerable.Range(0, n * d).Select(_ => random.NextDouble() < 0.1 ? (float)random.NextDouble() : 0f).ToArray();
        var dense = new DenseDataset(x, d, Enumerable.Range(0, n).Select(i => (float)i).ToArray(), 1, null, n);
        var lists = new DenseDataset(SparseRows.TryBuild(dense)!, dense.Targets, 1, null);
        Assert.Null(lists.DenseFeatures);
        Assert.Equal(CheckpointFingerprint.Hash(dense), CheckpointFingerprint.Hash(lists));
        x[7] += 1f;
        Assert.NotEqual(CheckpointFingerprint.Hash(lists), CheckpointFingerprint.Hash(dense));
    }

    [Fact]
    public void CheckpointOptionsAreValidated_NamingTheOption()
    {
        var ml = new MLContext(seed: 1);
        ArgumentException Bad(Action<MlpMulticlassTrainer.Options> set)
        {
            var o = new MlpMulticlassTrainer.Options();
            set(o);
            return Assert.ThrowsAny<ArgumentException>(() => ml.MulticlassClassification.Trainers.Mlp(o));
        }
        var every = Bad(o => o.CheckpointEveryEpochs = 0);
        Assert.Equal(nameof(MlpTrainerOptionsBase.CheckpointEveryEpochs), every.ParamName);
        Assert.Contains("at least 1", every.Message);
        foreach (var path in new[] { "", "  ", _dir.FullName })
        {
            var e = Bad(o => o.CheckpointPath = path);
            Assert.Equal(nameof(MlpTrainerOptionsBase.CheckpointPath), e.ParamName);
            Assert.Contains("path of a file", e.Message);
        }
        var resume = Bad(o => o.ResumeFromCheckpoint = " ");
        Assert.Equal(nameof(MlpTrainerOptionsBase.ResumeFromCheckpoint), resume.ParamName);
        Assert.Contains("checkpoint file", resume.Message);
    }

    /// <summary>
    /// A child process trains with a checkpoint every epoch and is killed mid-training; a second child process resumes
    /// from the checkpoint it left and saves its model; the model is the uninterrupted run's, bit for bit.
    /// </summary>
    [Fact]
    public async System.Threading.Tasks.Task AKilledTrainingProcess_ResumedInANewProcess_GivesTheUninterruptedModel()
    {
        const int epochs = 40;
        var checkpoint = PathIn("child.ckpt");
        var modelPath = PathIn("resumed.zip");
        var data = TestData.PathOf("iris_train.csv");
        var dll = Path.Combine(AppContext.BaseDirectory, "MlNetExtensions.LoadCheck.dll");
        ProcessStartInfo Child(params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "exec", dll, "--train-checkpoint" }.Concat(args)) psi.ArgumentList.Add(a);
            return psi;
        }
        using (var child = Process.Start(Child(data, checkpoint, epochs.ToString(), "-", "slow"))!)
        {
            var errors = child.StandardError.ReadToEndAsync();
            // Read on this thread (not an async continuation, which a busy thread pool may delay past the end of training);
            // the child ends by itself (end of output) if it is not killed.
            string? line;
            do line = child.StandardOutput.ReadLine();
            while (line is not null && line != "epoch 6");
            if (line != "epoch 6") Assert.Fail($"the training process stopped early: {await errors}");
            child.Kill();
            Assert.True(child.WaitForExit(30_000), "the training process did not die");
        }
        Assert.True(File.Exists(checkpoint), "no checkpoint was left");
        using (var resumer = Process.Start(Child(data, checkpoint, epochs.ToString(), modelPath, "resume"))!)
        {
            var output = resumer.StandardOutput.ReadToEndAsync();
            var errors = resumer.StandardError.ReadToEndAsync();
            Assert.True(resumer.WaitForExit(120_000), "the resuming process did not finish");
            Assert.True(resumer.ExitCode == 0, $"the resuming process failed: {await output} {await errors}");
            var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var resumedAt = lines.Single(l => l.StartsWith("Resuming from the checkpoint", StringComparison.Ordinal));
            int after = int.Parse(resumedAt.Split(' ')[^1].TrimEnd('.'));
            Assert.True(after >= 5 && after < epochs, $"resumed after epoch {after}: not killed mid-training"); // after some checkpoints
            Assert.Equal($"epoch {after + 1}", lines.First(l => l.StartsWith("epoch ", StringComparison.Ordinal)));
        }
        // The uninterrupted run, here, with the child's options.
        var ml = new MLContext(seed: 0);
        var raw = TestData.Load(ml, "iris_train.csv");
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var expected = ml.MulticlassClassification.Trainers.Mlp(ChildOptions(epochs)).Fit(keyed).Model;
        var loaded = (MlpMulticlassPredictionTransformer)new MLContext().Model.LoadChecked(modelPath, out _);
        var actual = loaded.Model;
        AssertSameModel(expected, actual);
    }

    /// <summary>
    /// A child process that does little but write checkpoints (an epoch of iris takes far less than the write) is killed
    /// three times at different moments: the file at the path is always a whole checkpoint, and the next write removes the
    /// temporary file a killed writer left.
    /// </summary>
    [Fact]
    public void KillingAProcessWhileItWritesCheckpoints_NeverLeavesATornOne()
    {
        var checkpoint = PathIn("fast.ckpt");
        var dll = Path.Combine(AppContext.BaseDirectory, "MlNetExtensions.LoadCheck.dll");
        for (int round = 0; round < 3; round++)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "exec", dll, "--train-checkpoint", TestData.PathOf("iris_train.csv"), checkpoint, "1000000", "-", "fast" }) psi.ArgumentList.Add(a);
            using var child = Process.Start(psi)!;
            _ = child.StandardError.ReadToEndAsync();
            string? line;
            do line = child.StandardOutput.ReadLine();
            while (line is not null && line != "epoch 20");
            Assert.Equal("epoch 20", line);
            Thread.Sleep(20 + 35 * round);
            child.Kill();
            Assert.True(child.WaitForExit(30_000), "the training process did not die");
            var (_, saved) = TrainingCheckpointFile.Read(checkpoint); // a whole checkpoint, never a torn one
            Assert.True(saved.Current.Epoch >= 19, $"the checkpoint is of epoch {saved.Current.Epoch}");
        }
        // A killed writer may have left its temporary file; the next checkpoint written to the path removes it.
        Train(Task.Multiclass, o => { o.CheckpointPath = checkpoint; o.CheckpointEveryEpochs = 4; });
        Assert.Empty(_dir.GetFiles(".fast.ckpt.*.tmp"));
    }

    /// <summary>The options of the LoadCheck program's --train-checkpoint mode (kept in step with it).</summary>
    private static MlpMulticlassTrainer.Options ChildOptions(int epochs) => new()
    {
        HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = epochs, Seed = 11, HiddenDropoutRate = 0.2f, BatchSize = 16,
    };
}
