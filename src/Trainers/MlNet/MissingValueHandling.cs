namespace MlNetExtensions.Trainers;

/// <summary>What the MLP trainers do with a missing value (NaN) in the features column.</summary>
public enum MissingValueHandling
{
    /// <summary>
    /// Replace it inside the model with the slot's training median, and give every slot that had a missing value in
    /// training an extra indicator input (1 where the value was missing), so the network can learn from missingness.
    /// Scoring does the same (a NaN in a slot that had none in training gets the median too). Infinite values are still
    /// an error. The default.
    /// </summary>
    Impute = 0,

    /// <summary>Fail on the first NaN or infinite feature, naming the row and slot.</summary>
    Error = 1,

    /// <summary>Skip training rows with a NaN or infinite feature or a bad label (counted in the history's SkippedRows).</summary>
    SkipRows = 2,
}
