using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using MlNetExtensions.Trainers.Kernels;

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
/// <para>
/// The update is computed as Δθ = −(ε/(1 − ρ1^t))·s / (√r·(1/√(1 − ρ2^t)) + δ), the box's ε ŝ/(√r̂ + δ) with the two
/// per-step constants folded out of the per-coordinate work (one square root and one division per coordinate instead
/// of three divisions and a square root; the divider is the bottleneck of this loop on CPUs without AVX-512). It
/// differs from the literal box by rounding only (a few units in the last place).
/// </para>
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
    protected override void Update(Span<float> theta, ReadOnlySpan<float> gradient, Kernels.AlignedFloats[] state, bool isWeight)
    {
        long t = StepCount; // t ← t + 1 was done by Step
        var args = new Arguments
        {
            Rho1 = Beta1, Rho2 = Beta2, Delta = Delta,
            StepSize = (float)(LearningRate / (1.0 - Math.Pow(Beta1, t))),       // ε/(1 − ρ1^t)
            InvSqrtCorrection2 = (float)(1.0 / Math.Sqrt(1.0 - Math.Pow(Beta2, t))), // 1/√(1 − ρ2^t)
        };
        unsafe
        {
            fixed (float* th = theta, g = gradient, s = state[FirstMoment].Span, r = state[SecondMoment].Span)
            {
                args.Theta = th; args.Gradient = g; args.S = s; args.R = r;
                if (MaxThreads > 1 && theta.Length >= ParallelMinLength)
                {
                    // Element-wise: the same arithmetic per coordinate whichever thread runs it.
                    HelperThread.RunSplit(&UpdateRange, &args, theta.Length);
                }
                else
                {
                    UpdateRange(&args, 0, theta.Length);
                }
            }
        }
    }

    /// <summary>Tensors at least this long are updated on two threads when <see cref="Optimizer.MaxThreads"/> allows.</summary>
    private const int ParallelMinLength = 32_768;

    /// <summary>
    /// First moments below <see cref="Optimizer.StateFloor"/> are set to zero. On the reference workload 1–1.4 % of the first
    /// layer's moments were subnormal from epoch 15 (rarely lit pixels), and an Adam pass over 100,352 moments took 52 µs
    /// with normal values against 413–987 µs with subnormal ones on an Intel Xeon. The floored s moves θ by at most
    /// ε·2⁻¹⁰⁰/((1 − ρ1^t)·δ): with the defaults (ε = 1e-3, δ = 1e-8) about 1e-24 in the first steps and 1e-25 later, less
    /// than half an ulp of any weight above about 1e-17 in magnitude, so such weights come out bit for bit as without the
    /// floor (tested); a weight that is exactly 0 (sparse initialization) may stay 0 instead of moving by that much. A δ many
    /// orders below the default, with gradients that stay below 2⁻¹⁰⁰, would make the difference visible.
    /// </summary>
    private const float FirstMomentFloor = StateFloor;

    private unsafe struct Arguments
    {
        public float* Theta, Gradient, S, R;
        public float Rho1, Rho2, Delta, StepSize, InvSqrtCorrection2;
    }

    /// <summary>The algorithm box over coordinates [from, to).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static unsafe void UpdateRange(void* context, int from, int to)
    {
        ref Arguments a = ref *(Arguments*)context;
        float* theta = a.Theta, gradient = a.Gradient, s = a.S, r = a.R;
        float rho1 = a.Rho1, rho2 = a.Rho2, delta = a.Delta;
        float stepSize = a.StepSize, invSqrtC2 = a.InvSqrtCorrection2;
        int i = from;
        if (Vector512.IsHardwareAccelerated)
        {
            // The same operations in the same order per coordinate as the scalar loop below (no fused
            // multiply-add), 16 coordinates at a time: bit-identical results.
            var rho1V = Vector512.Create(rho1); var oneMinusRho1 = Vector512.Create(1f - rho1);
            var rho2V = Vector512.Create(rho2); var oneMinusRho2 = Vector512.Create(1f - rho2);
            var step = Vector512.Create(stepSize); var invC2 = Vector512.Create(invSqrtC2); var deltaV = Vector512.Create(delta);
            var floor = Vector512.Create(FirstMomentFloor);
            for (; i + 16 <= to; i += 16)
            {
                var g = Vector512.Load(gradient + i);
                var sv = rho1V * Vector512.Load(s + i) + oneMinusRho1 * g;      // s ← ρ1 s + (1 − ρ1)g
                sv = Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(sv), floor), Vector512<float>.Zero, sv);
                var rv = rho2V * Vector512.Load(r + i) + oneMinusRho2 * g * g;  // r ← ρ2 r + (1 − ρ2)g⊙g
                sv.Store(s + i);
                rv.Store(r + i);
                // θ ← θ − ε ŝ/(√r̂ + δ), as (ε/(1 − ρ1^t))·s / (√r·(1/√(1 − ρ2^t)) + δ)
                (Vector512.Load(theta + i) - step * sv / (Vector512.Sqrt(rv) * invC2 + deltaV)).Store(theta + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // The same, 8 coordinates at a time.
            var rho1V = Vector256.Create(rho1); var oneMinusRho1 = Vector256.Create(1f - rho1);
            var rho2V = Vector256.Create(rho2); var oneMinusRho2 = Vector256.Create(1f - rho2);
            var step = Vector256.Create(stepSize); var invC2 = Vector256.Create(invSqrtC2); var deltaV = Vector256.Create(delta);
            var floor = Vector256.Create(FirstMomentFloor);
            for (; i + 8 <= to; i += 8)
            {
                var g = Vector256.Load(gradient + i);
                var sv = rho1V * Vector256.Load(s + i) + oneMinusRho1 * g;      // s ← ρ1 s + (1 − ρ1)g
                sv = Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(sv), floor), Vector256<float>.Zero, sv);
                var rv = rho2V * Vector256.Load(r + i) + oneMinusRho2 * g * g;  // r ← ρ2 r + (1 − ρ2)g⊙g
                sv.Store(s + i);
                rv.Store(r + i);
                // θ ← θ − ε ŝ/(√r̂ + δ), as (ε/(1 − ρ1^t))·s / (√r·(1/√(1 − ρ2^t)) + δ)
                (Vector256.Load(theta + i) - step * sv / (Vector256.Sqrt(rv) * invC2 + deltaV)).Store(theta + i);
            }
        }

        for (; i < to; i++)
        {
            float g = gradient[i];
            float si = rho1 * s[i] + (1f - rho1) * g; // s ← ρ1 s + (1 − ρ1)g
            s[i] = Floored(si);
            r[i] = rho2 * r[i] + (1f - rho2) * g * g; // r ← ρ2 r + (1 − ρ2)g⊙g
            // θ ← θ − ε ŝ/(√r̂ + δ) with ŝ = s/(1 − ρ1^t), r̂ = r/(1 − ρ2^t), as (ε/(1 − ρ1^t))·s / (√r·(1/√(1 − ρ2^t)) + δ)
            theta[i] -= stepSize * s[i] / (MathF.Sqrt(r[i]) * invSqrtC2 + delta);
        }
    }
}
