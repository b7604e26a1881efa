using System.Runtime.InteropServices;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>Binary format of <see cref="MlpModelParameters"/> inside a model entry (little-endian, floats stored bit-exactly).</summary>
internal static class MlpModelSerializer
{
    private const byte DenseTag = 1, BatchNormTag = 2, ActivationTag = 3;

    /// <summary>
    /// The newest payload revision, written first as its negative: the first revision began with a non-negative array
    /// length (the standardization's shifts), so the two are told apart by the sign. Revision 2 holds
    /// <see cref="InputPreprocessing"/>; revision 3 adds its per-slot log scales (<see cref="InputSlotKind.LogContinuous"/>);
    /// revision 4 holds the label de-standardization per output (multi-output regression), where revisions 1 to 3 hold
    /// one shift and scale for every output; revision 5 is a bagged ensemble (<see cref="MlpModelParameters.Members"/>): the
    /// revision-4 layout with member 0's network, then the combination and every member (seed, out-of-bag figures, the
    /// network of members 1 to k − 1, history). Revisions 1 to 5 are read.
    /// </summary>
    internal const int Revision = 5;

    /// <summary>
    /// The revision a model is written in: the oldest that holds it, so that a model every earlier build could read
    /// (one shift and scale for all its outputs: every classifier and single-output regression) is still written as
    /// revision 3, only a model with per-output label standardization needs revision 4, and only an ensemble revision 5.
    /// </summary>
    internal static int RevisionFor(MlpModelParameters model) => model.IsEnsemble ? Revision : IsUniform(model.LabelShift) && IsUniform(model.LabelScale) ? 3 : 4;

    private static bool IsUniform(float[] values) => !values.AsSpan().ContainsAnyExcept(values[0]);

    public static void Write(BinaryWriter w, MlpModelParameters model)
    {
        int revision = RevisionFor(model);
        w.Write(-revision);
        var pre = model.Preprocessing;
        w.Write(pre.InputCount);
        foreach (var k in pre.Kinds) w.Write((byte)k);
        WriteFloats(w, pre.Fill);
        WriteFloats(w, pre.Shift);
        WriteFloats(w, pre.Scale);
        WriteFloats(w, pre.Offset);
        WriteFloats(w, pre.LogScale);
        w.Write(pre.Indicators.Length);
        foreach (int slot in pre.Indicators) w.Write(slot);
        if (revision >= 4)
        {
            WriteFloats(w, model.LabelShift);
            WriteFloats(w, model.LabelScale);
        }
        else
        {
            w.Write(model.LabelShift[0]);
            w.Write(model.LabelScale[0]);
        }
        WriteNetwork(w, model.Network);
        w.Write(model.Options.Count);
        foreach (var (k, v) in model.Options.OrderBy(p => p.Key, StringComparer.Ordinal)) { w.Write(k); w.Write(v); }
        WriteHistory(w, model.History);
        if (revision < 5) return;
        // Revision 5, a bagged ensemble: member 0's network is the one above; then how the members combine and each member.
        w.Write((int)model.Combination);
        w.Write(model.Members.Count);
        foreach (var m in model.Members)
        {
            w.Write(m.Seed); w.Write(m.OutOfBagRows); w.Write(m.OutOfBagLoss); w.Write(m.OutOfBagMetric);
            if (m.Index > 0) WriteNetwork(w, m.Network);
            WriteHistory(w, m.History);
        }
    }

    private static void WriteNetwork(BinaryWriter w, MultilayerPerceptron network)
    {
        var layers = network.InferenceLayers;
        w.Write(layers.Length);
        foreach (var layer in layers)
        {
            switch (layer)
            {
                case DenseLayer d:
                    w.Write(DenseTag); w.Write(d.InputSize); w.Write(d.OutputSize);
                    WriteFloats(w, d.Weights.Value); WriteFloats(w, d.Bias.Value);
                    break;
                case BatchNormLayer b:
                    w.Write(BatchNormTag); w.Write(b.InputSize); w.Write(b.Momentum); w.Write(b.Epsilon);
                    WriteFloats(w, b.Gamma.Value); WriteFloats(w, b.Beta.Value); WriteFloats(w, b.RunningMean); WriteFloats(w, b.RunningVariance);
                    break;
                case ActivationLayer a:
                    w.Write(ActivationTag); w.Write(a.InputSize); w.Write((int)a.Function);
                    break;
                default:
                    throw new InvalidOperationException($"Layer {layer.GetType().Name} cannot be saved.");
            }
        }
    }

