using System.Globalization;
using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Whether an earlier model can be the starting point of a warm-started Fit (<c>Fit(trainData, modelParameters)</c>): the
/// same task, features' slot count, hidden layers, activation, batch normalization and outputs (for classes, the same
/// classes in the same order) as the options and data give. Errors name the option (or column) and both values.
/// </summary>
internal static class WarmStartReference
{
    private const string Argument = "modelParameters";

    /// <summary>The model option holding its <see cref="ModelTask"/>.</summary>
    public const string TaskKey = "Task";

    /// <summary>The model option holding its classes or outputs in output order (see <see cref="JoinNames"/>), when the label named them.</summary>
    public const string OutputNamesKey = "OutputNames";

    /// <summary>The model option saying which model's weights a warm start began from (a hash of them).</summary>
    public const string WarmStartKey = "WarmStart";

    /// <summary>Names as one option value: a JSON array of strings.</summary>
    public static string JoinNames(IReadOnlyList<string> names) => System.Text.Json.JsonSerializer.Serialize(names);

    /// <summary>
    /// The task of <paramref name="options"/>' model: its "Task" entry, or for models saved before that entry, the
    /// task-specific options it was trained with (StandardizeLabel: regression; LabelSmoothing: multiclass; else binary).
    /// </summary>
    public static ModelTask TaskOf(IReadOnlyDictionary<string, string> options) =>
        options.TryGetValue(TaskKey, out var text) && Enum.TryParse<ModelTask>(text, out var task) ? task
        : options.ContainsKey(nameof(MlpRegressionTrainer.Options.StandardizeLabel)) ? ModelTask.Regression
        : options.ContainsKey(nameof(MlpMulticlassTrainer.Options.LabelSmoothing)) ? ModelTask.Multiclass
        : ModelTask.Binary;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first thing in which <paramref name="reference"/> differs.</summary>
    public static void Check(MlpModelParameters reference, MlpTrainerOptionsBase options, int featureSlots, int outputSize, ModelTask task, string[]? outputNames)
    {
        var referenceTask = TaskOf(reference.Options);
        if (referenceTask != task)
            throw new ArgumentException(
                $"The model to start from is a {referenceTask} model and this trainer trains {task} models: a warm start needs a model of the same task (its outputs mean something else).", Argument);
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
        if (outputNames is not null && reference.Options.TryGetValue(OutputNamesKey, out var saved) && saved != JoinNames(outputNames))
            throw new ArgumentException(
                $"The label column '{options.LabelColumnName}' has the classes (outputs) {JoinNames(outputNames)} in this order, but the model to start from has {saved}: " +
                "a warm start needs them in the same order (map the labels with the reference's fitted MapValueToKey, or with keys in the same order).", Argument);
    }
}
