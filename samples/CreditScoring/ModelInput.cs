using Microsoft.ML.Data;

namespace CreditScoring;

/// <summary>
/// One loan application from the credit-scoring data (data/tabular/credit_*.csv): whether it went bad, four categorical
/// columns and nine numeric ones. Empty fields are missing values: with <c>MissingRealsAsNaNs</c> they load as NaN
/// (numeric) or "" (text).
/// </summary>
public sealed class ModelInput
{
    /// <summary>True when the loan went bad (the positive class, 28 % of the rows).</summary>
    [LoadColumn(0)] public bool Label { get; set; }
    [LoadColumn(1)] public float Seniority { get; set; }
    [LoadColumn(2)] public string Home { get; set; } = "";
    [LoadColumn(3)] public float Time { get; set; }
    [LoadColumn(4)] public float Age { get; set; }
    [LoadColumn(5)] public string Marital { get; set; } = "";
    [LoadColumn(6)] public string Records { get; set; } = "";
    [LoadColumn(7)] public string Job { get; set; } = "";
    [LoadColumn(8)] public float Expenses { get; set; }
    [LoadColumn(9)] public float Income { get; set; }
    [LoadColumn(10)] public float Assets { get; set; }
    [LoadColumn(11)] public float Debt { get; set; }
    [LoadColumn(12)] public float Amount { get; set; }
    [LoadColumn(13)] public float Price { get; set; }
}

/// <summary>The model's answer: bad loan or not, with its probability.</summary>
public sealed class ModelOutput
{
    [ColumnName("PredictedLabel")] public bool Bad { get; set; }
    public float Probability { get; set; }
    public float Score { get; set; }
}