    private static void WriteHistory(BinaryWriter w, TrainingHistory h)
    {
        w.Write(h.Epochs.Count);
        foreach (var e in h.Epochs) EpochRecordFormat.Write(w, e);
        w.Write(h.BestEpoch); w.Write((int)h.StopReason); w.Write(h.StopMessage); w.Write(h.SkippedRows);
    }

    public static MlpModelParameters Read(BinaryReader r)
    {
        int first = r.ReadInt32();
        InputPreprocessing preprocessing;
        if (first >= 0)
        {
            // Revision 1: z-scoring shifts and scales.
            var shift = ReadFloats(r, first);
            var scale = ReadFloats(r);
            if (shift.Length != scale.Length) throw new FormatException("The saved feature normalization's arrays differ in length: the file is corrupted.");
            preprocessing = InputPreprocessing.FromStandardization(shift, scale);
        }
        else if (-first is >= 2 and <= Revision) preprocessing = ReadPreprocessing(r, -first);
        else throw new FormatException($"The model payload has revision {-(long)first}; this version reads revisions 1 to {Revision} (written by a newer version?).");
        int revision = first >= 0 ? 1 : -first;
        // Revision 4: one shift and scale per output (checked against the network below); before, one pair for all outputs.
        float[]? labelShifts = null, labelScales = null;
        float labelShift = 0f, labelScale = 1f;
        if (revision >= 4) { labelShifts = ReadFloats(r); labelScales = ReadFloats(r); }
        else { labelShift = r.ReadSingle(); labelScale = r.ReadSingle(); }
        var network = ReadNetwork(r);
        if (preprocessing.OutputCount != network.InputSize)
            throw new FormatException($"The saved input preprocessing gives {preprocessing.OutputCount} inputs, but the network takes {network.InputSize}: the file is corrupted.");
        if (labelShifts is not null && (labelShifts.Length != network.OutputSize || labelScales!.Length != network.OutputSize))
            throw new FormatException(
                $"The model holds {labelShifts.Length} label shifts and {labelScales!.Length} label scales for a network of {network.OutputSize} outputs: the file is corrupted.");
        labelShifts ??= Enumerable.Repeat(labelShift, network.OutputSize).ToArray();
        labelScales ??= Enumerable.Repeat(labelScale, network.OutputSize).ToArray();
        for (int i = 0; i < labelScales.Length; i++)
            if (!float.IsFinite(labelShifts[i]) || !(labelScales[i] > 0f) || !float.IsFinite(labelScales[i]))
                throw new FormatException($"The model's label standardization of output {i} (shift {labelShifts[i]}, scale {labelScales[i]}) is not a finite shift and a finite scale > 0: the file is corrupted.");
        int optionCount = CheckCount(r.ReadInt32(), 10_000, "option count");
        CheckBytes(r, 2L * optionCount, $"{optionCount} options");
        var options = new Dictionary<string, string>(optionCount);
        for (int i = 0; i < optionCount; i++) options[r.ReadString()] = r.ReadString();
        var history = ReadHistory(r);
        if (revision < 5) return new MlpModelParameters(network, preprocessing, labelShifts, labelScales, options, history);
        int combination = r.ReadInt32();
        if (!Enum.IsDefined(typeof(EnsembleCombination), combination)) throw new FormatException($"Unknown ensemble combination {combination} in the model: the file is corrupted.");
        int memberCount = CheckCount(r.ReadInt32(), OptionsValidation.MaxModels, "ensemble member count");
        if (memberCount < 2) throw new FormatException($"The model declares an ensemble of {memberCount} members (at least 2): the file is corrupted.");
        CheckBytes(r, (long)MemberMinBytes * memberCount, $"{memberCount} ensemble members");
        var members = new MlpEnsembleMember[memberCount];
        for (int i = 0; i < memberCount; i++)
        {
            try { members[i] = ReadMember(r, i, network); }
            catch (EndOfStreamException e)
            {
                throw new FormatException($"The model declares {memberCount} ensemble members, but its entry ends within member {i}: the file is truncated or corrupted.", e);
            }
        }
        return new MlpModelParameters(members, (EnsembleCombination)combination, preprocessing, labelShifts, labelScales, options, history);
    }

