using Microsoft.ML;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Trainers;

namespace MlNetExtensions;

/// <summary>
/// Catalog entry points of the MLP trainers:
/// <c>mlContext.MulticlassClassification.Trainers.Mlp(...)</c>, <c>mlContext.BinaryClassification.Trainers.Mlp(...)</c>,
/// <c>mlContext.Regression.Trainers.Mlp(...)</c> and <c>mlContext.Regression.Trainers.MlpMultiOutput(...)</c>.
/// </summary>
public static class MlpCatalog
{
    /// <summary>A multilayer perceptron for multiclass classification, with the most used settings.</summary>
    /// <param name="catalog">mlContext.MulticlassClassification.Trainers.</param>
    /// <param name="labelColumnName">The key-typed label column (or a soft-label vector); non-empty. Default "Label".</param>
    /// <param name="featureColumnName">The Vector&lt;Single, N&gt; features column; non-empty. Default "Features".</param>
    /// <param name="hiddenLayerSizes">
    /// Hidden layer widths, input side first (empty for a linear model). Range of each width [1, int.MaxValue]. Default
    /// null: {128, 64}.
    /// </param>
    /// <param name="numberOfEpochs">
    /// Passes over the data. Range [1, int.MaxValue], or null. Default null: the automatic choice (see
    /// <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>).
    /// </param>
    /// <param name="learningRate">Initial learning rate of Adam (with the cosine schedule). Range (0, ∞). Default 0.001.</param>
    /// <param name="batchSize">Examples per minibatch. Range [1, int.MaxValue]. Default 32.</param>
    public static MlpMulticlassTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int[]? hiddenLayerSizes = null,
        int? numberOfEpochs = null, float learningRate = 0.001f, int batchSize = 32)
        => Mlp(catalog, Simple(new MlpMulticlassTrainer.Options(), labelColumnName, featureColumnName, hiddenLayerSizes, numberOfEpochs, learningRate, batchSize));

    /// <summary>A multilayer perceptron for multiclass classification with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">mlContext.MulticlassClassification.Trainers.</param>
    /// <param name="options">The trainer's options.</param>
    public static MlpMulticlassTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpMulticlassTrainer.Options options)
        => new(CatalogEnvironment.Of(catalog), options);

    /// <summary>A multilayer perceptron for binary classification (Boolean label), with the most used settings.</summary>
    /// <param name="catalog">mlContext.BinaryClassification.Trainers.</param>
    /// <param name="labelColumnName">The Boolean label column; non-empty. Default "Label".</param>
    /// <param name="featureColumnName">The Vector&lt;Single, N&gt; features column; non-empty. Default "Features".</param>
    /// <param name="hiddenLayerSizes">
    /// Hidden layer widths, input side first (empty for a linear model). Range of each width [1, int.MaxValue]. Default
    /// null: {128, 64}.
    /// </param>
    /// <param name="numberOfEpochs">
    /// Passes over the data. Range [1, int.MaxValue], or null. Default null: the automatic choice (see
    /// <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>).
    /// </param>
    /// <param name="learningRate">Initial learning rate of Adam (with the cosine schedule). Range (0, ∞). Default 0.001.</param>
    /// <param name="batchSize">Examples per minibatch. Range [1, int.MaxValue]. Default 32.</param>
    public static MlpBinaryTrainer Mlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int[]? hiddenLayerSizes = null,
        int? numberOfEpochs = null, float learningRate = 0.001f, int batchSize = 32)
        => Mlp(catalog, Simple(new MlpBinaryTrainer.Options(), labelColumnName, featureColumnName, hiddenLayerSizes, numberOfEpochs, learningRate, batchSize));

    /// <summary>A multilayer perceptron for binary classification with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">mlContext.BinaryClassification.Trainers.</param>
    /// <param name="options">The trainer's options.</param>
    public static MlpBinaryTrainer Mlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, MlpBinaryTrainer.Options options)
        => new(CatalogEnvironment.Of(catalog), options);

    /// <summary>A multilayer perceptron for regression (Single label), with the most used settings.</summary>
    /// <param name="catalog">mlContext.Regression.Trainers.</param>
    /// <param name="labelColumnName">The Single label column; non-empty. Default "Label".</param>
    /// <param name="featureColumnName">The Vector&lt;Single, N&gt; features column; non-empty. Default "Features".</param>
    /// <param name="hiddenLayerSizes">
    /// Hidden layer widths, input side first (empty for a linear model). Range of each width [1, int.MaxValue]. Default
    /// null: {128, 64}.
    /// </param>
    /// <param name="numberOfEpochs">
    /// Passes over the data. Range [1, int.MaxValue], or null. Default null: the automatic choice (see
    /// <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>).
    /// </param>
    /// <param name="learningRate">Initial learning rate of Adam (with the cosine schedule). Range (0, ∞). Default 0.002 (regression's default, <see cref="MlpRegressionTrainer.Options"/>).</param>
    /// <param name="batchSize">Examples per minibatch. Range [1, int.MaxValue]. Default 32.</param>
    public static MlpRegressionTrainer Mlp(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int[]? hiddenLayerSizes = null,
        int? numberOfEpochs = null, float learningRate = 0.002f, int batchSize = 32)
        => Mlp(catalog, Simple(new MlpRegressionTrainer.Options(), labelColumnName, featureColumnName, hiddenLayerSizes, numberOfEpochs, learningRate, batchSize));

    /// <summary>A multilayer perceptron for regression with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">mlContext.Regression.Trainers.</param>
    /// <param name="options">The trainer's options.</param>
    public static MlpRegressionTrainer Mlp(this RegressionCatalog.RegressionTrainers catalog, MlpRegressionTrainer.Options options)
        => new(CatalogEnvironment.Of(catalog), options);

    /// <summary>
    /// A multilayer perceptron for multi-output regression (a Vector&lt;Single, K&gt; label, K predictions in one Score
    /// vector) with the most used settings: one shared trunk, one output per target.
    /// </summary>
    /// <param name="catalog">mlContext.Regression.Trainers.</param>
    /// <param name="labelColumnName">
    /// The known-size Vector&lt;Single, K&gt; label column (from Concatenate of the target columns); non-empty. Default "Label".
    /// </param>
    /// <param name="featureColumnName">The Vector&lt;Single, N&gt; features column; non-empty. Default "Features".</param>
    /// <param name="hiddenLayerSizes">
    /// Hidden layer widths, input side first (empty for a linear model). Range of each width [1, int.MaxValue]. Default
    /// null: {128, 64}.
    /// </param>
    /// <param name="numberOfEpochs">
    /// Passes over the data. Range [1, int.MaxValue], or null. Default null: the automatic choice (see
    /// <see cref="MlpTrainerOptionsBase.NumberOfEpochs"/>).
    /// </param>
    /// <param name="learningRate">Initial learning rate of Adam (with the cosine schedule). Range (0, ∞). Default 0.002 (regression's default, <see cref="MlpRegressionTrainer.Options"/>).</param>
    /// <param name="batchSize">Examples per minibatch. Range [1, int.MaxValue]. Default 32.</param>
    public static MlpMultiOutputRegressionTrainer MlpMultiOutput(this RegressionCatalog.RegressionTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", int[]? hiddenLayerSizes = null,
        int? numberOfEpochs = null, float learningRate = 0.002f, int batchSize = 32)
        => MlpMultiOutput(catalog, Simple(new MlpMultiOutputRegressionTrainer.Options(), labelColumnName, featureColumnName, hiddenLayerSizes, numberOfEpochs, learningRate, batchSize));

    /// <summary>A multilayer perceptron for multi-output regression with every setting in <paramref name="options"/>.</summary>
    /// <param name="catalog">mlContext.Regression.Trainers.</param>
    /// <param name="options">The trainer's options.</param>
    public static MlpMultiOutputRegressionTrainer MlpMultiOutput(this RegressionCatalog.RegressionTrainers catalog, MlpMultiOutputRegressionTrainer.Options options)
        => new(CatalogEnvironment.Of(catalog), options);

    /// <summary>The settings of the simple overloads, put into a fresh options object.</summary>
    private static T Simple<T>(T options, string labelColumnName, string featureColumnName, int[]? hiddenLayerSizes,
        int? numberOfEpochs, float learningRate, int batchSize) where T : MlpTrainerOptionsBase
    {
        options.LabelColumnName = labelColumnName;
        options.FeatureColumnName = featureColumnName;
        options.HiddenLayerSizes = hiddenLayerSizes ?? new[] { 128, 64 };
        options.NumberOfEpochs = numberOfEpochs;
        options.LearningRate = learningRate;
        options.BatchSize = batchSize;
        return options;
    }
}
