using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;

namespace Serving;

/// <summary>The input row of the digits model: the label column exists in the model's schema but is not used to predict.</summary>
public sealed class DigitInput
{
    public string Label { get; set; } = "";

    [VectorType(DigitsPredictor.FeatureCount)]
    public float[] Features { get; set; } = Array.Empty<float>();
}

/// <summary>The model's answer for one digit.</summary>
public sealed class DigitOutput
{
    [ColumnName("PredictedLabelValue")]
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = Array.Empty<float>();
}

/// <summary>
/// Loads the saved model once and predicts from a pool of <see cref="PredictionEngine{TSrc, TDst}"/>s: an engine is
/// cheap to reuse but not thread-safe, the model (an <see cref="ITransformer"/>) is; each request borrows an engine and
/// returns it, so concurrent requests never share one and engines are not rebuilt per request.
/// </summary>
public sealed class DigitsPredictor
{
    /// <summary>Pixels per digit (8 × 8).</summary>
    public const int FeatureCount = 64;

    /// <summary>The smallest pixel intensity the model was trained on (data/digits_*.csv hold 0 to 16 scaled to [0, 1]).</summary>
    public const float PixelMinimum = 0f;

    /// <summary>The largest pixel intensity the model was trained on.</summary>
    public const float PixelMaximum = 1f;

    private readonly ObjectPool<PredictionEngine<DigitInput, DigitOutput>> _engines;

    /// <summary>Loads <paramref name="modelPath"/> and checks that it is a 64-pixel digits model.</summary>
    public DigitsPredictor(string modelPath)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"No model at '{Path.GetFullPath(modelPath)}'. Create it with `dotnet run -c Release --project samples/Digits` run from the folder that holds out/ (it writes out/digits-mlp.zip under the working directory), or pass --ModelPath <file>.", modelPath);
        var mlContext = new MLContext();
        mlContext.ComponentCatalog.RegisterMlNetExtensions();   // the one call before Load
        var model = mlContext.Model.Load(modelPath, out var inputSchema);
        if (inputSchema.GetColumnOrNull("Features")?.Type is not VectorDataViewType { Size: FeatureCount })
            throw new InvalidOperationException($"The model at '{modelPath}' does not take a {FeatureCount}-value Features vector.");
        var scoreSlots = default(VBuffer<ReadOnlyMemory<char>>);
        model.GetOutputSchema(inputSchema)["Score"].GetSlotNames(ref scoreSlots);
        ClassNames = scoreSlots.DenseValues().Select(s => s.ToString()).ToArray();
        ModelPath = Path.GetFullPath(modelPath);

        var provider = new DefaultObjectPoolProvider { MaximumRetained = Math.Max(4, 2 * Environment.ProcessorCount) };
        _engines = provider.Create(new EnginePolicy(mlContext, model));
    }

    /// <summary>Where the model was loaded from.</summary>
    public string ModelPath { get; }

    /// <summary>The class labels, in the order of the probabilities.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Predicts one digit; <paramref name="pixels"/> must hold <see cref="FeatureCount"/> finite values.</summary>
    public DigitOutput Predict(float[] pixels)
    {
        var engine = _engines.Get();
        try
        {
            return engine.Predict(new DigitInput { Features = pixels });
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    private sealed class EnginePolicy(MLContext mlContext, ITransformer model) : IPooledObjectPolicy<PredictionEngine<DigitInput, DigitOutput>>
    {
        public PredictionEngine<DigitInput, DigitOutput> Create() =>
            mlContext.Model.CreatePredictionEngine<DigitInput, DigitOutput>(model);

        public bool Return(PredictionEngine<DigitInput, DigitOutput> obj) => true;
    }
}