    /// <summary>Ensemble member <paramref name="i"/> of revision 5 (member 0's network is <paramref name="network"/>, read before).</summary>
    private static MlpEnsembleMember ReadMember(BinaryReader r, int i, MultilayerPerceptron network)
    {
        ulong seed = r.ReadUInt64(); int outOfBagRows = CheckCount(r.ReadInt32(), int.MaxValue, $"member {i}'s out-of-bag row count");
        double outOfBagLoss = r.ReadDouble(), outOfBagMetric = r.ReadDouble();
        var memberNetwork = i == 0 ? network : ReadNetwork(r);
        if (memberNetwork.InputSize != network.InputSize || memberNetwork.OutputSize != network.OutputSize)
            throw new FormatException($"The model's ensemble member {i} has {memberNetwork.InputSize} inputs and {memberNetwork.OutputSize} outputs, member 0 {network.InputSize} and {network.OutputSize}: the file is corrupted.");
        return new MlpEnsembleMember(i, seed, memberNetwork, ReadHistory(r), outOfBagRows, outOfBagLoss, outOfBagMetric);
    }

    /// <summary>The fewest bytes an ensemble member takes: seed, out-of-bag figures, and an empty history.</summary>
    private const int MemberMinBytes = 8 + 4 + 8 + 8 + 4 + 4 + 4 + 1 + 8;

    private static MultilayerPerceptron ReadNetwork(BinaryReader r)
    {
        int count = CheckCount(r.ReadInt32(), 1 << 16, "layer count");
        CheckBytes(r, 9L * count, $"{count} layers");
        var layers = new List<Layer>(count);
        for (int i = 0; i < count; i++)
        {
            byte tag = r.ReadByte();
            switch (tag)
            {
                case DenseTag:
                {
                    int m = CheckCount(r.ReadInt32(), 1 << 26, "fan-in"), n = CheckCount(r.ReadInt32(), 1 << 26, "fan-out");
                    // Before allocating: the weights must fit in an array and be present in the file.
                    long weights = (long)m * n;
                    if (weights > Array.MaxLength) throw new FormatException($"The model's layer {i} declares {m} × {n} weights, more than an array holds: the file is corrupted.");
                    CheckBytes(r, 4 * (weights + n) + 8, $"layer {i}'s {m} × {n} weights");
                    var d = new DenseLayer(m, n, $"dense{i}");
                    ReadInto(r, d.Weights.Value); ReadInto(r, d.Bias.Value);
                    layers.Add(d);
                    break;
                }
                case BatchNormTag:
                {
                    int size = CheckCount(r.ReadInt32(), 1 << 26, "batch-norm width");
                    CheckBytes(r, 16L * size + 24, $"layer {i}'s batch normalization of width {size}");
                    var b = new BatchNormLayer(size, $"batchnorm{i}", r.ReadSingle(), r.ReadSingle());
                    ReadInto(r, b.Gamma.Value); ReadInto(r, b.Beta.Value); ReadInto(r, b.RunningMean); ReadInto(r, b.RunningVariance);
                    layers.Add(b);
                    break;
                }
                case ActivationTag:
                {
                    int size = CheckCount(r.ReadInt32(), 1 << 26, "activation width");
                    int f = r.ReadInt32();
                    if (!Enum.IsDefined(typeof(Activation), f)) throw new FormatException($"Unknown activation {f} in the model.");
                    layers.Add(new ActivationLayer(size, (Activation)f));
                    break;
                }
                default:
                    throw new FormatException($"Unknown layer tag {tag} in the model (written by a newer version?).");
            }
        }
        MultilayerPerceptron network;
        try { network = new MultilayerPerceptron(layers); }
        catch (ArgumentException e) { throw new FormatException("The saved layers do not chain: " + e.Message, e); }
        return network;
    }

    private static TrainingHistory ReadHistory(BinaryReader r)
    {
        int epochCount = CheckCount(r.ReadInt32(), 10_000_000, "epoch count");
        CheckBytes(r, (long)EpochRecordFormat.MinBytes * epochCount, $"{epochCount} epoch records");
        var epochs = new EpochRecord[epochCount];
        for (int i = 0; i < epochCount; i++) epochs[i] = EpochRecordFormat.Read(r);
        int best = r.ReadInt32(); int reason = r.ReadInt32(); string message = r.ReadString(); long skipped = r.ReadInt64();
        return new TrainingHistory(epochs, best, (StopReason)reason, message, skipped);
    }

