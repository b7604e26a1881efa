using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlNetExtensions;
using MlNetExtensions.Trainers;

namespace Digits;

/// <summary>Model Builder-style training code for the digits classifier: build, train, evaluate, save, predict.</summary>
public static class DigitsModel
{
    /// <summary>Most epochs; early stopping usually ends training well before.</summary>
    public const int MaxEpochs = 60;

    /// <summary>
    /// Labels become keys from the fixed set of the ten digit labels ("0" … "9", in value order), so the training
    /// pipeline and the validation data handed to the trainer map every label to the same key, whichever rows each sees.
    /// </summary>
    private static ValueToKeyMappingEstimator LabelToKey(MLContext mlContext) =>
        mlContext.Transforms.Conversion.MapValueToKey("LabelKey", "Label",
            keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue,
            keyData: mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 10).Select(d => new DigitLabel { Label = d.ToString() })));

    private sealed class DigitLabel
    {
        public string Label { get; set; } = "";
    }

    /// <summary>
    /// The pipeline: label to key; light online augmentation of the 8×8 pixels (training only: fresh shifts and small
    /// rotations every epoch, nothing at prediction time); the MLP with batch norm, dropout, Adam and early stopping on
    /// <paramref name="validationData"/> (raw rows, never augmented); key back to the label text.
    /// </summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, IDataView? validationData = null,
        IProgress<EpochRecord>? progress = null, bool augment = true)
    {
        // Stages are conditional, so the chain is built step by step.
        var pipeline = new EstimatorChain<ITransformer>().Append<ITransformer>(LabelToKey(mlContext));
        if (augment)
        {
            pipeline = pipeline.Append<ITransformer>(mlContext.Transforms.AugmentImages("Features", new AugmentationOperation[]
            {
                // 8×8 digits have little room: one-pixel shifts and ±8° rotations, each on a quarter of the rows.
                new Translation { Probability = 0.25f, Unit = TranslationUnit.Pixels, MaxShiftX = 1, MaxShiftY = 1 },
                new Affine { Probability = 0.25f, RotationDegrees = FloatRange.Symmetric(8) },
            }, seed: 11, pixelMaximum: 1f));   // the CSV holds grey levels in [0, 1]; the 1×8×8 shape is inferred
        }
        return pipeline
            .Append<ITransformer>(mlContext.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
            {
                LabelColumnName = "LabelKey",
                HiddenLayerSizes = new[] { 256, 128 },
                Optimizer = OptimizerKind.Adam,
                LearningRate = 0.001f,
                BatchSize = 32,
                NumberOfEpochs = MaxEpochs,
                BatchNormalization = true,
                HiddenDropoutRate = 0.2f,
                ValidationData = validationData is null ? null : LabelToKey(mlContext).Fit(validationData).Transform(validationData),
                EarlyStoppingPatience = 8,
                Seed = 7,
                Progress = progress,
            }))
            .Append<ITransformer>(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabelValue", "PredictedLabel"));
    }

    /// <summary>Trains the pipeline on <paramref name="trainData"/>, early-stopping on <paramref name="validationData"/>.</summary>
    public static ITransformer Train(MLContext mlContext, IDataView trainData, IDataView? validationData,
        IProgress<EpochRecord>? progress = null, bool augment = true) =>
        BuildPipeline(mlContext, validationData, progress, augment).Fit(trainData);

    /// <summary>Test metrics (micro/macro accuracy, log-loss, confusion matrix).</summary>
    public static MulticlassClassificationMetrics Evaluate(MLContext mlContext, ITransformer model, IDataView testData) =>
        mlContext.MulticlassClassification.Evaluate(model.Transform(testData), labelColumnName: "LabelKey");

    /// <summary>The MLP inside the fitted pipeline (its weights and training history).</summary>
    public static MlpMulticlassPredictionTransformer Mlp(ITransformer model) =>
        ((IEnumerable<ITransformer>)model).OfType<MlpMulticlassPredictionTransformer>().Single();

    /// <summary>Saves the model (written to a temporary file, then moved into place).</summary>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string modelPath) =>
        mlContext.Model.SaveAtomic(model, inputSchema, modelPath);

    /// <summary>
    /// Loads the saved model in a fresh MLContext, as a deployed application would, and predicts each input.
    /// A PredictionEngine is cheap to reuse but not thread-safe: one per thread, or a pool (see samples/Serving).
    /// </summary>
    public static IReadOnlyList<ModelOutput> Predict(string modelPath, IEnumerable<ModelInput> inputs)
    {
        var mlContext = new MLContext();
        mlContext.ComponentCatalog.RegisterMlNetExtensions();   // the one call before Load
        var model = mlContext.Model.Load(modelPath, out _);
        var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
        return inputs.Select(input => engine.Predict(input)).ToList();
    }
}
