using System.Globalization;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>
/// The L2 penalty when <see cref="MlpTrainerOptionsBase.L2Regularization"/> is left at null (the default). Classification
/// uses <see cref="Base"/> (0.001). Regression scales it with what a Bayesian ridge prior would: λ₂ = Base·(1 + <see cref="WidthWeight"/>·d/n
/// + <see cref="NoiseWeight"/>·(δ/(1 − δ))/n), at most <see cref="MaxPenalty"/>, with n the training rows, d the network's inputs after the preprocessing
/// that vary over them (<see cref="VaryingFeatures"/>) and δ the Delta test's noise fraction of the (standardized) target (<see cref="NoiseEstimate"/>): the penalty grows
/// with the noise-to-signal ratio per row and with the inputs per row, and falls back to Base as the rows grow. The
/// weights were chosen on the regression sets of the tabular benchmark and of the hold-out group (benchmarks/README.md,
/// "Session 9"): a fixed 0.001 fitted the noise of noisy small sets (diabetes, δ ≈ 0.46) and of wide ones (sacramento,
/// 110 one-hot inputs at 745 rows), while more for every set cost the clean ones (concrete, boston2).
/// </summary>
internal static class AutomaticL2
{
    /// <summary>The model options' entry for the penalty chosen when <see cref="MlpTrainerOptionsBase.L2Regularization"/> is null.</summary>
    internal const string OptionsKey = "AutomaticL2Regularization";

    /// <summary>The penalty of classification, and regression's floor.</summary>
    public static float Base { get; private set; } = 0.001f;

    /// <summary>Weight of the inputs per row, d/n.</summary>
    public static double WidthWeight { get; private set; } = 30;

    /// <summary>Weight of the noise-to-signal ratio per row, (δ/(1 − δ))/n.</summary>
    public static double NoiseWeight { get; private set; } = 3400;

    /// <summary>
    /// The most the rule gives (30× the base): the sets it was chosen on needed at most about 0.03, and it has not been
    /// measured beyond d/n ≈ 0.7 (for instance wide sparse text inputs with d/n ≈ 70 would otherwise get 2).
    /// </summary>
    public const float MaxPenalty = 0.03f;

    /// <summary>The noise fraction is clamped to this before the ratio (δ/(1 − δ) at most 99).</summary>
    private const double MaxNoiseFraction = 0.99;

    /// <summary>
    /// The penalty for <paramref name="train"/> (its rows after the input preprocessing and label standardization);
    /// <paramref name="regression"/> false gives <see cref="Base"/>. <paramref name="noiseFraction"/> receives δ (NaN for
    /// classification) for the training log; <paramref name="maxThreads"/> bounds the threads of its matrix product;
    /// <paramref name="inputs"/> is d (default: all of <paramref name="train"/>'s features; the trainer passes the slots
    /// that vary over the training rows, <see cref="VaryingFeatures"/>).
    /// </summary>
    public static float For(DenseDataset train, bool regression, out double noiseFraction, int maxThreads = 1, int? inputs = null)
    {
        noiseFraction = double.NaN;
        if (!regression || train.Count == 0) return Base;
        noiseFraction = NoiseEstimate.DeltaFraction(train, maxThreads);
        double delta = Math.Clamp(noiseFraction, 0, MaxNoiseFraction);
        double n = train.Count;
        double factor = 1 + WidthWeight * (inputs ?? train.FeatureCount) / n + NoiseWeight * (delta / (1 - delta)) / n;
        return (float)Math.Min(Base * factor, Math.Max(Base, MaxPenalty));
    }

    /// <summary>
    /// The penalty of a warm start's reference, from its recorded options: the automatic value it was trained with, else
    /// its explicit <see cref="MlpTrainerOptionsBase.L2Regularization"/> (models saved before the option became automatic
    /// record "0.001"), else <see cref="Base"/>.
    /// </summary>
    public static float OfReference(IReadOnlyDictionary<string, string> options)
    {
        foreach (var key in new[] { OptionsKey, nameof(MlpTrainerOptionsBase.L2Regularization) })
            if (options.TryGetValue(key, out var text) && float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) && v >= 0)
                return v;
        return Base;
    }

    /// <summary>
    /// Overrides the values above for the benchmark's ablations (knobs <c>l2base</c>, <c>l2width</c>, <c>l2noise</c> of
    /// <c>MLNETEXT_AUTO</c>, passed on by <see cref="AutomaticEpochs.Configure"/>); <paramref name="name"/> null restores the
    /// defaults. Not for production use: it changes every Fit in the process.
    /// </summary>
    /// <returns>False when <paramref name="name"/> is not one of these knobs.</returns>
    internal static bool Configure(string? name, string value = "")
    {
        if (name is null) { Base = 0.001f; WidthWeight = 30; NoiseWeight = 3400; return true; }
        switch (name)
        {
            case "l2base": Base = (float)Parse(name, value); return true;
            case "l2width": WidthWeight = Parse(name, value); return true;
            case "l2noise": NoiseWeight = Parse(name, value); return true;
            default: return false;
        }
    }

    private static double Parse(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= 0 ? v
            : throw new ArgumentException($"Automatic-L2 knob {name}: '{value}' does not parse as a finite number ≥ 0.");
}
