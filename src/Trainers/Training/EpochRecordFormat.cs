namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// How an <see cref="EpochRecord"/> is stored, in a model's history (<see cref="MlpModelSerializer"/>) and in a training
/// checkpoint (<see cref="TrainingCheckpointFile"/>): epoch, phase, training loss, validation loss and metric (each with a
/// presence flag), learning rate, elapsed ticks; little-endian, doubles bit-exact.
/// </summary>
internal static class EpochRecordFormat
{
    /// <summary>The fewest bytes a stored record takes (an empty phase name), to check a declared count against the bytes left.</summary>
    public const int MinBytes = 43;

    /// <summary>Writes <paramref name="record"/>.</summary>
    public static void Write(BinaryWriter w, EpochRecord record)
    {
        w.Write(record.Epoch); w.Write(record.Phase); w.Write(record.TrainingLoss);
        w.Write(record.ValidationLoss.HasValue); w.Write(record.ValidationLoss ?? 0);
        w.Write(record.ValidationMetric.HasValue); w.Write(record.ValidationMetric ?? 0);
        w.Write(record.LearningRate); w.Write(record.Elapsed.Ticks);
    }

    /// <summary>Reads a record written by <see cref="Write"/>.</summary>
    public static EpochRecord Read(BinaryReader r)
    {
        int epoch = r.ReadInt32(); string phase = r.ReadString(); double loss = r.ReadDouble();
        bool hasValidationLoss = r.ReadBoolean(); double validationLoss = r.ReadDouble();
        bool hasMetric = r.ReadBoolean(); double metric = r.ReadDouble();
        float rate = r.ReadSingle(); long ticks = r.ReadInt64();
        return new EpochRecord(epoch, phase, loss, hasValidationLoss ? validationLoss : null, hasMetric ? metric : null, rate, TimeSpan.FromTicks(ticks));
    }
}
