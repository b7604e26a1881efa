using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// The checkpoint file: its own small binary format (little-endian, floats bit-exact), written atomically.
/// <list type="bullet">
/// <item>8 bytes "MLXCHKPT", then the format version (int32, now 1);</item>
/// <item>the payload in <see cref="PayloadChecksum"/>'s frame: its length, the bytes, their CRC-32 (checked before a field is read);</item>
/// <item>the payload: the <see cref="CheckpointFingerprint"/>, the epoch records, the main phase's outcome (when the
/// checkpoint is of a phase reusing the validation data), then the current phase's <see cref="PhaseCheckpoint"/>
/// (network, best snapshot, early-stopping counters, optimizer state, stop).</item>
/// </list>
/// A file that is not a checkpoint, of a newer version, truncated or corrupted is a <see cref="FormatException"/> naming it.
/// </summary>
internal static class TrainingCheckpointFile
{
    /// <summary>"MLXCHKPT" as a little-endian 64-bit value: the first 8 bytes of a checkpoint file.</summary>
    internal const ulong Magic = 0x5450_4B48_4358_4C4D;

    /// <summary>The format version written; files of versions 1 to this are read.</summary>
    internal const int Version = 1;

    /// <summary>Writes <paramref name="checkpoint"/> with <paramref name="fingerprint"/> to <paramref name="path"/> atomically (temporary file, flush, rename).</summary>
    public static void Write(string path, CheckpointFingerprint fingerprint, TrainingCheckpoint checkpoint)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(Version);
            PayloadChecksum.Write(w, payload =>
            {
                WriteFingerprint(payload, fingerprint);
                WritePayload(payload, checkpoint);
            });
        });
    }

    /// <summary>Reads the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="FormatException">The file is not a checkpoint, is of a newer format version, or is truncated or corrupted; the message names it.</exception>
    public static (CheckpointFingerprint Fingerprint, TrainingCheckpoint Checkpoint) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The checkpoint file '{path}' does not exist.", path);
        string subject = $"The checkpoint file '{path}'";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> header = stackalloc byte[12];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) != header.Length
            || BinaryPrimitives.ReadUInt64LittleEndian(header) != Magic)
            throw new FormatException($"{subject} is not a training checkpoint (it does not start with the checkpoint header), or it is truncated.");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version < 1 || version > Version)
            throw new FormatException($"{subject} has format version {version}; this version reads versions 1 to {Version} (written by a newer version?).");
        using var r = PayloadChecksum.ReadFramed(stream, subject);
        try
        {
            var fingerprint = ReadFingerprint(r);
            var checkpoint = ReadPayload(r);
            long left = r.BaseStream.Length - r.BaseStream.Position;
            if (left != 0) throw new FormatException($"{left} bytes of its payload were left unread");
            return (fingerprint, checkpoint);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or ArgumentException)
        {
            throw new FormatException($"{subject} is corrupted: {e.Message}", e);
        }
    }

    private static void WriteFingerprint(BinaryWriter w, CheckpointFingerprint f)
    {
        w.Write(f.Options.Count);
        foreach (var (name, value) in f.Options.OrderBy(p => p.Key, StringComparer.Ordinal)) { w.Write(name); w.Write(value); }
        w.Write(f.Seed);
        w.Write(f.TrainingRows); w.Write(f.FeatureCount); w.Write(f.SkippedRows); w.Write(f.ValidationRows);
        w.Write(f.TrainingData); w.Write(f.ValidationData); w.Write(f.Preprocessing);
    }

    private static CheckpointFingerprint ReadFingerprint(BinaryReader r)
    {
        int count = Count(r, 2, "option count");
        var options = new Dictionary<string, string>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++) options[r.ReadString()] = r.ReadString();
        return new CheckpointFingerprint
        {
            Options = options, Seed = r.ReadUInt64(),
            TrainingRows = r.ReadInt32(), FeatureCount = r.ReadInt32(), SkippedRows = r.ReadInt64(), ValidationRows = r.ReadInt32(),
            TrainingData = r.ReadUInt64(), ValidationData = r.ReadUInt64(), Preprocessing = r.ReadUInt64(),
        };
    }

    private static void WritePayload(BinaryWriter w, TrainingCheckpoint c)
    {
        w.Write(c.Records.Length);
        foreach (var e in c.Records) EpochRecordFormat.Write(w, e);
        w.Write(c.Main is not null);
        if (c.Main is { } m)
        {
            w.Write(m.BestEpoch); w.Write((int)m.Reason); w.Write(m.Message); w.Write(m.LastLearningRate);
            WriteArrays(w, m.Kept); w.Write(m.TargetLoss);
        }
        var p = c.Current;
        w.Write(p.Phase); w.Write(p.Epoch);
        WriteArrays(w, p.Network);
        w.Write(p.Best is not null);
        if (p.Best is not null) WriteArrays(w, p.Best);
        w.Write(p.BestScore); w.Write(p.BestEpoch); w.Write(p.SinceBest);
        var o = p.Optimizer;
        w.Write(o.StepCount); w.Write(o.LearningRate); w.Write(o.Buffers.Length);
        foreach (var buffers in o.Buffers)
        {
            w.Write(buffers is not null);
            if (buffers is not null) WriteArrays(w, buffers);
        }
        w.Write(p.Stop.HasValue);
        if (p.Stop is { } stop) { w.Write((int)stop); w.Write(p.StopMessage ?? ""); }
    }

    private static TrainingCheckpoint ReadPayload(BinaryReader r)
    {
        var records = new EpochRecord[Count(r, EpochRecordFormat.MinBytes, "epoch record count")];
        for (int i = 0; i < records.Length; i++) records[i] = EpochRecordFormat.Read(r);
        MainPhaseOutcome? main = null;
        if (r.ReadBoolean())
            main = new MainPhaseOutcome(r.ReadInt32(), Reason(r.ReadInt32()), r.ReadString(), r.ReadSingle(), ReadArrays(r), r.ReadDouble());
        string phaseName = r.ReadString();
        int phaseEpoch = r.ReadInt32();
        if (phaseEpoch < 1) throw new FormatException($"its epoch is {phaseEpoch}");
        var network = ReadArrays(r);
        var best = r.ReadBoolean() ? ReadArrays(r) : null;
        double bestScore = r.ReadDouble(); int bestEpoch = r.ReadInt32(), sinceBest = r.ReadInt32();
        long steps = r.ReadInt64(); float rate = r.ReadSingle();
        int parameterCount = Count(r, 1, "optimizer tensor count");
        var buffers = new List<float[][]?>(parameterCount);
        for (int i = 0; i < parameterCount; i++) buffers.Add(r.ReadBoolean() ? ReadArrays(r) : null);
        StopReason? stop = null; string? stopMessage = null;
        if (r.ReadBoolean()) { stop = Reason(r.ReadInt32()); stopMessage = r.ReadString(); }
        var current = new PhaseCheckpoint(phaseName, phaseEpoch, network, best, bestScore, bestEpoch, sinceBest, new OptimizerState(steps, rate, buffers.ToArray()), stop, stopMessage);
        return new TrainingCheckpoint(current, main, records);
    }

    private static StopReason Reason(int value) =>
        Enum.IsDefined(typeof(StopReason), value) ? (StopReason)value : throw new FormatException($"it holds an unknown stop reason {value}");

    private static void WriteArrays(BinaryWriter w, IReadOnlyList<float[]> arrays)
    {
        w.Write(arrays.Count);
        foreach (var a in arrays)
        {
            w.Write(a.Length);
            w.Write(MemoryMarshal.AsBytes(a.AsSpan()));
        }
    }

    private static float[][] ReadArrays(BinaryReader r)
    {
        var arrays = new float[Count(r, 4, "array count")][];
        for (int i = 0; i < arrays.Length; i++)
        {
            arrays[i] = new float[Count(r, 4, "array length")];
            var bytes = MemoryMarshal.AsBytes(arrays[i].AsSpan());
            if (r.Read(bytes) != bytes.Length) throw new EndOfStreamException("it ends inside an array");
        }
        return arrays;
    }

    /// <summary>A count read from the payload, refused when the items it announces (at least <paramref name="bytesEach"/> bytes each) are not there.</summary>
    private static int Count(BinaryReader r, int bytesEach, string what)
    {
        int count = r.ReadInt32();
        long left = r.BaseStream.Length - r.BaseStream.Position;
        if (count < 0 || (long)count * bytesEach > left) throw new FormatException($"its {what} ({count}) does not fit the {left} bytes left");
        return count;
    }
}
