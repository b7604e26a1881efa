namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// The common part of the rules with Nesterov momentum (<see cref="Nesterov"/>, <see cref="RmsPropNesterov"/>):
/// the gradient is evaluated at the interim point θ̃ = θ + αv rather than at θ.
/// </summary>
/// <remarks>
/// <para>
/// Nothing but θ lives in the network, so the interim point is reached by moving the parameters
/// themselves: <see cref="MoveToGradientPoint"/> sets θ ← θ + αv before the forward and backward
/// passes, and the subclass's <c>Update</c> first calls <see cref="ReturnFromGradientPoint"/>, which
/// restores θ ← θ̃ − αv (v has not changed in between), and then applies its algorithm box to the
/// true θ with the look-ahead gradient.
/// </para>
/// <para>
/// The contract is therefore strict: exactly one <see cref="MoveToGradientPoint"/> before each
/// <see cref="Optimizer.Step"/>, and between the two the parameters hold θ̃, not θ. The round trip
/// θ + αv − αv is exact up to one float rounding of θ per step, far below the gradient noise.
/// </para>
/// </remarks>
internal abstract class LookAheadOptimizer : Optimizer
{
    /// <summary>Index of the velocity v among the state buffers; subclasses put their other buffers after it.</summary>
    protected const int Velocity = 0;

    /// <summary>Creates the rule with momentum coefficient <paramref name="alpha"/> ∈ [0, 1).</summary>
    protected LookAheadOptimizer(float alpha) => Alpha = alpha;

    /// <summary>The momentum coefficient α.</summary>
    public float Alpha { get; }

    /// <summary>Moves every parameter to the interim point θ̃ = θ + αv where the gradient is to be computed.</summary>
    public sealed override void MoveToGradientPoint(IReadOnlyList<Parameter> parameters)
    {
        for (int p = 0; p < parameters.Count; p++)
        {
            Span<float> theta = parameters[p].Value;
            Span<float> v = StateOf(parameters[p])[Velocity].Span;
            for (int i = 0; i < theta.Length; i++)
            {
                theta[i] += Alpha * v[i]; // θ̃ ← θ + αv
            }
        }
    }

    /// <summary>Undoes <see cref="MoveToGradientPoint"/> for one tensor: θ ← θ̃ − αv.</summary>
    protected void ReturnFromGradientPoint(Span<float> theta, ReadOnlySpan<float> velocity)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            theta[i] -= Alpha * velocity[i]; // θ ← θ̃ − αv
        }
    }
}
