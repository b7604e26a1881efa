namespace MlNetExtensions.Trainers;

/// <summary>What the preprocessing does with one slot of the features vector (learned from the training rows).</summary>
public enum InputSlotKind
{
    /// <summary>Passed through as it is (normalization off); a missing value becomes the training median.</summary>
    Raw = 0,

    /// <summary>One value (or none) in training: the slot carries no information and enters the network as 0.</summary>
    Constant = 1,

    /// <summary>Two values lo &lt; hi in training (one-hot slots, flags): (x − lo)/(hi − lo), so lo → 0 and hi → 1.</summary>
    Binary = 2,

    /// <summary>
    /// More values: robust scaling and smooth clipping, y = (x − median)·s, x' = y/√(1 + (y/3)²), with s = 1/IQR
    /// (or, when the IQR is 0, 1/median|x − median| over the values away from the median); minus the value 0 maps to
    /// when at least a quarter of the training values are 0, so that zeros stay zeros.
    /// </summary>
    Continuous = 3,

    /// <summary>
    /// A continuous slot of values ≥ 0 with a long right tail (sample skewness above 1) and fewer than a quarter zeros
    /// (amounts, durations, ages): first x ↦ ln(1 + x/m), with m the median of its positive training values (a negative
    /// value at scoring counts as 0), then as <see cref="Continuous"/>. The smooth clip alone squeezes such a tail to ±3;
    /// the logarithm keeps its order spread out.
    /// </summary>
    LogContinuous = 4,
}
