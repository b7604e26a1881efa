// Augmentation throughput, one thread: images per second per operation, for 28×28 grey pixel vectors and
// 224×224 RGB MLImages. Each operation runs with probability 1; figures include the conversion from and to the
// column representation, as the transform's getter does it. Run in Release:
//   dotnet run -c Release --project benchmarks/Augmentation [-- seconds-per-case]
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions;
using MlNetExtensions.Transforms.Kernels;

double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 1.0;
var cases = new (string Name, AugmentationOperation Op)[]
{
    ("horizontal flip", new HorizontalFlip { Probability = 1 }),
    ("translate ±10%", new Translation { Probability = 1 }),
    ("affine rot ±15° scale 0.9–1.1", new Affine { Probability = 1, Scale = new FloatRange(0.9f, 1.1f) }),
    ("elastic α=34 σ=4", new ElasticDeformation { Probability = 1 }),
    ("gaussian noise σ=0.05", new GaussianNoise { Probability = 1 }),
    ("salt & pepper 2%", new SaltAndPepperNoise { Probability = 1 }),
};
var colourCases = new (string Name, AugmentationOperation Op)[]
{
    ("hue shift ±20°", new HueShift { Probability = 1 }),
    ("colour jitter b/c/s 0.2, hue 10°", new ColorJitter { Probability = 1, HueDegrees = 10 }),
    ("fancy PCA (per image)", new FancyPca { Probability = 1, PerImage = true }),
};

Console.WriteLine($".NET {Environment.Version}, {Environment.ProcessorCount} logical CPUs, one thread, {seconds:0.#} s per case");
Console.WriteLine();
Console.WriteLine("28×28 grey Vector<Single> (0–255):");
var grey = Enumerable.Range(0, 784).Select(i => (float)((i * 37) % 256)).ToArray();
var output = new float[784];
foreach (var (name, op) in cases)
    Report(name, Measure(buffer =>
    {
        PixelConversion.FromVector(grey, ImageShape.Grey(28, 28), 0, 255, buffer);
        return buffer;
    }, op, buffer => PixelConversion.ToVector(buffer, 0, 255, output)));

Console.WriteLine();
Console.WriteLine("224×224 RGB MLImage (Bgra32):");
var bytes = new byte[224 * 224 * 4];
for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 31 % 251);
using var image = MLImage.CreateFromPixels(224, 224, MLPixelFormat.Bgra32, bytes);
byte[]? imageBytes = null; // reused for every output image, as the getter does
foreach (var (name, op) in cases.Concat(colourCases))
    Report(name, Measure(buffer =>
    {
        PixelConversion.FromImage(image, buffer);
        return buffer;
    }, op, buffer => PixelConversion.ToImage(buffer, image, ref imageBytes).Dispose()));

Console.WriteLine();
Console.WriteLine("End to end through ML.NET (AugmentImages training view, cursor over 10,000 rows of 784 values):");
var ml = new MLContext(1);
var rows = Enumerable.Range(0, 10_000).Select(i => new GreyRow { Pixels = grey }).ToArray();
var data = ml.Data.LoadFromEnumerable(rows);
foreach (var (name, op) in new[] { cases[0], cases[1], cases[3], cases[4] })
{
    var view = ml.Transforms.AugmentImages("Pixels", new[] { op }).Fit(data).TransformForTraining(data);
    Report(name, CursorRate<VBuffer<float>>(view, "Pixels", seconds));
}

Console.WriteLine();
Console.WriteLine("End to end through ML.NET (AugmentImages training view, cursor over 1,000 rows holding one 224×224 MLImage):");
var imageRows = Enumerable.Range(0, 1000).Select(i => new ImageRow { Image = image }).ToArray();
var imageData = ml.Data.LoadFromEnumerable(imageRows);
foreach (var (name, op) in new[] { cases[0], cases[1], cases[2], cases[3], cases[4], colourCases[1] })
{
    var view = ml.Transforms.AugmentImages("Image", new[] { op }).Fit(imageData).TransformForTraining(imageData);
    Report(name, CursorRate<MLImage>(view, "Image", seconds));
}
return;

static double CursorRate<T>(IDataView view, string column, double seconds)
{
    var col = view.Schema[column];
    for (var warm = Stopwatch.StartNew(); warm.Elapsed.TotalSeconds < 0.3;)
    {
        using var cursor = view.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<T>(col);
        T v = default!;
        while (cursor.MoveNext() && warm.Elapsed.TotalSeconds < 0.3) getter(ref v);
        (v as IDisposable)?.Dispose();
    }
    var sw = Stopwatch.StartNew();
    long n = 0;
    while (sw.Elapsed.TotalSeconds < seconds)
    {
        using var cursor = view.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<T>(col);
        T v = default!;
        while (cursor.MoveNext()) { getter(ref v); n++; }
        (v as IDisposable)?.Dispose();
    }
    return n / sw.Elapsed.TotalSeconds;
}

static double Measure(Func<PixelBuffer, PixelBuffer> load, AugmentationOperation op, Action<PixelBuffer> store)
{
    var buffer = new PixelBuffer();
    var ops = new[] { op };
    // Warm-up long enough for tiered compilation to finish (else the first case of a section pays for it).
    var warm = Stopwatch.StartNew();
    for (int i = 0; i < 50 || warm.Elapsed.TotalSeconds < 0.3; i++) { AugmentationOperation.ApplyAll(ops, 1, 0, (ulong)i, load(buffer)); store(buffer); }
    double budget = double.Parse(Environment.GetCommandLineArgs().Skip(1).FirstOrDefault() ?? "1", CultureInfo.InvariantCulture);
    var sw = Stopwatch.StartNew();
    long n = 0;
    while (sw.Elapsed.TotalSeconds < budget)
    {
        for (int i = 0; i < 20; i++, n++)
        {
            AugmentationOperation.ApplyAll(ops, 1, 0, (ulong)n, load(buffer));
            store(buffer);
        }
    }
    return n / sw.Elapsed.TotalSeconds;
}

static void Report(string name, double perSecond) => Console.WriteLine($"  {name,-36} {perSecond,12:N0} images/s");

/// <summary>A row of the MLImage end-to-end case (every row shares one source image; the getter never disposes its input).</summary>
internal sealed class ImageRow
{
    [Microsoft.ML.Transforms.Image.ImageType(224, 224)] public MLImage Image { get; set; } = null!;
}

/// <summary>A row of the end-to-end case.</summary>
internal sealed class GreyRow
{
    [VectorType(784)] public float[] Pixels { get; set; } = Array.Empty<float>();
}
