using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Digits;
using Microsoft.AspNetCore.Builder;
using Microsoft.ML;
using Serving;

namespace MlNetExtensions.Samples.Tests;

/// <summary>
/// Trains a digits model, saves it, and starts the serving sample on 127.0.0.1 with a port the OS picks; disposed (and
/// the server stopped) after the class's tests. Only loopback traffic.
/// </summary>
public sealed class ServingFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mlx-serving-{Guid.NewGuid():N}");
    private WebApplication? _app;

    public HttpClient Client { get; private set; } = null!;

    public List<ModelInput> Rows { get; private set; } = null!;

    public List<ModelOutput> Expected { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var mlContext = new MLContext(seed: 1);
        var (train, validation, test) = DigitsData.Load(mlContext);
        var model = DigitsModel.Train(mlContext, train, validation, augment: false);
        var modelPath = Path.Combine(_directory, "digits-mlp.zip");
        DigitsModel.Save(mlContext, model, train.Schema, modelPath);
        Rows = mlContext.Data.CreateEnumerable<ModelInput>(test, reuseRowObject: false).Take(40).ToList();
        Expected = DigitsModel.Predict(modelPath, Rows).ToList();

        _app = ServingApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning" }, modelPath);
        await _app.StartAsync();
        var address = _app.Urls.Single();   // the bound address, with the port the OS chose
        Assert.StartsWith("http://127.0.0.1:", address);
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(timeout.Token);
            await _app.DisposeAsync();
        }
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Real HTTP requests against the running serving sample.</summary>
public sealed class ServingTests(ServingFixture server) : IClassFixture<ServingFixture>
{
    private HttpClient Client => server.Client;

    [Fact]
    public async Task HealthAnswers()
    {
        var response = await Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("digits-mlp.zip", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PredictsLikeTheSavedModelInProcess()
    {
        for (int i = 0; i < 10; i++)
        {
            var response = await Client.PostAsJsonAsync("/predict", new { features = server.Rows[i].Features });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<PredictResponse>();
            Assert.NotNull(body);
            Assert.Equal(server.Expected[i].PredictedLabel, body!.Digit);
            Assert.Equal(server.Expected[i].Score.Max(), body.Probability, 5);
            Assert.Equal(10, body.Probabilities.Count);
            Assert.Equal(1.0, body.Probabilities.Values.Sum(), 3);
        }
    }

    [Theory]
    [InlineData("{\"features\": [1, 2, ", "not valid JSON")]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("[1, 2, 3]", "not valid JSON")]
    [InlineData("{\"features\": [\"a\", \"b\"]}", "not valid JSON")]
    [InlineData("{}", "\"features\" array")]
    [InlineData("null", "\"features\" array")]
    [InlineData("{\"features\": null}", "\"features\" array")]
    [InlineData("{\"features\": [1, 2, 3]}", "it holds 3")]
    [InlineData("{\"features\": []}", "it holds 0")]
    public async Task MalformedRequestsGetA400WithAMessage(string body, string expectedMessagePart)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await Client.PostAsync("/predict", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString();
        Assert.Contains(expectedMessagePart, error);
    }

    [Theory]
    [InlineData(1e30f, 5)]
    [InlineData(-1000f, 0)]
    [InlineData(1.5f, 63)]
    public async Task OutOfRangePixelsGetA400NamingThePixel(float value, int index)
    {
        var features = new float[64];
        features[index] = value;
        var response = await Client.PostAsJsonAsync("/predict", new { features });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains($"[{index}]", error);
        Assert.Contains("[0, 1]", error);
    }

    [Fact]
    public async Task ABodyOverTheLimitGetsA413WithAMessage()
    {
        // A 50 MB body declared (Kestrel's limit is 30,000,000 bytes): the server answers before the body is sent, so
        // this speaks HTTP on a plain socket and reads the answer instead of uploading 50 MB.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(Client.BaseAddress!.Host, Client.BaseAddress.Port);
        using var stream = tcp.GetStream();
        var head = $"POST /predict HTTP/1.1\r\nHost: {Client.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{{\"features\": [0";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var status = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("HTTP/1.1 413", status);
        var rest = new StringBuilder();
        var buffer = new char[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!rest.ToString().Contains('}'))
        {
            int n = await reader.ReadAsync(buffer.AsMemory(), timeout.Token);
            if (n == 0) break;
            rest.Append(buffer, 0, n);
        }
        Assert.Contains("larger than the server accepts", rest.ToString());
        Assert.Contains("30,000,000", rest.ToString());
    }

    [Fact]
    public async Task TooManyValuesGetA400()
    {
        var response = await Client.PostAsJsonAsync("/predict", new { features = new float[65] });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("must hold 64 values", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConcurrentRequestsAllGetTheirOwnAnswer()
    {
        const int requests = 200, parallelism = 16;
        using var gate = new SemaphoreSlim(parallelism);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tasks = Enumerable.Range(0, requests).Select(async n =>
        {
            int i = n % server.Rows.Count;
            await gate.WaitAsync(deadline.Token);
            try
            {
                var response = await Client.PostAsJsonAsync("/predict", new { features = server.Rows[i].Features }, deadline.Token);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var body = await response.Content.ReadFromJsonAsync<PredictResponse>(deadline.Token);
                return (i, body!.Digit, body.Probability);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(requests, results.Length);
        foreach (var (i, digit, probability) in results)
        {
            Assert.Equal(server.Expected[i].PredictedLabel, digit);
            Assert.Equal(server.Expected[i].Score.Max(), probability, 5);
        }
    }
}
