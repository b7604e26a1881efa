using MlNetExtensions.Benchmarks;

// Subcommand dispatcher. To add a benchmark (training, scoring, augmentation, ...), write a class
// implementing IBenchmark in its own file and add one line to this list.
IBenchmark[] benchmarks =
[
    new GemmBenchmark(),
    new TrainBenchmark(),
    new ScoreBenchmark(),
    new StepProfileBenchmark(),
    new TabularBenchmark(),
    new MultiOutputBenchmark(),
];

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: MlNetExtensions.Benchmarks <subcommand> [options]");
    foreach (IBenchmark b in benchmarks)
    {
        Console.WriteLine($"  {b.Name,-12} {b.Description}");
    }

    return args.Length == 0 ? 1 : 0;
}

// The diagnostic MLNETEXT_* variables (benchmarks/README.md) are read here, not by the library.
List<string> diagnostics;
try
{
    diagnostics = DiagnosticVariables.Apply();
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (diagnostics.Count > 0)
{
    Console.Error.WriteLine($"diagnostic switches: {string.Join(", ", diagnostics)}");
}

IBenchmark? selected = Array.Find(benchmarks, b => string.Equals(b.Name, args[0], StringComparison.OrdinalIgnoreCase));
if (selected is null)
{
    Console.Error.WriteLine($"unknown subcommand '{args[0]}'; run with --help for the list.");
    return 2;
}

return selected.Run(args[1..]);
