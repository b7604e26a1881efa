using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Parameter-norm penalties and constraints, applied to connection weights only (never to biases or
/// batch-normalization parameters): L2 adds ½λ₂‖w‖² to the loss (gradient λ₂w), L1 adds λ₁‖w‖₁
/// (subgradient λ₁·sign(w)); gradient clipping rescales the whole gradient when its norm exceeds c;
/// max-norm rescales each unit's incoming weight vector whose norm exceeds c after the step.
/// </summary>
internal static class Penalties
{
    /// <summary>g ← g + λ₂w + λ₁sign(w) for each weight tensor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public static void AddPenaltyGradients(IReadOnlyList<Parameter> weights, float l1, float l2)
    {
        if (l1 == 0f && l2 == 0f) return;
        for (int k = 0; k < weights.Count; k++) // indexed: a foreach over the interface would allocate an enumerator per step
        {
            var p = weights[k];
            var w = p.Value; var g = p.Gradient;
            if (l2 != 0f) AddScaled(w, l2, g);
            if (l1 != 0f)
                for (int i = 0; i < w.Length; i++) g[i] += l1 * MathF.Sign(w[i]);
        }
    }

    /// <summary>
    /// g ← w·λ + g element-wise (a product, then a sum: not fused), the bits of <c>TensorPrimitives.MultiplyAdd(w, λ, g, g)</c>,
    /// written out so that it runs fully optimized from the first step: the library's generic code ran at tier 0 for the
    /// whole of a small set's Fit (the JIT promotes a method only after a quiet 100 ms), which took about half of it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddScaled(ReadOnlySpan<float> w, float scale, Span<float> g)
    {
        if (g.Length < w.Length) throw new ArgumentException("Gradient shorter than the weights.", nameof(g));
        int i = 0, count = w.Length;
        ref float wr = ref MemoryMarshal.GetReference(w), gr = ref MemoryMarshal.GetReference(g);
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16)
                (Vector512.LoadUnsafe(ref wr, (nuint)i) * scale + Vector512.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref gr, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8)
                (Vector256.LoadUnsafe(ref wr, (nuint)i) * scale + Vector256.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref gr, (nuint)i);
        for (; i < count; i++) g[i] = w[i] * scale + g[i];
    }

    /// <summary>The penalty term ½λ₂‖w‖² + λ₁‖w‖₁ over <paramref name="weights"/>.</summary>
    public static double PenaltyValue(IReadOnlyList<Parameter> weights, float l1, float l2)
    {
        double total = 0;
        foreach (var p in weights)
        {
            if (l2 != 0f) total += 0.5 * l2 * TensorPrimitives.Dot(p.Value, p.Value);
            if (l1 != 0f) total += l1 * TensorPrimitives.SumOfMagnitudes(p.Value);
        }
        return total;
    }

    /// <summary>If ‖g‖₂ over all parameters exceeds <paramref name="maxNorm"/>, scales every gradient by maxNorm/‖g‖₂.</summary>
    public static void ClipGlobalNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        double sq = 0;
        for (int k = 0; k < parameters.Count; k++) sq += TensorPrimitives.Dot(parameters[k].Gradient, parameters[k].Gradient);
        double norm = Math.Sqrt(sq);
        if (norm <= maxNorm || norm == 0) return;
        float scale = (float)(maxNorm / norm);
        for (int k = 0; k < parameters.Count; k++) TensorPrimitives.Multiply(parameters[k].Gradient, scale, parameters[k].Gradient);
    }

    /// <summary>Rescales every dense unit's incoming weights (a column of W) to norm at most <paramref name="maxNorm"/>.</summary>
    public static void ApplyMaxNorm(MultilayerPerceptron network, float maxNorm)
    {
        foreach (var layer in network.Layers) // an array: no enumerator allocated per step
        {
            if (layer is not DenseLayer dense) continue;
            var w = dense.Weights.Value;
            int rows = dense.InputSize, cols = dense.OutputSize;
            for (int j = 0; j < cols; j++)
            {
                double sq = 0;
                for (int i = 0; i < rows; i++) { float v = w[i * cols + j]; sq += v * v; }
                double norm = Math.Sqrt(sq);
                if (norm <= maxNorm) continue;
                float scale = (float)(maxNorm / norm);
                for (int i = 0; i < rows; i++) w[i * cols + j] *= scale;
            }
        }
    }
}
