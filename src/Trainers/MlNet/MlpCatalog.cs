using Microsoft.ML;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Trainers;

namespace MlNetExtensions;

/// <summary>
/// Catalog entry points of the MLP trainers:
/// <c>mlContext.MulticlassClassification.Trainers.Mlp(...)</c>, <c>mlContext.BinaryClassification.Trainers.Mlp(...)</c>
/// and <c>mlContext.Regression.Trainers.Mlp(...)</c>.
/// </summary>
public static class MlpCatalog
{
    /// <summary>A multilayer perceptron for multiclass classification, with the most used settings.</summary>
    /// <param name="catalog">mlContext.MulticlassClassification.Trainers.</param>
    /// <param name="labelColumnName">The key-typed label column (or a soft-label vector).</param>
    /// <param name="featureColumnName">The Vector&lt;Single, N&gt; features column.</param>
    /// <param name="hiddenLayerSizes">Hidden layer widths; null for the default {128, 64}.</param>
    /// <param name="numberOfEpochs">Passes over the data; null (the default) for the automatic choice (see <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>).</param>
    /// <param name="learningRate">Adam's learning rate.</param>
    /// <param name="batchSize">Examples per minibatch.</param>
    public static MlpMulticlassTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int[]? hiddenLayerSizes = null,
        int? numberOfEpochs = null, float learningRate = 0.001f, int batchSize = 32)
        => Mlp(catalog, new MlpMulticlassTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName,
            HiddenLayerSizes = hiddenLayerSizes ?? new[] { 128, 64 }, NumberOfEpochs = numberOfEpochs,
            LearningRate = learningRate, BatchSize = batchSize,
        });

    /// <summary>A multilayer perceptron for multiclass classification with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">mlContext.MulticlassClassification.Trainers.</param>
    /// <param name="options">The trainer's options.</param>
    public static MlpMulticlassTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpMulticlassTrainer.Options options)
        => new(CatalogEnvironment.Of(catalog), options);

    /// <summary>A multilayer perceptron for binary classification (Boolean label), with the most used settings.</summary>
    /// <param name="catalog">mlContext.BinaryClassification.Trainers.</param>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <param name="featureColumnName">The Vector&lt;Single, N&gt; features column.</param>
    /// <param name="hiddenLayerSizes">Hidden layer widths; null for the default {128, 64}.</param>
    /// <param name="numberOfEpochs">Passes over the data; null (the default) for the automatic choice (see <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>).</param>
    /// <param name="learningRate">Adam's learning rate.</param>
    /// <param name="batchSize">Examples per minibatch.</param>
    public static MlpBinaryTrainer Mlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int[]? hiddenLayerSizes = null,
        int? numberOfEpochs = null, float learningRate = 0.001f, int batchSize = 32)
        => Mlp(catalog, new MlpBinaryTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName,
            HiddenLayerSizes = hiddenLayerSizes ?? new[] { 128, 64 }, NumberOfEpochs = numberOfEpochs,
            LearningRate = learningRate, BatchSize = batchSize,
        });

    /// <summary>A multilayer perceptron for binary classification with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">mlContext.BinaryClassification.Trainers.</param>
    /// <param name="options">The trainer's options.</param>
    public static MlpBinaryTrainer Mlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, MlpBinaryTrainer.Options options)
        => new(CatalogEnvironment.Of(catalog), options);

    /// <summary>A multilayer perceptron for regression (Single label), with the most used settings.</summary>
    /// <param name="catalog">mlContext.Regression.Trainers.</param>
    /// <param name="labelColumnName">The Single label column.</param>
    /// <param name="featureColumnName">The Vector&lt;Single, N&gt; features column.</param>
    /// <param name="hiddenLayerSizes">Hidden layer widths; null for the default {128, 64}.</param>
    /// <param name="numberOfEpochs">Passes over the data; null (the default) for the automatic choice (see <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>).</param>
    /// <param name="learningRate">Adam's learning rate.</param>
    /// <param name="batchSize">Examples per minibatch.</param>
    public static MlpRegressionTrainer Mlp(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int[]? hiddenLayerSizes = null,
        int? numberOfEpochs = null, float learningRate = 0.001f, int batchSize = 32)
        => Mlp(catalog, new MlpRegressionTrainer.Options
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName,
            HiddenLayerSizes = hiddenLayerSizes ?? new[] { 128, 64 }, NumberOfEpochs = numberOfEpochs,
            LearningRate = learningRate, BatchSize = batchSize,
        });

    /// <summary>A multilayer perceptron for regression with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">mlContext.Regression.Trainers.</param>
    /// <param name="options">The trainer's options.</param>
    public static MlpRegressionTrainer Mlp(this RegressionCatalog.RegressionTrainers catalog, MlpRegressionTrainer.Options options)
        => new(CatalogEnvironment.Of(catalog), options);
}
