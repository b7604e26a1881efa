using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int batch, bool training, ref RandomStream random)
        => Apply(Function, x[..(batch * InputSize)], y[..(batch * InputSize)]);

    /// <summary>y = f(x) element-wise (x and y may be the same memory).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public static void Apply(Activation function, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (function)
        {
            case Activation.Relu: ReluForward(x, y); break;
            case Activation.LeakyRelu: LeakyReluForward(x, y); break;
            case Activation.Tanh: TensorPrimitives.Tanh(x, y); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case Activation.Identity: x.CopyTo(y); break;
            default: throw new ArgumentOutOfRangeException(nameof(function), function, null);
        }
    }

    /// <summary>y = max(x, 0) element-wise with <see cref="float.Max(float, float)"/>'s semantics (NaN propagates), the
    /// values <c>TensorPrimitives.Max(x, 0f, y)</c> gives, written out so that it runs fully optimized from the first batch
    /// (the generic TensorPrimitives code ran at tier 0 through epoch 1).</summary>
    internal static void ReluForward(ReadOnlySpan<float> x, Span<float> y) => MaxForward<ZeroFloor>(x, y);

    /// <summary>
    /// y = x &gt; 0 ? x : 0.01·x element-wise, computed without a branch as max(x, 0.01·x): the same bits for every x (a
    /// negative x or −0 gives 0.01·x, which is the larger; a positive x or +0 gives x; NaN stays NaN). The branch of the
    /// scalar rule mispredicts on about half the values of a hidden layer, which made leaky ReLU's small-set Fit about
    /// twice ReLU's.
    /// </summary>
    internal static void LeakyReluForward(ReadOnlySpan<float> x, Span<float> y) => MaxForward<LeakyFloor>(x, y);

    /// <summary>What max(x, ·) compares x with: ReLU's 0, leaky ReLU's 0.01·x.</summary>
    private interface IFloor
    {
        static abstract Vector512<float> Of(Vector512<float> x);
        static abstract Vector256<float> Of(Vector256<float> x);
        static abstract float Of(float x);
    }

    private readonly struct ZeroFloor : IFloor
    {
        public static Vector512<float> Of(Vector512<float> x) => Vector512<float>.Zero;
        public static Vector256<float> Of(Vector256<float> x) => Vector256<float>.Zero;
        public static float Of(float x) => 0f;
    }

    private readonly struct LeakyFloor : IFloor
    {
        public static Vector512<float> Of(Vector512<float> x) => x * LeakySlope;
        public static Vector256<float> Of(Vector256<float> x) => x * LeakySlope;
        public static float Of(float x) => LeakySlope * x;
    }

    /// <summary>y = max(x, F(x)) element-wise (x and y may be the same memory); the struct type parameter makes one
    /// specialized, fully optimized loop per floor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxForward<TFloor>(ReadOnlySpan<float> x, Span<float> y) where TFloor : struct, IFloor
    {
        int i = 0, count = x.Length;
        if (y.Length < count) throw new ArgumentException("Output shorter than input.", nameof(y));
        ref float xr = ref MemoryMarshal.GetReference(x), yr = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16)
            {
                var v = Vector512.LoadUnsafe(ref xr, (nuint)i);
                Vector512.Max(v, TFloor.Of(v)).StoreUnsafe(ref yr, (nuint)i);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref xr, (nuint)i);
                Vector256.Max(v, TFloor.Of(v)).StoreUnsafe(ref yr, (nuint)i);
            }
        for (; i < count; i++) y[i] = float.Max(x[i], TFloor.Of(x[i]));
    }

    /// <summary>dx = y &gt; 0 ? dy : 0.01·dy element-wise (vectorized select: the same values as the scalar rule).</summary>
    internal static void LeakyReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Derivative<LeakyReluRule>(y, dy, dx);

    /// <summary>dx = dy·(1 − y·y) element-wise, the same operations in the same order (so the same bits) in every lane.</summary>
    internal static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Derivative<TanhRule>(y, dy, dx);

    /// <summary>dx = (dy·y)·(1 − y) element-wise, the same operations in the same order (so the same bits) in every lane.</summary>
    internal static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Derivative<SigmoidRule>(y, dy, dx);

    /// <summary>dx = y &gt; 0 ? dy : 0 element-wise (vectorized mask: the same values as the scalar rule).</summary>
    internal static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Derivative<ReluRule>(y, dy, dx);

    /// <summary>A derivative written in terms of the output: dx from y and dy, in a zmm, a ymm and a scalar lane.</summary>
    private interface IDerivativeRule
    {
        static abstract Vector512<float> Of(Vector512<float> y, Vector512<float> dy);
        static abstract Vector256<float> Of(Vector256<float> y, Vector256<float> dy);
        static abstract float Of(float y, float dy);
    }

    private readonly struct ReluRule : IDerivativeRule
    {
        public static Vector512<float> Of(Vector512<float> y, Vector512<float> dy) => Vector512.BitwiseAnd(Vector512.GreaterThan(y, Vector512<float>.Zero), dy);
        public static Vector256<float> Of(Vector256<float> y, Vector256<float> dy) => Vector256.BitwiseAnd(Vector256.GreaterThan(y, Vector256<float>.Zero), dy);
        public static float Of(float y, float dy) => y > 0 ? dy : 0f;
    }

    private readonly struct LeakyReluRule : IDerivativeRule
    {
        public static Vector512<float> Of(Vector512<float> y, Vector512<float> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(y, Vector512<float>.Zero), dy, dy * LeakySlope);
        public static Vector256<float> Of(Vector256<float> y, Vector256<float> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), dy, dy * LeakySlope);
        public static float Of(float y, float dy) => y > 0 ? dy : LeakySlope * dy;
    }

    private readonly struct TanhRule : IDerivativeRule
    {
        public static Vector512<float> Of(Vector512<float> y, Vector512<float> dy) => dy * (Vector512<float>.One - y * y);
        public static Vector256<float> Of(Vector256<float> y, Vector256<float> dy) => dy * (Vector256<float>.One - y * y);
        public static float Of(float y, float dy) => dy * (1f - y * y);
    }

    private readonly struct SigmoidRule : IDerivativeRule
    {
        public static Vector512<float> Of(Vector512<float> y, Vector512<float> dy) => dy * y * (Vector512<float>.One - y);
        public static Vector256<float> Of(Vector256<float> y, Vector256<float> dy) => dy * y * (Vector256<float>.One - y);
        public static float Of(float y, float dy) => dy * y * (1f - y);
    }

    /// <summary>dx = rule(y, dy) element-wise; one specialized, fully optimized loop per rule (a struct type parameter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static void Derivative<TRule>(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) where TRule : struct, IDerivativeRule
    {
        int i = 0, count = y.Length;
        ref float yr = ref MemoryMarshal.GetReference(y), dyr = ref MemoryMarshal.GetReference(dy), dxr = ref MemoryMarshal.GetReference(dx);
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16)
                TRule.Of(Vector512.LoadUnsafe(ref yr, (nuint)i), Vector512.LoadUnsafe(ref dyr, (nuint)i)).StoreUnsafe(ref dxr, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8)
                TRule.Of(Vector256.LoadUnsafe(ref yr, (nuint)i), Vector256.LoadUnsafe(ref dyr, (nuint)i)).StoreUnsafe(ref dxr, (nuint)i);
        for (; i < count; i++) dx[i] = TRule.Of(y[i], dy[i]);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        if (dx.IsEmpty) return;
        int count = batch * InputSize;
        y = y[..count]; dy = dy[..count]; dx = dx[..count];
        switch (Function)
        {
            case Activation.Relu:
                ReluBackward(y, dy, dx);
                break;
            case Activation.LeakyRelu:
                LeakyReluBackward(y, dy, dx);
                break;
            case Activation.Tanh:
                TanhBackward(y, dy, dx);
                break;
            case Activation.Sigmoid:
                SigmoidBackward(y, dy, dx);
                break;
            default:
                dy.CopyTo(dx);
                break;
        }
    }
}
