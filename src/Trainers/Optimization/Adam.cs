using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// Adam (<i>Deep Learning</i>, Algorithm 8.7):
/// t ← t + 1; s ← ρ1 s + (1 − ρ1)g; r ← ρ2 r + (1 − ρ2)g⊙g; ŝ = s/(1 − ρ1^t); r̂ = r/(1 − ρ2^t);
/// Δθ = −ε ŝ/(√r̂ + δ); θ ← θ + Δθ.
/// </summary>
/// <remarks>
/// The bias corrections undo the pull of the zero-initialized moments towards zero: at t = 1,
/// ŝ = g and r̂ = g⊙g, so every coordinate moves by about ε. The step t is the optimizer's
/// <see cref="Optimizer.StepCount"/>, shared by all parameters.
/// </remarks>
internal class Adam : Optimizer
{
    /// <summary>The lecture's default learning rate ε.</summary>
    public const float DefaultLearningRate = 0.001f;

    /// <summary>The default decay rate ρ1 of the first-moment estimate.</summary>
    public const float DefaultBeta1 = 0.9f;

    /// <summary>The default decay rate ρ2 of the second-moment estimate.</summary>
    public const float DefaultBeta2 = 0.999f;

    /// <summary>The default δ added to √r̂.</summary>
    public const float DefaultDelta = 1e-8f;

    private const int FirstMoment = 0;
    private const int SecondMoment = 1;

    /// <summary>Creates the rule with moment decay rates ρ1, ρ2 ∈ [0, 1) and stabilizer δ &gt; 0.</summary>
    public Adam(float beta1 = DefaultBeta1, float beta2 = DefaultBeta2, float delta = DefaultDelta)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Delta = delta;
    }

    /// <summary>The decay rate ρ1 of the first-moment estimate s.</summary>
    public float Beta1 { get; }

    /// <summary>The decay rate ρ2 of the second-moment estimate r.</summary>
    public float Beta2 { get; }

    /// <summary>The small constant δ added to √r̂.</summary>
    public float Delta { get; }

    /// <inheritdoc/>
    protected override int StateBuffers => 2;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    protected override void Update(Span<float> theta, ReadOnlySpan<float> gradient, float[][] state, bool isWeight)
    {
        float epsilon = LearningRate;
        float[] s = state[FirstMoment];
        float[] r = state[SecondMoment];
        long t = StepCount; // t ← t + 1 was done by Step
        float correction1 = (float)(1.0 - Math.Pow(Beta1, t));
        float correction2 = (float)(1.0 - Math.Pow(Beta2, t));
        int i = 0;
        if (Vector512.IsHardwareAccelerated && theta.Length >= Vector512<float>.Count)
        {
            // The same operations in the same order per coordinate as the scalar loop below (no fused
            // multiply-add), 16 coordinates at a time: bit-identical results, half the divide instructions of 256-bit vectors.
            var rho1 = Vector512.Create(Beta1); var oneMinusRho1 = Vector512.Create(1f - Beta1);
            var rho2 = Vector512.Create(Beta2); var oneMinusRho2 = Vector512.Create(1f - Beta2);
            var c1 = Vector512.Create(correction1); var c2 = Vector512.Create(correction2);
            var eps = Vector512.Create(epsilon); var delta = Vector512.Create(Delta);
            ref float thetaR = ref MemoryMarshal.GetReference(theta), gR = ref MemoryMarshal.GetReference(gradient);
            ref float sR = ref MemoryMarshal.GetArrayDataReference(s), rR = ref MemoryMarshal.GetArrayDataReference(r);
            for (; i + Vector512<float>.Count <= theta.Length; i += Vector512<float>.Count)
            {
                nuint at = (nuint)i;
                var g = Vector512.LoadUnsafe(ref gR, at);
                var sv = rho1 * Vector512.LoadUnsafe(ref sR, at) + oneMinusRho1 * g;     // s ← ρ1 s + (1 − ρ1)g
                var rv = rho2 * Vector512.LoadUnsafe(ref rR, at) + oneMinusRho2 * g * g; // r ← ρ2 r + (1 − ρ2)g⊙g
                sv.StoreUnsafe(ref sR, at);
                rv.StoreUnsafe(ref rR, at);
                var sHat = sv / c1;                                                       // ŝ = s/(1 − ρ1^t)
                var rHat = rv / c2;                                                       // r̂ = r/(1 − ρ2^t)
                (Vector512.LoadUnsafe(ref thetaR, at) - eps * sHat / (Vector512.Sqrt(rHat) + delta)).StoreUnsafe(ref thetaR, at); // θ ← θ − ε ŝ/(√r̂ + δ)
            }
        }
        else if (Vector.IsHardwareAccelerated && theta.Length >= Vector<float>.Count)
        {
            // The same operations in the same order per coordinate as the scalar loop below (no fused
            // multiply-add), Vector<float>.Count coordinates at a time: bit-identical results.
            var rho1 = new Vector<float>(Beta1); var oneMinusRho1 = new Vector<float>(1f - Beta1);
            var rho2 = new Vector<float>(Beta2); var oneMinusRho2 = new Vector<float>(1f - Beta2);
            var c1 = new Vector<float>(correction1); var c2 = new Vector<float>(correction2);
            var eps = new Vector<float>(epsilon); var delta = new Vector<float>(Delta);
            var thetaV = MemoryMarshal.Cast<float, Vector<float>>(theta);
            var gV = MemoryMarshal.Cast<float, Vector<float>>(gradient);
            var sV = MemoryMarshal.Cast<float, Vector<float>>(s.AsSpan(0, theta.Length));
            var rV = MemoryMarshal.Cast<float, Vector<float>>(r.AsSpan(0, theta.Length));
            for (int v = 0; v < thetaV.Length; v++)
            {
                var g = gV[v];
                var sv = rho1 * sV[v] + oneMinusRho1 * g;      // s ← ρ1 s + (1 − ρ1)g
                var rv = rho2 * rV[v] + oneMinusRho2 * g * g;  // r ← ρ2 r + (1 − ρ2)g⊙g
                sV[v] = sv;
                rV[v] = rv;
                var sHat = sv / c1;                            // ŝ = s/(1 − ρ1^t)
                var rHat = rv / c2;                            // r̂ = r/(1 − ρ2^t)
                thetaV[v] -= eps * sHat / (Vector.SquareRoot(rHat) + delta); // θ ← θ − ε ŝ/(√r̂ + δ)
            }

            i = thetaV.Length * Vector<float>.Count;
        }

        for (; i < theta.Length; i++)
        {
            float g = gradient[i];
            s[i] = Beta1 * s[i] + (1f - Beta1) * g;     // s ← ρ1 s + (1 − ρ1)g
            r[i] = Beta2 * r[i] + (1f - Beta2) * g * g; // r ← ρ2 r + (1 − ρ2)g⊙g
            float sHat = s[i] / correction1;            // ŝ = s/(1 − ρ1^t)
            float rHat = r[i] / correction2;            // r̂ = r/(1 − ρ2^t)
            theta[i] -= epsilon * sHat / (MathF.Sqrt(rHat) + Delta); // θ ← θ − ε ŝ/(√r̂ + δ)
        }
    }
}
