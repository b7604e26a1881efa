namespace MlNetExtensions.Benchmarks;

/// <summary>The learning task of a benchmark set, which fixes the label type, the trainers and the metric.</summary>
internal enum TabularTask
{
    /// <summary>Label: String mapped to a key; metric: micro-accuracy.</summary>
    Multiclass,

    /// <summary>Label: Boolean; metric: area under the ROC curve (accuracy printed beside it).</summary>
    Binary,

    /// <summary>Label: Single; metric: R².</summary>
    Regression,
}
