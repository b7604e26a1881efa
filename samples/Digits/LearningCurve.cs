using MlNetExtensions.Samples;
using MlNetExtensions.Trainers;

namespace Digits;

/// <summary>
/// The learning-curve picture of a digits run: the training and validation loss on top, the validation
/// micro-accuracy below, on the same epochs, with the epoch whose weights were kept marked in both.
/// </summary>
public static class LearningCurve
{
    /// <summary>What the trainer's per-epoch validation metric is for this multiclass model: the fraction of validation rows classified correctly.</summary>
    public const string MetricName = "validation micro-accuracy";

    /// <summary>The two panels: loss, then <see cref="MetricName"/>.</summary>
    public static IReadOnlyList<ChartPanel> Panels(TrainingHistory history)
    {
        var epochs = history.Epochs.Where(e => e.Phase == "train").ToList();
        var x = epochs.Select(e => (double)e.Epoch).ToList();
        var kept = history.BestEpoch > 0 ? history.BestEpoch - 1 : -1;
        IReadOnlyList<(int, string)> Mark(Func<EpochRecord, double?> value, string format) =>
            kept >= 0 && value(epochs[kept]) is { } v ? new[] { (kept, $"kept epoch {history.BestEpoch}: {v.ToString(format)}") } : Array.Empty<(int, string)>();

        // Training loss is measured with dropout and augmentation on, so it usually lies above the validation loss.
        var loss = new ChartPanel("Loss", "epoch", "cross-entropy", new[]
        {
            new ChartSeries("training loss", x, epochs.Select(e => e.TrainingLoss).ToList()),
            new ChartSeries("validation loss", x, epochs.Select(e => e.ValidationLoss ?? double.NaN).ToList())
            {
                Dash = new[] { 9f, 4f }, Marks = Mark(e => e.ValidationLoss, "F4"),
            },
        }) { LogY = true };
        var accuracy = new ChartPanel("Accuracy on the validation rows (not augmented)", "epoch", "micro-accuracy", new[]
        {
            new ChartSeries(MetricName, x, epochs.Select(e => e.ValidationMetric ?? double.NaN).ToList())
            {
                Color = LineChart.Palette[2], Marker = MarkerShape.Circle, HollowMarker = true, Marks = Mark(e => e.ValidationMetric, "F4"),
            },
        });
        return new[] { loss, accuracy };
    }

    /// <summary>Writes the two panels, one above the other, to <paramref name="pngPath"/>.</summary>
    public static void Write(string pngPath, TrainingHistory history, string title) =>
        LineChart.Write(pngPath, title, Panels(history), columns: 1, width: 900, height: 860, notes: new[]
        {
            $"{history.StopMessage} The trainer records no training accuracy, only the training loss.",
        });
}
