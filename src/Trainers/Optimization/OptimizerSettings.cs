using System.Globalization;

namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// The hyperparameters of an update rule, as the trainer options carry them. Settings a rule does
/// not use are ignored by it (but still validated, so a typo never hides).
/// </summary>
/// <param name="Kind">Which update rule.</param>
/// <param name="LearningRate">The initial learning rate ε (a schedule may change it per step).</param>
/// <param name="Momentum">The momentum coefficient α of Momentum, Nesterov and RmsPropNesterov, in [0, 1).</param>
/// <param name="Rho">The squared-gradient decay rate ρ of RmsProp and RmsPropNesterov, in [0, 1).</param>
/// <param name="Beta1">Adam's first-moment decay rate ρ1, in [0, 1).</param>
/// <param name="Beta2">Adam's second-moment decay rate ρ2, in [0, 1).</param>
/// <param name="Epsilon">
/// The stabilizer δ of AdaGrad, RMSProp and Adam; null means the rule's lecture default
/// (1e-7 for AdaGrad, 1e-6 for the RMSProp rules, 1e-8 for Adam and AdamW).
/// </param>
/// <param name="WeightDecay">AdamW's decoupled weight-decay coefficient λ, at least 0.</param>
internal sealed record OptimizerSettings(
    OptimizerKind Kind,
    float LearningRate,
    float Momentum = 0.9f,
    float Rho = 0.9f,
    float Beta1 = 0.9f,
    float Beta2 = 0.999f,
    float? Epsilon = null,
    float WeightDecay = 0.01f)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of its range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
            throw new ArgumentOutOfRangeException(nameof(Kind), $"{nameof(Kind)} is not a known {nameof(OptimizerKind)}, got {(int)Kind}");
        if (!(float.IsFinite(LearningRate) && LearningRate > 0f))
            throw OutOfRange(nameof(LearningRate), "a finite number > 0", LearningRate);
        CheckUnitInterval(nameof(Momentum), Momentum);
        CheckUnitInterval(nameof(Rho), Rho);
        CheckUnitInterval(nameof(Beta1), Beta1);
        CheckUnitInterval(nameof(Beta2), Beta2);
        if (Epsilon is float delta && !(float.IsFinite(delta) && delta > 0f))
            throw OutOfRange(nameof(Epsilon), "a finite number > 0 (or null for the rule's default)", delta);
        if (!(float.IsFinite(WeightDecay) && WeightDecay >= 0f))
            throw OutOfRange(nameof(WeightDecay), "a finite number >= 0", WeightDecay);
    }

    private static void CheckUnitInterval(string name, float value)
    {
        if (!(value >= 0f && value < 1f)) // also rejects NaN
            throw new ArgumentOutOfRangeException(name, $"{name} must be in [0, 1), got {Format(value)}");
    }

    private static ArgumentOutOfRangeException OutOfRange(string name, string range, float value)
        => new(name, $"{name} must be {range}, got {Format(value)}");

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);
}
