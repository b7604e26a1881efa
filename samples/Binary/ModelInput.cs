using Microsoft.ML.Data;

namespace Binary;

/// <summary>One breast-cancer case: the diagnosis (0 malignant, 1 benign) and 30 cell-nucleus measurements scaled to [0, 1].</summary>
public sealed class ModelInput
{
    [LoadColumn(0)]
    public float Diagnosis { get; set; }

    [LoadColumn(1, 30), VectorType(30)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

/// <summary>The model's answer: malignant or not, with its probability.</summary>
public sealed class ModelOutput
{
    [ColumnName("PredictedLabel")]
    public bool Malignant { get; set; }

    public float Probability { get; set; }

    public float Score { get; set; }
}
