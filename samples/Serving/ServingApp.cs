using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving;

/// <summary>The request body of <c>POST /predict</c>.</summary>
public sealed record PredictRequest([property: JsonPropertyName("features")] float[]? Features);

/// <summary>The response of <c>POST /predict</c>.</summary>
public sealed record PredictResponse(
    [property: JsonPropertyName("digit")] string Digit,
    [property: JsonPropertyName("probability")] float Probability,
    [property: JsonPropertyName("probabilities")] IReadOnlyDictionary<string, float> Probabilities);

/// <summary>The body of every 400 answer.</summary>
public sealed record ErrorResponse([property: JsonPropertyName("error")] string Error);

/// <summary>The web API: <c>GET /health</c> and <c>POST /predict</c>.</summary>
public static class ServingApp
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Builds the app. The model path comes from <paramref name="modelPath"/>, else the <c>ModelPath</c> setting
    /// (<c>--ModelPath x.zip</c>, environment <c>ModelPath</c>), else <c>out/digits-mlp.zip</c> under the working directory (where samples/Digits writes it).
    /// The model is loaded here, once, before the first request.
    /// </summary>
    public static WebApplication Build(string[] args, string? modelPath = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        var predictor = new DigitsPredictor(modelPath ?? builder.Configuration["ModelPath"] ?? Path.Combine("out", "digits-mlp.zip"));
        builder.Services.AddSingleton(predictor);
        var app = builder.Build();

        app.MapGet("/health", (DigitsPredictor p) => Results.Ok(new { status = "ok", model = Path.GetFileName(p.ModelPath) }));
        app.MapPost("/predict", PredictAsync);
        return app;
    }

    /// <summary>
    /// Reads the body by hand rather than by parameter binding, so that every malformed request gets a 400 with a
    /// sentence saying what is wrong (binding failures would give an empty 400 body).
    /// </summary>
    private static async Task<IResult> PredictAsync(HttpRequest request, DigitsPredictor predictor, CancellationToken cancellationToken)
    {
        PredictRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<PredictRequest>(request.Body, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            return BadRequest($"The body is not valid JSON of the form {{\"features\": [64 numbers]}}: {e.Message}");
        }

        if (body?.Features is not { } features)
            return BadRequest("The body must be a JSON object with a \"features\" array of 64 numbers.");
        if (features.Length != DigitsPredictor.FeatureCount)
            return BadRequest($"\"features\" must hold {DigitsPredictor.FeatureCount} values (8 × 8 pixels); it holds {features.Length}.");
        int bad = Array.FindIndex(features, v => !float.IsFinite(v));
        if (bad >= 0)
            return BadRequest($"\"features\"[{bad}] is not a finite number.");

        var output = predictor.Predict(features);
        var probabilities = predictor.ClassNames.Zip(output.Score).ToDictionary(p => p.First, p => p.Second);
        return Results.Ok(new PredictResponse(output.PredictedLabel, output.Score.Max(), probabilities));
    }

    private static IResult BadRequest(string message) => Results.BadRequest(new ErrorResponse(message));
}
