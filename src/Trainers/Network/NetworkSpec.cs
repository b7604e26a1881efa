namespace MlNetExtensions.Trainers.Network;

/// <summary>The shape of a network: sizes, non-linearity and which regularizing layers it has.</summary>
/// <param name="InputSize">Features per example.</param>
/// <param name="HiddenSizes">Width of each hidden layer, input side first.</param>
/// <param name="OutputSize">Outputs per example (classes, 1 for binary or regression).</param>
/// <param name="Activation">Non-linearity after each hidden layer.</param>
/// <param name="BatchNormalization">Batch normalization after each hidden dense layer (before the non-linearity).</param>
/// <param name="InputDropoutRate">Dropout rate on the inputs.</param>
/// <param name="HiddenDropoutRate">Dropout rate after each hidden layer.</param>
/// <param name="InputNoiseStdDev">Standard deviation of Gaussian noise added to the inputs at training time.</param>
/// <param name="BatchNormMomentum">Weight of the old running average in batch normalization's updates.</param>
internal sealed record NetworkSpec(
    int InputSize, int[] HiddenSizes, int OutputSize, Activation Activation,
    bool BatchNormalization = false, float InputDropoutRate = 0f, float HiddenDropoutRate = 0f,
    float InputNoiseStdDev = 0f, float BatchNormMomentum = 0.9f);
