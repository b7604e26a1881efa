namespace MlNetExtensions.Trainers.Losses;

/// <summary>
/// Soft targets for K classes from a hard label. The lecture's form puts 1 − ε on the true class and
/// ε/(K − 1) on each other class; the uniform form (PyTorch, Keras) mixes the one-hot vector with the
/// uniform distribution: 1 − ε + ε/K on the true class, ε/K elsewhere. Both sum to 1; ε = 0 is one-hot.
/// </summary>
internal static class LabelSmoothing
{
    /// <summary>Writes the smoothed target of class <paramref name="trueClass"/> (0-based) into <paramref name="target"/> (length K).</summary>
    public static void Fill(Span<float> target, int trueClass, float epsilon, LabelSmoothingForm form)
    {
        int k = target.Length;
        if (epsilon == 0f || k < 2)
        {
            target.Clear();
            target[trueClass] = 1f;
            return;
        }
        if (form == LabelSmoothingForm.Lecture)
        {
            target.Fill(epsilon / (k - 1));
            target[trueClass] = 1f - epsilon;
        }
        else
        {
            target.Fill(epsilon / k);
            target[trueClass] = 1f - epsilon + epsilon / k;
        }
    }
}
