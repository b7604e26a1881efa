using System.Runtime.CompilerServices;
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
    public DenseLayer(int inputSize, int outputSize, string name) : base(inputSize, outputSize)
    {
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
        var bias = Bias.Value.AsSpan();
        for (int r = 0; r < batch; r++) bias.CopyTo(y.Slice(r * n, n));
        Gemm.Multiply(Transpose.No, Transpose.No, batch, n, InputSize, x, InputSize, Weights.Value, n, y, n,
            accumulate: true, maxThreads: MaxThreads);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        int n = OutputSize, m = InputSize;
        Gemm.Multiply(Transpose.Yes, Transpose.No, m, n, batch, x, m, dy, n, Weights.Gradient, n, maxThreads: MaxThreads);
        var db = Bias.Gradient.AsSpan();
        db.Clear();
        for (int r = 0; r < batch; r++)
            System.Numerics.Tensors.TensorPrimitives.Add(db, dy.Slice(r * n, n), db);
        if (!dx.IsEmpty)
            Gemm.Multiply(Transpose.No, Transpose.Yes, batch, m, n, dy, n, Weights.Value, n, dx, m, maxThreads: MaxThreads);
    }
}
