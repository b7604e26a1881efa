namespace MlNetExtensions;

/// <summary>
/// How label smoothing spreads the probability ε taken from the true class of K. Shared by the
/// <c>SmoothLabels</c> transform and the multiclass MLP trainer's own label smoothing.
/// </summary>
public enum LabelSmoothingForm
{
    /// <summary>The lecture's form: 1 − ε on the true class and ε/(K − 1) on each of the others. The default.</summary>
    Lecture = 0,

    /// <summary>The uniform form of PyTorch and Keras (Szegedy et al. 2016): 1 − ε + ε/K on the true class, ε/K on every other.</summary>
    Uniform = 1,
}
