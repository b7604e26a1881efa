namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// The fast gradient sign method (Goodfellow, Shlens and Szegedy 2014, "Explaining and harnessing adversarial examples"):
/// x̃ = x + ε·sign(∇ₓJ(θ, x, y)), the step of L∞ size ε that increases the loss most to first order. Here x are the raw
/// features (the values of the Features column, before the model's input preprocessing), so ε is in the features' own
/// units. The preprocessing is increasing in every slot it does not drop (robust scaling with a positive scale, the smooth
/// clip, the logarithm), so the sign of ∂J/∂x is the sign of ∂J/∂(network input); a slot with scale 0 (constant in
/// training) has no gradient and is not moved. A missing value (NaN) stays missing. The missing-value indicators are
/// inputs of the network, not features, and are not perturbed.
/// </summary>
internal static class FastGradientSign
{
    /// <summary>
    /// Writes the perturbed raw features of one row into <paramref name="perturbed"/> (<see cref="InputPreprocessing.InputCount"/>
    /// values) from its raw features <paramref name="raw"/> and ∂J/∂(network input) <paramref name="inputGradient"/>.
    /// </summary>
    public static void Perturb(InputPreprocessing preprocessing, ReadOnlySpan<float> raw, ReadOnlySpan<float> inputGradient, float epsilon, Span<float> perturbed)
    {
        var scale = preprocessing.Scale;
        for (int j = 0; j < preprocessing.InputCount; j++)
        {
            float g = inputGradient[j];
            perturbed[j] = g == 0f || scale[j] == 0f ? raw[j] : raw[j] + epsilon * MathF.Sign(g);
        }
    }
}
