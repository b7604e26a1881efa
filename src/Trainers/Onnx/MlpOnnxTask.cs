namespace MlNetExtensions.Trainers.Onnx;

/// <summary>Which prediction transformer an exported Mlp came from, and so which outputs its graph has.</summary>
internal enum MlpOnnxTask
{
    /// <summary>Score (softmax probabilities, [N, K]) and PredictedLabel (1-based key, uint32 [N, 1]).</summary>
    MulticlassClassification,

    /// <summary>Score (logit, [N, 1]), Probability (sigmoid, [N, 1]) and PredictedLabel (bool, [N, 1]).</summary>
    BinaryClassification,

    /// <summary>Score (in the label's units, [N, 1]).</summary>
    Regression,

    /// <summary>Score (the K outputs in the label's units, [N, K]).</summary>
    MultiOutputRegression,
}
