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
    /// (<c>--ModelPath x.zip</c>, environment <c>ModelPath</c>), else <c>out/digits-mlp.zip</c> under the working directory
    /// (where samples/Digits writes it when run from there) or under the repository root (when Digits was run from the root).
    /// The model is loaded here, once, before the first request.
    /// </summary>
    public static WebApplication Build(string[] args, string? modelPath = null)
    {
        // The sample's own folder (where appsettings.json is copied) is the content root whatever the working directory,
        // so `dotnet run --project samples/Serving` from the repository root reads its settings.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var predictor = new DigitsPredictor(modelPath ?? builder.Configuration["ModelPath"] ?? FindDefaultModel());
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
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Results.Json(new ErrorResponse($"The body is larger than the server accepts ({MaxBodyDescription(request)}); a request holds 64 numbers."),
                statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        if (body?.Features is not { } features)
            return BadRequest("The body must be a JSON object with a \"features\" array of 64 numbers.");
        if (features.Length != DigitsPredictor.FeatureCount)
            return BadRequest($"\"features\" must hold {DigitsPredictor.FeatureCount} values (8 × 8 pixels); it holds {features.Length}.");
        int bad = Array.FindIndex(features, v => !float.IsFinite(v));
        if (bad >= 0)
            return BadRequest($"\"features\"[{bad}] is not a finite number.");
        // The model was trained on pixel intensities in [0, 1]: anything else is not a digit image, and the answer would be meaningless.
        bad = Array.FindIndex(features, v => v < DigitsPredictor.PixelMinimum || v > DigitsPredictor.PixelMaximum);
        if (bad >= 0)
            return BadRequest($"\"features\"[{bad}] is {features[bad]}; pixel intensities must be in [{DigitsPredictor.PixelMinimum}, {DigitsPredictor.PixelMaximum}].");

        var output = predictor.Predict(features);
        var probabilities = predictor.ClassNames.Zip(output.Score).ToDictionary(p => p.First, p => p.Second);
        return Results.Ok(new PredictResponse(output.PredictedLabel, output.Score.Max(), probabilities));
    }

    private static string MaxBodyDescription(HttpRequest request)
    {
        var limit = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        return limit is { } bytes ? $"at most {bytes:N0} bytes" : "a size limit";
    }

    private static IResult BadRequest(string message) => Results.BadRequest(new ErrorResponse(message));

    /// <summary>out/digits-mlp.zip under the working directory, else under the repository root above this program, else the former (for the error).</summary>
    private static string FindDefaultModel()
    {
        var here = Path.GetFullPath(Path.Combine("out", "digits-mlp.zip"));
        if (File.Exists(here)) return here;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetExtensions.sln")))
            {
                var atRoot = Path.Combine(dir.FullName, "out", "digits-mlp.zip");
                return File.Exists(atRoot) ? atRoot : here;
            }
        return here;
    }
}
