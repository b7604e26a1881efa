using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;
using MlNetExtensions.Trainers;

namespace Binary;

/// <summary>Model Builder-style code: the same data preparation in front of three binary trainers.</summary>
public static class BinaryModel
{
    /// <summary>The contenders, by name.</summary>
    public static readonly string[] Trainers = { "MLP", "SdcaLogisticRegression", "LightGbm" };

    /// <summary>
    /// The pipeline: "malignant" (diagnosis 0) becomes the Boolean label, so precision, recall and F1 are about finding
    /// malignant cases; then the chosen trainer. The features are already scaled to [0, 1].
    /// </summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, string trainer, IProgress<EpochRecord>? progress = null)
    {
        var label = mlContext.Transforms.Expression("Label", "d => d == 0", "Diagnosis");
        return trainer switch
        {
            "MLP" => label.Append(mlContext.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options
            {
                HiddenLayerSizes = new[] { 32 },
                Optimizer = OptimizerKind.Adam,
                LearningRate = 0.001f,
                BatchSize = 16,
                NumberOfEpochs = 200,
                HiddenDropoutRate = 0.2f,
                ValidationFraction = 0.15f,
                EarlyStoppingPatience = 15,
                Seed = 5,
                Progress = progress,
            })),
            "SdcaLogisticRegression" => label.Append(mlContext.BinaryClassification.Trainers.SdcaLogisticRegression()),
            "LightGbm" => label.Append(mlContext.BinaryClassification.Trainers.LightGbm()),
            _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "Unknown trainer."),
        };
    }

    /// <summary>Trains one pipeline and times it.</summary>
    public static (ITransformer Model, TimeSpan Elapsed) Train(MLContext mlContext, string trainer, IDataView trainData,
        IProgress<EpochRecord>? progress = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var model = BuildPipeline(mlContext, trainer, progress).Fit(trainData);
        return (model, stopwatch.Elapsed);
    }

    /// <summary>AUC, accuracy, F1 and the rest on <paramref name="testData"/>.</summary>
    public static CalibratedBinaryClassificationMetrics Evaluate(MLContext mlContext, ITransformer model, IDataView testData) =>
        mlContext.BinaryClassification.Evaluate(model.Transform(testData));

    /// <summary>Saves a model (temporary file, then moved into place).</summary>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string modelPath) =>
        mlContext.Model.SaveAtomic(model, inputSchema, modelPath);

    /// <summary>Loads the saved model in a fresh MLContext and predicts each input.</summary>
    public static IReadOnlyList<ModelOutput> Predict(string modelPath, IEnumerable<ModelInput> inputs)
    {
        var mlContext = new MLContext();
        mlContext.ComponentCatalog.RegisterMlNetExtensions();   // the one call before Load
        var model = mlContext.Model.Load(modelPath, out _);
        var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
        return inputs.Select(engine.Predict).ToList();
    }
}
