namespace MlNetExtensions.Trainers;

/// <summary>
/// What a trained network's outputs mean, recorded in the model's options (<see cref="MlpModelParameters.Options"/>, key
/// "Task"): a warm start (<c>Fit(trainData, modelParameters)</c>) needs a reference of the same task. Models saved before
/// the key existed are recognised by their task-specific options.
/// </summary>
internal enum ModelTask
{
    /// <summary>One logit (sigmoid cross-entropy).</summary>
    Binary,
    /// <summary>One logit per class (softmax cross-entropy).</summary>
    Multiclass,
    /// <summary>One (standardized) value per output: single- and multi-output regression.</summary>
    Regression,
}
