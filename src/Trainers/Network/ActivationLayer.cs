using System.Numerics.Tensors;
using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Network;

/// <summary>
/// An element-wise non-linearity. Every derivative used here is written in terms of the output y,
/// so backward needs no saved pre-activation: ReLU' = [y &gt; 0], leaky ReLU' = 1 or 0.01,
/// tanh' = 1 − y², sigmoid' = y(1 − y), identity' = 1.
/// </summary>
internal sealed class ActivationLayer : Layer
{
    /// <summary>The slope of leaky ReLU for negative inputs.</summary>
    public const float LeakySlope = 0.01f;

    /// <summary>Creates the non-linearity for vectors of <paramref name="size"/> values.</summary>
    public ActivationLayer(int size, Activation function) : base(size, size) => Function = function;

    /// <summary>The function applied.</summary>
    public Activation Function { get; }

    /// <inheritdoc/>
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int batch, bool training, ref RandomStream random)
        => Apply(Function, x[..(batch * InputSize)], y[..(batch * InputSize)]);

    /// <summary>y = f(x) element-wise (x and y may be the same memory).</summary>
    public static void Apply(Activation function, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (function)
        {
            case Activation.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case Activation.LeakyRelu:
                for (int i = 0; i < x.Length; i++) { float v = x[i]; y[i] = v > 0 ? v : LeakySlope * v; }
                break;
            case Activation.Tanh: TensorPrimitives.Tanh(x, y); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case Activation.Identity: x.CopyTo(y); break;
            default: throw new ArgumentOutOfRangeException(nameof(function), function, null);
        }
    }

    /// <inheritdoc/>
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        if (dx.IsEmpty) return;
        int count = batch * InputSize;
        y = y[..count]; dy = dy[..count]; dx = dx[..count];
        switch (Function)
        {
            case Activation.Relu:
                for (int i = 0; i < count; i++) dx[i] = y[i] > 0 ? dy[i] : 0f;
                break;
            case Activation.LeakyRelu:
                for (int i = 0; i < count; i++) dx[i] = y[i] > 0 ? dy[i] : LeakySlope * dy[i];
                break;
            case Activation.Tanh:
                for (int i = 0; i < count; i++) dx[i] = dy[i] * (1f - y[i] * y[i]);
                break;
            case Activation.Sigmoid:
                for (int i = 0; i < count; i++) dx[i] = dy[i] * y[i] * (1f - y[i]);
                break;
            default:
                dy.CopyTo(dx);
                break;
        }
    }
}
