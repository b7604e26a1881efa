using System.Runtime.Intrinsics;
using MlNetExtensions.Trainers.Kernels;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Every process-wide switch of the trainers, in one place: for tests, benchmarks and ablations only, never part of the
/// public behaviour. The library reads no environment variable; each switch starts at the constant (or, for
/// <see cref="ScatterWeightGradient"/>, machine-derived) default below and changes only when internal code sets it. The
/// benchmark program (<c>benchmarks/MlNetExtensions.Benchmarks</c>, which sees these internals) reads the
/// <c>MLNETEXT_*</c> variables named in each summary at startup and sets the switches from them.
/// Every setting gives the same bits except the density bounds, which only pick a kernel; none is meant to be changed
/// while a product or a training step runs.
/// </summary>
internal static class DiagnosticSwitches
{
    /// <summary>Default of <see cref="SparseMaxDensity"/>.</summary>
    internal const double DefaultSparseMaxDensity = 0.3;

    /// <summary>Default of <see cref="SparseMaxDensityPanels"/>.</summary>
    internal const double DefaultSparseMaxDensityPanels = 0.45;

    /// <summary>Default of <see cref="SparseMaxDensityPanelsAvx2"/>.</summary>
    internal const double DefaultSparseMaxDensityPanelsAvx2 = 0.5;

    /// <summary>
    /// Whether the next minibatch is gathered by a helper thread while the step runs; false gathers each inline
    /// (benchmark variable <c>MLNETEXT_PREFETCH=0</c>).
    /// </summary>
    internal static bool Prefetch { get; set; } = true;

    /// <summary>
    /// Whether training rows that are mostly zeros are also kept as lists of their non-zeros (<see cref="Training.SparseRows"/>)
    /// and fed to the first layer as such (benchmark variable <c>MLNETEXT_SPARSE_INPUT=0</c> turns it off). The same bits
    /// either way.
    /// </summary>
    internal static bool SparseInput { get; set; } = true;

    /// <summary>
    /// The GEMM's zero-skipping paths (sparse A); false forces the dense kernels and also turns off the products from lists
    /// (benchmark variable <c>MLNETEXT_SPARSE=0</c>).
    /// </summary>
    internal static bool SparseKernels { get; set; } = true;

    /// <summary>
    /// Whether transposed sparse A (the weight gradient xᵀ·dy) also takes the zero-skipping path (benchmark variable
    /// <c>MLNETEXT_SPARSE_TN=0</c> turns it off).
    /// </summary>
    internal static bool SparseTransposed { get; set; } = true;

    /// <summary>
    /// Whether small NN/TN products take the GEMM's unpacked AVX-512 path (<c>GemmDirect.cs</c>); false sends them to the
    /// packed kernels (the <c>steps</c> benchmark's <c>--direct off</c>). The same bits either way.
    /// </summary>
    internal static bool DirectKernels { get; set; } = true;

    /// <summary>
    /// A is treated as sparse when at most this fraction of its sampled values is non-zero (paths without a panel
    /// executor). Benchmark variable <c>MLNETEXT_SPARSE_MAX_DENSITY</c> sets this and both panel bounds.
    /// </summary>
    internal static double SparseMaxDensity { get; set; } = DefaultSparseMaxDensity;

    /// <summary>
    /// The same bound for the AVX-512 panel executor (m ≥ 16, n ≥ 32). On 128×64×128 (the reference net's second
    /// layer, 1 thread, <c>steps</c>) the panels beat the dense kernel up to about half non-zeros: NN 12.2 / 15.1 / 18.1 / 21.1 µs
    /// at density 0.2 / 0.3 / 0.4 / 0.5 against 26.3 µs dense, TN 14.1 / 17.1 / 20.6 / 24.2 against 25.0 µs.
    /// </summary>
    internal static double SparseMaxDensityPanels { get; set; } = DefaultSparseMaxDensityPanels;

    /// <summary>
    /// The same bound for the AVX2 panel executor (machines without AVX-512), from the crossover measured on the
    /// second layer's shape (Zen 3, 1 thread, <c>steps</c>): NN 21.7 / 28.4 / 35.9 / 39.6 / 47.5 µs at density
    /// 0.2 / 0.3 / 0.4 / 0.5 / 0.6 against 44–46 µs dense, TN 26.1 / 32.5 / 39.4 / 44.7 / 54.1 against 47–48 µs.
    /// </summary>
    internal static double SparseMaxDensityPanelsAvx2 { get; set; } = DefaultSparseMaxDensityPanelsAvx2;

    /// <summary>
    /// Whether a lists product into 128 columns runs on the wide executor (true; the panel executor otherwise). Changed
    /// only between products (benchmark <c>train --ab wide-lists</c>).
    /// </summary>
    internal static bool WideLists { get; set; } = true;

    /// <summary>
    /// Whether the sparse first layer's backward pass scatters the row lists into the weight gradient or runs the product
    /// from the column lists (sorted per minibatch, by the gather's thread when <see cref="Training.BatchGather"/> sees
    /// this false). The same bits either way. Scattering where the AVX-512 kernels run: eight zmm loads, adds and stores
    /// per entry (reference layer, 2 threads: 61 µs, against 65 µs from the columns plus 86–104 µs to sort them on the
    /// other core; fresh-process Fits 0.95–1.25 s against 1.08–1.23 s, medians 1.06 / 1.20). Not on AVX2, where an entry
    /// takes sixteen ymm of each (139–173 µs against 88 µs plus 77 µs for the sort; epochs 50.2 against 41.4 ms, medians
    /// of six alternated Fits). Benchmark <c>train --ab scatter-wgrad</c>.
    /// </summary>
    internal static bool ScatterWeightGradient { get; set; } = DefaultScatterWeightGradient;

    /// <summary>Default of <see cref="ScatterWeightGradient"/>: where the AVX-512 kernels run.</summary>
    internal static bool DefaultScatterWeightGradient => Gemm.BestPath == GemmPath.Avx512 && Vector512.IsHardwareAccelerated;

    /// <summary>Puts every switch back to its default (for tests).</summary>
    internal static void Reset()
    {
        Prefetch = SparseInput = SparseKernels = SparseTransposed = WideLists = true;
        SparseMaxDensity = DefaultSparseMaxDensity;
        SparseMaxDensityPanels = DefaultSparseMaxDensityPanels;
        SparseMaxDensityPanelsAvx2 = DefaultSparseMaxDensityPanelsAvx2;
        ScatterWeightGradient = DefaultScatterWeightGradient;
    }
}
