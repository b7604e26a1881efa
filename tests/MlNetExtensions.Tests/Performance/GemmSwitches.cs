namespace MlNetExtensions.Tests.Performance;

/// <summary>
/// Tests that flip the GEMM's process-wide switches (e.g. <c>DiagnosticSwitches.SparseKernels</c>) and tests that would see the flip
/// (a step that must allocate nothing would grow the dense path's buffers) run in this collection, one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class GemmSwitches
{
    /// <summary>The collection's name.</summary>
    public const string Name = "GEMM switches";
}
