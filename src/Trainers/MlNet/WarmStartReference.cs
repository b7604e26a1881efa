using System.Globalization;
using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Whether an earlier model can be the starting point of a warm-started Fit (<c>Fit(trainData, modelParameters)</c>): the
/// same features' slot count, hidden layers, activation, batch normalization and outputs as the options and data give.
/// Errors name the option (or column) and both values.
/// </summary>
internal static class WarmStartReference
{
    private const string Argument = "modelParameters";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first thing in which <paramref name="reference"/> differs.</summary>
    public static void Check(MlpModelParameters reference, MlpTrainerOptionsBase options, int featureSlots, int outputSize)
    {
        if (reference.InputSize != featureSlots)
            throw new ArgumentException(
                $"The features column '{options.FeatureColumnName}' has {featureSlots} slots, but the model to start from was trained on {reference.InputSize}: a warm start needs the same features.", Argument);
        var sizes = reference.LayerSizes;
        var hidden = sizes.Skip(1).Take(sizes.Count - 2).ToArray();
        if (!hidden.SequenceEqual(options.HiddenLayerSizes))
            throw new ArgumentException(
                $"Option HiddenLayerSizes is [{string.Join(", ", options.HiddenLayerSizes)}], but the model to start from has hidden layers [{string.Join(", ", hidden)}]: set HiddenLayerSizes to match it.", Argument);
        if (hidden.Length > 0 && reference.Activation != options.Activation)
            throw new ArgumentException(
                $"Option Activation is {options.Activation}, but the model to start from uses {reference.Activation}: set Activation to match it.", Argument);
        bool batchNorm = reference.Network.InferenceLayers.OfType<BatchNormLayer>().Any();
        if (batchNorm != options.BatchNormalization)
            throw new ArgumentException(
                $"Option BatchNormalization is {options.BatchNormalization.ToString(CultureInfo.InvariantCulture).ToLowerInvariant()}, but the model to start from was trained " +
                $"{(batchNorm ? "with" : "without")} it: set BatchNormalization to match it.", Argument);
        if (reference.OutputSize != outputSize)
            throw new ArgumentException(
                $"The label column '{options.LabelColumnName}' gives {outputSize} network output(s) (classes for multiclass), but the model to start from has {reference.OutputSize}: " +
                "a warm start needs the same outputs.", Argument);
    }
}
