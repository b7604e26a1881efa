using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;

namespace CreditScoring;

/// <summary>
/// Model Builder-style code for a mixed-type CSV: the pipeline a tree user already has (one-hot categorical columns,
/// numeric columns as they are, NaN where a value is missing, no normalizer, no imputation) in front of three trainers.
/// </summary>
public static class CreditModel
{
    /// <summary>The categorical columns (one-hot encoded; a missing value is the empty string, a category of its own).</summary>
    public static readonly string[] Categorical = { nameof(ModelInput.Home), nameof(ModelInput.Marital), nameof(ModelInput.Records), nameof(ModelInput.Job) };

    /// <summary>The numeric columns, unscaled; Income, Assets and Debt have missing values (NaN).</summary>
    public static readonly string[] Numeric =
    {
        nameof(ModelInput.Seniority), nameof(ModelInput.Time), nameof(ModelInput.Age), nameof(ModelInput.Expenses), nameof(ModelInput.Income),
        nameof(ModelInput.Assets), nameof(ModelInput.Debt), nameof(ModelInput.Amount), nameof(ModelInput.Price),
    };

    /// <summary>The contenders, by name, each with its defaults.</summary>
    public static readonly string[] Trainers = { "Mlp", "LightGbm", "FastTree" };

    /// <summary>
    /// How the CSV is read. <c>MissingRealsAsNaNs = true</c> matters: without it TextLoader reads an empty numeric field
    /// as 0, and a missing income becomes an income of 0, silently.
    /// </summary>
    public static TextLoader.Options LoaderOptions(bool missingRealsAsNaNs = true) => new()
    {
        HasHeader = true, Separators = new[] { ',' }, AllowQuoting = true, MissingRealsAsNaNs = missingRealsAsNaNs,
    };

    /// <summary>Loads one of the CSV files.</summary>
    public static IDataView Load(MLContext mlContext, string path, bool missingRealsAsNaNs = true) =>
        mlContext.Data.LoadFromTextFile<ModelInput>(path, LoaderOptions(missingRealsAsNaNs));

    /// <summary>One-hot encoding per categorical column, everything concatenated into Features, then the trainer with its defaults.</summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, string trainer)
    {
        var features = mlContext.Transforms.Categorical.OneHotEncoding(Categorical.Select(c => new InputOutputColumnPair(c + "OneHot", c)).ToArray())
            .Append(mlContext.Transforms.Concatenate("Features", Categorical.Select(c => c + "OneHot").Concat(Numeric).ToArray()));
        return trainer switch
        {
            "Mlp" => features.Append(mlContext.BinaryClassification.Trainers.Mlp()),
            "LightGbm" => features.Append(mlContext.BinaryClassification.Trainers.LightGbm()),
            "FastTree" => features.Append(mlContext.BinaryClassification.Trainers.FastTree()),
            _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "Unknown trainer."),
        };
    }

    /// <summary>Trains one pipeline and times it.</summary>
    public static (ITransformer Model, TimeSpan Elapsed) Train(MLContext mlContext, string trainer, IDataView trainData)
    {
        var stopwatch = Stopwatch.StartNew();
        var model = BuildPipeline(mlContext, trainer).Fit(trainData);
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
