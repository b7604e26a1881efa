using System.Runtime.InteropServices;
using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Trainers;

/// <summary>Binary format of <see cref="MlpModelParameters"/> inside a model entry (little-endian, floats stored bit-exactly).</summary>
internal static class MlpModelSerializer
{
    private const byte DenseTag = 1, BatchNormTag = 2, ActivationTag = 3;

    public static void Write(BinaryWriter w, MlpModelParameters model)
    {
        WriteFloats(w, model.FeatureShift);
        WriteFloats(w, model.FeatureScale);
        w.Write(model.LabelShift);
        w.Write(model.LabelScale);
        var layers = model.Network.InferenceLayers;
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
        w.Write(model.Options.Count);
        foreach (var (k, v) in model.Options.OrderBy(p => p.Key, StringComparer.Ordinal)) { w.Write(k); w.Write(v); }
        var h = model.History;
        w.Write(h.Epochs.Count);
        foreach (var e in h.Epochs)
        {
            w.Write(e.Epoch); w.Write(e.Phase); w.Write(e.TrainingLoss);
            w.Write(e.ValidationLoss.HasValue); w.Write(e.ValidationLoss ?? 0);
            w.Write(e.ValidationMetric.HasValue); w.Write(e.ValidationMetric ?? 0);
            w.Write(e.LearningRate); w.Write(e.Elapsed.Ticks);
        }
        w.Write(h.BestEpoch); w.Write((int)h.StopReason); w.Write(h.StopMessage); w.Write(h.SkippedRows);
    }

    public static MlpModelParameters Read(BinaryReader r)
    {
        var shift = ReadFloats(r);
        var scale = ReadFloats(r);
        float labelShift = r.ReadSingle(), labelScale = r.ReadSingle();
        int count = CheckCount(r.ReadInt32(), 1 << 16, "layer count");
        var layers = new List<Layer>(count);
        for (int i = 0; i < count; i++)
        {
            byte tag = r.ReadByte();
            switch (tag)
            {
                case DenseTag:
                {
                    int m = CheckCount(r.ReadInt32(), 1 << 26, "fan-in"), n = CheckCount(r.ReadInt32(), 1 << 26, "fan-out");
                    var d = new DenseLayer(m, n, $"dense{i}");
                    ReadInto(r, d.Weights.Value); ReadInto(r, d.Bias.Value);
                    layers.Add(d);
                    break;
                }
                case BatchNormTag:
                {
                    int size = CheckCount(r.ReadInt32(), 1 << 26, "batch-norm width");
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
        if (shift.Length != network.InputSize || scale.Length != network.InputSize)
            throw new FormatException("The saved feature normalization does not match the network's input size.");
        int optionCount = CheckCount(r.ReadInt32(), 10_000, "option count");
        var options = new Dictionary<string, string>(optionCount);
        for (int i = 0; i < optionCount; i++) options[r.ReadString()] = r.ReadString();
        int epochCount = CheckCount(r.ReadInt32(), 10_000_000, "epoch count");
        var epochs = new EpochRecord[epochCount];
        for (int i = 0; i < epochCount; i++)
        {
            int epoch = r.ReadInt32(); string phase = r.ReadString(); double loss = r.ReadDouble();
            bool hasVl = r.ReadBoolean(); double vl = r.ReadDouble();
            bool hasVm = r.ReadBoolean(); double vm = r.ReadDouble();
            float lr = r.ReadSingle(); long ticks = r.ReadInt64();
            epochs[i] = new EpochRecord(epoch, phase, loss, hasVl ? vl : null, hasVm ? vm : null, lr, TimeSpan.FromTicks(ticks));
        }
        int best = r.ReadInt32(); int reason = r.ReadInt32(); string message = r.ReadString(); long skipped = r.ReadInt64();
        var history = new TrainingHistory(epochs, best, (StopReason)reason, message, skipped);
        return new MlpModelParameters(network, shift, scale, labelShift, labelScale, options, history);
    }

    private static int CheckCount(int value, int max, string what)
    {
        if (value < 0 || value > max) throw new FormatException($"The model's {what} ({value}) is out of range: the file is corrupted.");
        return value;
    }

    private static void WriteFloats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static float[] ReadFloats(BinaryReader r)
    {
        var values = new float[CheckCount(r.ReadInt32(), 1 << 28, "array length")];
        ReadExactly(r, values);
        return values;
    }

    private static void ReadInto(BinaryReader r, float[] destination)
    {
        int length = r.ReadInt32();
        if (length != destination.Length)
            throw new FormatException($"The model holds {length} values where {destination.Length} were expected: the file is corrupted.");
        ReadExactly(r, destination);
    }

    private static void ReadExactly(BinaryReader r, float[] destination)
    {
        var bytes = MemoryMarshal.AsBytes(destination.AsSpan());
        int read = r.Read(bytes);
        while (read < bytes.Length)
        {
            int n = r.Read(bytes[read..]);
            if (n == 0) throw new EndOfStreamException("The model entry ends early.");
            read += n;
        }
    }
}
