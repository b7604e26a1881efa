using System.Globalization;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// The <c>MLNETEXT_*</c> environment variables of the benchmark workflows (benchmarks/README.md). The library reads none of
/// them: this program reads them once at startup and sets the trainers' internal <see cref="DiagnosticSwitches"/>.
/// </summary>
internal static class DiagnosticVariables
{
    /// <summary>The variables that turn a switch off when set to "0", and the switch each sets.</summary>
    private static readonly (string Name, Action<bool> Set)[] OffSwitches =
    [
        ("MLNETEXT_PREFETCH", on => DiagnosticSwitches.Prefetch = on),
        ("MLNETEXT_SPARSE_INPUT", on => DiagnosticSwitches.SparseInput = on),
        ("MLNETEXT_SPARSE", on => DiagnosticSwitches.SparseKernels = on),
        ("MLNETEXT_SPARSE_TN", on => DiagnosticSwitches.SparseTransposed = on),
    ];

    /// <summary>Variables of earlier versions that nothing reads any more, and why (a note on stderr when one is set).</summary>
    private static readonly (string Name, string Why)[] Retired =
    [
        ("MLNETEXT_JIT_WARMUP", "the background JIT warm-up was removed (it made the first Fit slower on a shared 2-core AMD EPYC: benchmarks/README.md)"),
    ];

    /// <summary>The variable that sets all three density bounds of the zero-skipping paths.</summary>
    internal const string SparseMaxDensity = "MLNETEXT_SPARSE_MAX_DENSITY";

    /// <summary>Sets the switches from <paramref name="read"/> (the process environment by default); returns what it set, for the log.</summary>
    internal static List<string> Apply(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var applied = new List<string>();
        foreach (var (name, set) in OffSwitches)
        {
            if (read(name) is not { } value) continue;
            set(value != "0");
            applied.Add($"{name}={value}");
        }

        foreach (var (name, why) in Retired)
        {
            if (read(name) is not null) Console.Error.WriteLine($"{name} is ignored: {why}.");
        }

        if (read(SparseMaxDensity) is { } text)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !(d >= 0 && d <= 1))
            {
                throw new ArgumentException($"{SparseMaxDensity}='{text}' is not a density between 0 and 1.");
            }

            DiagnosticSwitches.SparseMaxDensity = DiagnosticSwitches.SparseMaxDensityPanels = DiagnosticSwitches.SparseMaxDensityPanelsAvx2 = d;
            applied.Add($"{SparseMaxDensity}={text}");
        }

        return applied;
    }
}
