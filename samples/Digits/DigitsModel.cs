using Microsoft.ML;
using MlNetExtensions;
using MlNetExtensions.Trainers;

namespace Digits;

/// <summary>Model Builder-style training code for the digits classifier.</summary>
public static class DigitsModel
{
    /// <summary>The pipeline: label to key, the MLP, key back to the label text.</summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, IProgress<EpochRecord>? progress = null) =>
        mlContext.Transforms.Conversion.MapValueToKey("LabelKey", "Label")
            .Append(mlContext.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
            {
                LabelColumnName = "LabelKey",
                HiddenLayerSizes = new[] { 256, 128 },
                Optimizer = OptimizerKind.Adam,
                LearningRate = 0.001f,
                BatchSize = 32,
                NumberOfEpochs = 60,
                BatchNormalization = true,
                HiddenDropoutRate = 0.2f,
                ValidationFraction = 0.1f,
                EarlyStoppingPatience = 8,
                Seed = 7,
                Progress = progress,
            }))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));

    /// <summary>Trains the pipeline on <paramref name="trainData"/>.</summary>
    public static ITransformer Train(MLContext mlContext, IDataView trainData, IProgress<EpochRecord>? progress = null) =>
        BuildPipeline(mlContext, progress).Fit(trainData);

    /// <summary>Loads the saved model in a fresh MLContext (as a deployed application would) and predicts one digit.</summary>
    public static ModelOutput Predict(string modelPath, ModelInput input)
    {
        var mlContext = new MLContext();
        mlContext.ComponentCatalog.RegisterMlNetExtensions();   // the one call before Load
        var model = mlContext.Model.Load(modelPath, out _);
        var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
        return engine.Predict(input);
    }
}
