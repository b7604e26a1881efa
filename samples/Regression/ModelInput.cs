using Microsoft.ML.Data;

namespace Regression;

/// <summary>One diabetes patient: disease progression after a year, and 10 raw baseline measurements
/// (age, sex, BMI, blood pressure, six serum values), on very different scales.</summary>
public sealed class ModelInput
{
    [LoadColumn(0)]
    public float Label { get; set; }

    [LoadColumn(1, 10), VectorType(10)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

/// <summary>The predicted progression.</summary>
public sealed class ModelOutput
{
    [ColumnName("Score")]
    public float Progression { get; set; }
}