    private static InputPreprocessing ReadPreprocessing(BinaryReader r, int revision)
    {
        int d = CheckCount(r.ReadInt32(), 1 << 26, "feature count");
        CheckBytes(r, (revision >= 3 ? 21L : 17L) * d, $"the input preprocessing of {d} slots");
        var kinds = new InputSlotKind[d];
        var bytes = r.ReadBytes(d);
        if (bytes.Length != d) throw new EndOfStreamException("The model entry ends early.");
        for (int j = 0; j < d; j++)
        {
            if (!Enum.IsDefined(typeof(InputSlotKind), (int)bytes[j])) throw new FormatException($"Unknown input slot kind {bytes[j]} at slot {j} in the model.");
            kinds[j] = (InputSlotKind)bytes[j];
        }
        float[] Slots(string what)
        {
            var values = ReadFloats(r);
            if (values.Length != d) throw new FormatException($"The model holds {values.Length} input {what} values for {d} slots: the file is corrupted.");
            return values;
        }
        var fill = Slots("fill"); var shift = Slots("shift"); var scale = Slots("scale"); var offset = Slots("offset");
        var logScale = revision >= 3 ? Slots("log scale") : new float[d];
        for (int j = 0; j < d; j++)
            if (!InputPreprocessing.FitsKind(kinds[j], logScale[j]))
                throw new FormatException($"The model's input slot {j} is {kinds[j]} with log scale {logScale[j]}: the file is corrupted.");
        int k = CheckCount(r.ReadInt32(), d, "missing-value indicator count");
        CheckBytes(r, 4L * k, $"{k} missing-value indicators");
        var indicators = new int[k];
        for (int i = 0; i < k; i++)
        {
            indicators[i] = r.ReadInt32();
            if ((uint)indicators[i] >= (uint)d || (i > 0 && indicators[i] <= indicators[i - 1]))
                throw new FormatException($"The model's missing-value indicator {i} names slot {indicators[i]}: the file is corrupted.");
        }
        return new InputPreprocessing(kinds, fill, shift, scale, offset, indicators, logScale);
    }

    private static int CheckCount(int value, int max, string what)
    {
        if (value < 0 || value > max) throw new FormatException($"The model's {what} ({value}) is out of range: the file is corrupted.");
        return value;
    }

    /// <summary>Refuses a declared size whose bytes are not in the payload, before anything is allocated for it.</summary>
    private static void CheckBytes(BinaryReader r, long bytes, string what)
    {
        var s = r.BaseStream;
        if (!s.CanSeek) return; // (payload readers are memory streams; only a first-format entry may not be)
        long left = s.Length - s.Position;
        if (bytes > left) throw new FormatException($"The model declares {what} ({bytes} bytes), but only {left} bytes are left: the file is truncated or corrupted.");
    }

    private static void WriteFloats(BinaryWriter w, ReadOnlySpan<float> values)
    {
        w.Write(values.Length);
        w.Write(MemoryMarshal.AsBytes(values));
    }

    private static float[] ReadFloats(BinaryReader r) => ReadFloats(r, r.ReadInt32());

    private static float[] ReadFloats(BinaryReader r, int length)
    {
        CheckCount(length, 1 << 28, "array length");
        CheckBytes(r, 4L * length, $"an array of {length} values");
        var values = new float[length];
        ReadExactly(r, values);
        return values;
    }

    private static void ReadInto(BinaryReader r, Span<float> destination)
    {
        int length = r.ReadInt32();
        if (length != destination.Length)
            throw new FormatException($"The model holds {length} values where {destination.Length} were expected: the file is corrupted.");
        ReadExactly(r, destination);
    }

    private static void ReadExactly(BinaryReader r, Span<float> destination)
    {
        var bytes = MemoryMarshal.AsBytes(destination);
        int read = r.Read(bytes);
        while (read < bytes.Length)
        {
            int n = r.Read(bytes[read..]);
            if (n == 0) throw new EndOfStreamException("The model entry ends early.");
            read += n;
        }
    }
}
