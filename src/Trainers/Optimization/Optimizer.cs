using System.Runtime.CompilerServices;

namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// The stateful shell around an update rule: it owns the per-parameter state (velocities, moment
/// estimates), counts steps and carries the learning rate the schedule sets before each step.
/// Each rule lives in its own file and overrides <see cref="Update"/> with its algorithm box;
/// rules that need the gradient at a look-ahead point (Nesterov) also override
/// <see cref="MoveToGradientPoint"/>.
/// </summary>
/// <remarks>
/// The training loop calls, for every minibatch: <see cref="MoveToGradientPoint"/>, forward and
/// backward passes (which fill <see cref="Parameter.Gradient"/>), then <see cref="Step"/>.
/// </remarks>
internal abstract class Optimizer
{
    private readonly Dictionary<Parameter, Kernels.AlignedFloats[]> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>The learning rate ε used by the next <see cref="Step"/>; set by the schedule.</summary>
    public float LearningRate { get; set; }

    /// <summary>The number of steps taken so far (t in Adam's bias correction is <c>StepCount</c> after increment).</summary>
    public long StepCount { get; private set; }

    /// <summary>Threads an update may use for large tensors (results do not depend on it). Default 1.</summary>
    public int MaxThreads { get; set; } = 1;

    /// <summary>How many state buffers of the parameter's size the rule keeps (velocity, moments...).</summary>
    protected abstract int StateBuffers { get; }

    /// <summary>
    /// Moves the parameters to the point where the gradient is to be computed. Plain rules do nothing;
    /// Nesterov-style rules move to θ + αv and restore θ at the start of <see cref="Update"/>.
    /// </summary>
    public virtual void MoveToGradientPoint(IReadOnlyList<Parameter> parameters) { }

    /// <summary>Applies one update to every parameter from its <see cref="Parameter.Gradient"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        StepCount++;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            Update(p.Value, p.Gradient, StateOf(p), p.IsWeight);
        }
    }

    /// <summary>
    /// Decaying state (first moments, velocities, averages of squared gradients) below this magnitude, 2⁻¹⁰⁰ ≈ 7.9e-31, is
    /// set to zero by the rules. A weight whose gradient stays zero for a while (an input that is rarely non-zero, such as
    /// a pixel near the border) sees its state shrink by a constant factor each step, into the subnormal floats within a few
    /// hundred steps, and on Intel CPUs every operation on a subnormal takes a microcode assist: a vectorized Adam step over
    /// subnormal moments ran 19× slower than over normal ones (see Adam). State this small moves no weight whose magnitude
    /// is above about 1e-17 (it is far below half an ulp of it), so such weights come out bit for bit as without the floor.
    /// </summary>
    protected const float StateFloor = 7.888609052210118e-31f; // 2^-100

    /// <summary><paramref name="x"/>, or 0 when its magnitude is below <see cref="StateFloor"/> (NaN passes through).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected static float Floored(float x) => MathF.Abs(x) < StateFloor ? 0f : x;

    /// <summary>The rule's own update of one parameter tensor, in place.</summary>
    /// <param name="theta">Parameter values θ.</param>
    /// <param name="gradient">The gradient g at the gradient point.</param>
    /// <param name="state">The rule's <see cref="StateBuffers"/> buffers for this parameter, zero at the first step.</param>
    /// <param name="isWeight">Whether the tensor is a connection weight (for decoupled weight decay).</param>
    protected abstract void Update(Span<float> theta, ReadOnlySpan<float> gradient, Kernels.AlignedFloats[] state, bool isWeight);

    /// <summary>The state buffers of <paramref name="parameter"/>, allocated (zeroed) at first use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    protected Kernels.AlignedFloats[] StateOf(Parameter parameter)
    {
        if (!_state.TryGetValue(parameter, out var buffers))
        {
            buffers = new Kernels.AlignedFloats[StateBuffers];
            for (int i = 0; i < buffers.Length; i++) buffers[i] = new Kernels.AlignedFloats(parameter.Length);
            _state[parameter] = buffers;
        }
        return buffers;
    }

    /// <summary>Copies the step count, the learning rate and the state buffers of <paramref name="parameters"/> (a checkpoint).</summary>
    public OptimizerState CaptureState(IReadOnlyList<Parameter> parameters)
    {
        var buffers = new List<float[][]?>(parameters.Count);
        for (int p = 0; p < parameters.Count; p++)
            buffers.Add(_state.TryGetValue(parameters[p], out var state) ? state.Select(b => b.ToArray()).ToArray() : null);
        return new OptimizerState(StepCount, LearningRate, buffers.ToArray());
    }

    /// <summary>
    /// Puts the optimizer back where <see cref="CaptureState"/> found it, for the same network's
    /// <paramref name="parameters"/>: the next <see cref="Step"/> then does what it would have done without the interruption.
    /// </summary>
    /// <exception cref="FormatException">The state does not fit this rule or these parameters (another rule or network).</exception>
    public void RestoreState(IReadOnlyList<Parameter> parameters, OptimizerState state)
    {
        if (state.Buffers.Length != parameters.Count)
            throw new FormatException($"The saved optimizer state covers {state.Buffers.Length} parameter tensors; the network has {parameters.Count}.");
        if (state.StepCount < 0) throw new FormatException($"The saved optimizer step count {state.StepCount} is negative.");
        for (int p = 0; p < parameters.Count; p++)
        {
            if (state.Buffers[p] is not { } saved) continue;
            if (saved.Length != StateBuffers)
                throw new FormatException($"The saved optimizer state has {saved.Length} buffers for {parameters[p].Name}; {GetType().Name} keeps {StateBuffers}.");
            foreach (var b in saved)
                if (b.Length != parameters[p].Length)
                    throw new FormatException($"The saved optimizer state of {parameters[p].Name} has {b.Length} values; the tensor has {parameters[p].Length}.");
        }
        Reset();
        for (int p = 0; p < parameters.Count; p++)
        {
            if (state.Buffers[p] is not { } saved) continue;
            var buffers = StateOf(parameters[p]);
            for (int i = 0; i < saved.Length; i++) saved[i].CopyTo(buffers[i].Span);
        }
        StepCount = state.StepCount;
        LearningRate = state.LearningRate;
    }

    /// <summary>Forgets all state and the step count (used when training restarts from scratch).</summary>
    public void Reset()
    {
        _state.Clear();
        StepCount = 0;
    }
}
