using MlNetExtensions.Trainers;
using Spectre.Console;

namespace MlNetExtensions.Samples;

/// <summary>
/// Console output shared by the samples: a Spectre.Console progress bar when stdout is a terminal, plain lines when it
/// is redirected (CI logs, pipes), and fixed-width tables that read the same in both.
/// </summary>
public static class SampleConsole
{
    /// <summary>True when stdout is an interactive terminal that can redraw a progress bar.</summary>
    public static bool IsInteractive =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    /// <summary>
    /// Runs <paramref name="train"/> (which fits a pipeline) and shows each epoch the trainer reports: a bar plus one line per
    /// epoch in a terminal, one line per epoch otherwise. <paramref name="verbose"/> false prints only the bar or nothing.
    /// <paramref name="metricName"/> names the trainer's validation metric in those lines (e.g. "validation micro-accuracy").
    /// </summary>
    public static T Train<T>(string title, int maxEpochs, Func<IProgress<EpochRecord>, T> train, bool verbose = true,
        string metricName = "validation metric")
    {
        if (!IsInteractive)
        {
            Console.WriteLine(title);
            return train(new SynchronousProgress(r => { if (verbose) Console.WriteLine("  " + EpochLine(r, metricName)); }));
        }

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: maxEpochs);
                result = train(new SynchronousProgress(r =>
                {
                    if (verbose) AnsiConsole.WriteLine("  " + EpochLine(r, metricName));
                    if (r.Phase == "train") task.Value = Math.Min(r.Epoch, maxEpochs);
                }));
                task.Value = task.MaxValue;   // early stopping ends before the budget
            });
        return result;
    }

    /// <summary>
    /// One epoch as a line, with the validation metric under its own name:
    /// "train epoch 3: loss 0.7588, validation loss 0.2942, validation micro-accuracy 0.9375, lr 0.000994, 0.21 s".
    /// </summary>
    public static string EpochLine(EpochRecord r, string metricName) =>
        $"{r.Phase} epoch {r.Epoch}: loss {r.TrainingLoss:F4}" +
        (r.ValidationLoss is { } v ? $", validation loss {v:F4}" : "") +
        (r.ValidationMetric is { } m ? $", {metricName} {m:F4}" : "") +
        $", lr {r.LearningRate:G3}, {r.Elapsed.TotalSeconds:F2} s";

    /// <summary>Prints a table with a header row, columns padded to their widest cell (numbers right-aligned).</summary>
    public static void WriteTable(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, header.Count).Select(c => all.Max(r => r[c].Length)).ToArray();
        for (int i = 0; i < all.Count; i++)
        {
            var cells = all[i].Select((cell, c) =>
                c > 0 && i > 0 && double.TryParse(cell.TrimEnd('s', '%'), out _) ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            Console.WriteLine("  " + string.Join("  ", cells).TrimEnd());
            if (i == 0) Console.WriteLine("  " + string.Join("  ", widths.Select(w => new string('-', w))));
        }
    }
}

/// <summary>
/// Reports on the training thread. <c>Progress&lt;T&gt;</c> would post to the thread pool, so lines could print out of order
/// or after training has returned.
/// </summary>
public sealed class SynchronousProgress(Action<EpochRecord> report) : IProgress<EpochRecord>
{
    /// <inheritdoc />
    public void Report(EpochRecord value) => report(value);
}
