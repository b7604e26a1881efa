namespace MlNetExtensions;

/// <summary>How much label smoothing a form allows, shared by the <c>SmoothLabels</c> transform and the multiclass trainer.</summary>
internal static class LabelSmoothingLimit
{
    /// <summary>
    /// The ε that <paramref name="form"/> must stay below for <paramref name="classes"/> classes: the lecture's ε/(K − 1) per
    /// wrong class gives a wrong class as much as the true one from ε = (K − 1)/K on; the uniform form allows any ε &lt; 1.
    /// </summary>
    public static float EpsilonBelow(this LabelSmoothingForm form, int classes) =>
        form == LabelSmoothingForm.Lecture ? (classes - 1) / (float)classes : 1f;
}
