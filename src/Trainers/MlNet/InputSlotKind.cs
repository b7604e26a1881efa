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
}
