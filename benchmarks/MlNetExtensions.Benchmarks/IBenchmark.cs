namespace MlNetExtensions.Benchmarks;

/// <summary>One benchmark subcommand of the console app (<c>dotnet run -- &lt;name&gt; [options]</c>).</summary>
internal interface IBenchmark
{
    /// <summary>The subcommand name, e.g. <c>gemm</c>.</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Description { get; }

    /// <summary>Runs the benchmark with the arguments after the subcommand; returns the process exit code.</summary>
    /// <param name="args">Arguments following the subcommand name.</param>
    /// <returns>0 on success.</returns>
    int Run(string[] args);
}
