using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers.Kernels;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Trainers.Network;

/// <summary>
/// A fully connected layer y = xW + b, with W stored row-major as [fanIn × fanOut] (column j holds
/// the incoming weights of unit j).
/// Backward: dW = xᵀ·dy, db = Σ_rows dy, dx = dy·Wᵀ.
/// </summary>
internal sealed class DenseLayer : Layer
{
    /// <summary>Creates a layer with zero weights and biases.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The weight matrix has more values than one array can hold.</exception>
    public DenseLayer(int inputSize, int outputSize, string name) : base(inputSize, outputSize)
    {
        if ((long)inputSize * outputSize > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(outputSize),
                $"Layer {name}: {inputSize:N0} × {outputSize:N0} weights are more than one array can hold ({Array.MaxLength:N0}).");
        Weights = new Parameter(name + ".weights", inputSize * outputSize, isWeight: true);
        Bias = new Parameter(name + ".bias", outputSize, isWeight: false);
        _parameters = new[] { Weights, Bias };
    }

    private readonly Parameter[] _parameters;

    /// <summary>W, [InputSize × OutputSize].</summary>
    public Parameter Weights { get; }

    /// <summary>b, [OutputSize].</summary>
    public Parameter Bias { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int batch, bool training, ref RandomStream random)
    {
        int n = OutputSize;
        var bias = Bias.Value;
        for (int r = 0; r < batch; r++) bias.CopyTo(y.Slice(r * n, n));
        Gemm.Multiply(Transpose.No, Transpose.No, batch, n, InputSize, x, InputSize, Weights.Value, n, y, n,
            accumulate: true, maxThreads: MaxThreads);
    }

    /// <summary>
    /// <see cref="Forward"/> on an input minibatch given as lists of its non-zeros (the network's first layer on sparse
    /// rows): the same bits as on the dense rows the lists describe.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public void ForwardSparse(SparseBatch x, Span<float> y, int batch)
    {
        if (x.Rows != batch || x.Cols != InputSize) throw new ArgumentException($"The sparse batch is {x.Rows}×{x.Cols}; this layer reads {batch}×{InputSize}.", nameof(x));
        int n = OutputSize;
        var bias = Bias.Value;
        for (int r = 0; r < batch; r++) bias.CopyTo(y.Slice(r * n, n));
        Gemm.MultiplySparse(x.ByRow, n, Weights.Value, n, y, n, accumulate: true, maxThreads: MaxThreads);
    }

    /// <summary>
    /// <see cref="Backward"/> for <see cref="ForwardSparse"/>: the weight gradient xᵀ·dy from x's column lists and the bias
    /// gradient; no input gradient (nothing before the first layer learns).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public void BackwardSparse(SparseBatch x, ReadOnlySpan<float> dy, int batch)
    {
        if (x.Rows != batch || x.Cols != InputSize) throw new ArgumentException($"The sparse batch is {x.Rows}×{x.Cols}; this layer reads {batch}×{InputSize}.", nameof(x));
        int n = OutputSize;
        // dW = xᵀ·dy by scattering each row's entries (the same bits as from the column lists, without sorting by column).
        if (DiagnosticSwitches.ScatterWeightGradient) Gemm.MultiplySparseTransposed(x.ByRow, n, dy, n, Weights.Gradient, n, MaxThreads);
        else Gemm.MultiplySparse(x.ByColumn, n, dy, n, Weights.Gradient, n, maxThreads: MaxThreads);
        SumRows(dy, batch, n, Bias.Gradient);
    }

    /// <summary>db[j] = ((0 + dy[0, j]) + dy[1, j]) + … + dy[batch − 1, j]: the bias gradient, each column summed in row order
    /// (the order of the row-by-row adds it replaces, so the same bits) in a register, fully optimized from the first batch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void SumRows(ReadOnlySpan<float> dy, int batch, int n, Span<float> db)
    {
        if (dy.Length < batch * n || db.Length < n) throw new ArgumentException("Spans shorter than batch × n.");
        ref float d = ref MemoryMarshal.GetReference(dy);
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + 16 <= n; j += 16)
            {
                var acc = Vector512<float>.Zero;
                for (int r = 0; r < batch; r++) acc += Vector512.LoadUnsafe(ref d, (nuint)(r * n + j));
                acc.StoreUnsafe(ref MemoryMarshal.GetReference(db), (nuint)j);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; j + 8 <= n; j += 8)
            {
                var acc = Vector256<float>.Zero;
                for (int r = 0; r < batch; r++) acc += Vector256.LoadUnsafe(ref d, (nuint)(r * n + j));
                acc.StoreUnsafe(ref MemoryMarshal.GetReference(db), (nuint)j);
            }
        for (; j < n; j++)
        {
            float acc = 0f;
            for (int r = 0; r < batch; r++) acc += dy[r * n + j];
            db[j] = acc;
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        int n = OutputSize, m = InputSize;
        Gemm.Multiply(Transpose.Yes, Transpose.No, m, n, batch, x, m, dy, n, Weights.Gradient, n, maxThreads: MaxThreads);
        SumRows(dy, batch, n, Bias.Gradient);
        if (!dx.IsEmpty)
            Gemm.Multiply(Transpose.No, Transpose.Yes, batch, m, n, dy, n, Weights.Value, n, dx, m, maxThreads: MaxThreads);
    }
}
