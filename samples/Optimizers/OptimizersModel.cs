using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetExtensions;
using MlNetExtensions.Trainers;

namespace Optimizers;

/// <summary>Model Builder-style code for the tour: one network, one pipeline, the update rule as the only variable.</summary>
public static class OptimizersModel
{
    /// <summary>Epochs per run (no early stopping, so every curve has the same length).</summary>
    public const int Epochs = 25;

    /// <summary>Keys from the fixed set of the ten digit labels, so training and validation data map labels alike.</summary>
    private static ValueToKeyMappingEstimator LabelToKey(MLContext mlContext) =>
        mlContext.Transforms.Conversion.MapValueToKey("LabelKey", "Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue,
            keyData: mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(d => new DigitLabel { Label = d.ToString() })));

    private sealed class DigitLabel
    {
        public string Label { get; set; } = "";
    }

    /// <summary>Label to key, then a 64-128-10 ReLU network trained with <paramref name="run"/>'s rule and schedule.</summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, OptimizerRun run, IDataView validationData,
        IProgress<EpochRecord>? progress = null) =>
        LabelToKey(mlContext).Append(mlContext.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            LabelColumnName = "LabelKey",
            HiddenLayerSizes = new[] { 128 },
            Optimizer = run.Optimizer,
            LearningRate = run.LearningRate,
            LearningRateSchedule = run.Schedule,
            DecayIterations = run.Schedule == LearningRateScheduleKind.StepDecay ? 5 * 45 : 0,   // halve every 5 epochs (45 batches each)
            BatchSize = 32,
            NumberOfEpochs = Epochs,
            ValidationData = LabelToKey(mlContext).Fit(validationData).Transform(validationData),
            EarlyStoppingPatience = Epochs,   // the curves run the full budget
            Seed = 7,                         // same initial weights and batch order for every rule
            NumberOfThreads = 1,
            Progress = progress,
        }));

    /// <summary>Trains one run.</summary>
    public static ITransformer Train(MLContext mlContext, OptimizerRun run, IDataView trainData, IDataView validationData,
        IProgress<EpochRecord>? progress = null) =>
        BuildPipeline(mlContext, run, validationData, progress).Fit(trainData);

    /// <summary>Test accuracy of a trained run.</summary>
    public static MulticlassClassificationMetrics Evaluate(MLContext mlContext, ITransformer model, IDataView testData) =>
        mlContext.MulticlassClassification.Evaluate(model.Transform(testData), labelColumnName: "LabelKey");

    /// <summary>The training history of a trained run.</summary>
    public static TrainingHistory History(ITransformer model) =>
        ((IEnumerable<ITransformer>)model).OfType<MlpMulticlassPredictionTransformer>().Single().Model.History;
}
