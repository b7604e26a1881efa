using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;
using MlNetExtensions.Trainers;

namespace Regression;

/// <summary>Model Builder-style code: an MLP with normalization in the pipeline against Sdca and FastTree.</summary>
public static class RegressionModel
{
    /// <summary>The contenders, by name.</summary>
    public static readonly string[] Trainers = { "MLP", "Sdca", "FastTree" };

    /// <summary>
    /// The pipeline for one trainer. The MLP and Sdca get <c>NormalizeMeanVariance</c> in the pipeline (so the MLP's own
    /// built-in standardization is switched off here, to show the pipeline form); FastTree needs no scaling.
    /// </summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, string trainer, IProgress<EpochRecord>? progress = null)
    {
        var normalize = mlContext.Transforms.NormalizeMeanVariance("Features");
        return trainer switch
        {
            "MLP" => normalize.Append(mlContext.Regression.Trainers.Mlp(new MlpRegressionTrainer.Options
            {
                NormalizeFeatures = false,   // done by the pipeline above
                StandardizeLabel = true,     // the target (25 … 346) is standardized inside the model and mapped back
                HiddenLayerSizes = new[] { 16 },
                Optimizer = OptimizerKind.Adam,
                LearningRate = 0.003f,
                BatchSize = 16,
                NumberOfEpochs = 300,
                L2Regularization = 1e-3f,
                ValidationFraction = 0.15f,
                EarlyStoppingPatience = 20,
                Seed = 3,
                Progress = progress,
            })),
            "Sdca" => normalize.Append(mlContext.Regression.Trainers.Sdca()),
            "FastTree" => mlContext.Regression.Trainers.FastTree(numberOfLeaves: 8, numberOfTrees: 100, minimumExampleCountPerLeaf: 10, learningRate: 0.05),
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

    /// <summary>R², RMSE and MAE on <paramref name="testData"/>.</summary>
    public static RegressionMetrics Evaluate(MLContext mlContext, ITransformer model, IDataView testData) =>
        mlContext.Regression.Evaluate(model.Transform(testData));

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
