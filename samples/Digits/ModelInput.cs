using Microsoft.ML.Data;

namespace Digits;

/// <summary>One 8×8 handwritten digit: its label and 64 grey levels in [0, 1].</summary>
public sealed class ModelInput
{
    [LoadColumn(0)]
    public string Label { get; set; } = "";

    [LoadColumn(1, 64), VectorType(64)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

/// <summary>The model's answer for one digit.</summary>
public sealed class ModelOutput
{
    [ColumnName("PredictedLabelValue")]
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = Array.Empty<float>();
}
