using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Benchmarks;

/// <summary>A labelled CSV set (label first, then the features) loaded into memory.</summary>
internal sealed class BenchData
{
    private BenchData(float[][] features, int[] labels, int featureCount)
    {
        Features = features;
        Labels = labels;
        FeatureCount = featureCount;
    }

    /// <summary>One feature vector per row.</summary>
    public float[][] Features { get; }

    /// <summary>Class index per row (0-based).</summary>
    public int[] Labels { get; }

    /// <summary>Values per feature vector.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of rows.</summary>
    public int Count => Labels.Length;

    /// <summary>Finds the repository's <c>data/</c> folder from the working directory or the executable.</summary>
    public static string DataDirectory()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data");
                if (File.Exists(Path.Combine(candidate, "mnist10k_train.csv.gz")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("data/mnist10k_train.csv.gz not found above the working directory.");
    }

    /// <summary>Loads <c>data/{name}_{part}.csv(.gz)</c>.</summary>
    public static BenchData Load(string name, string part)
    {
        string dir = DataDirectory();
        string path = Path.Combine(dir, $"{name}_{part}.csv");
        Stream stream = File.Exists(path) ? File.OpenRead(path) : new GZipStream(File.OpenRead(path + ".gz"), CompressionMode.Decompress);
        var features = new List<float[]>();
        var labels = new List<int>();
        using (var reader = new StreamReader(stream))
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                string[] parts = line.Split(',');
                labels.Add((int)float.Parse(parts[0], CultureInfo.InvariantCulture));
                var row = new float[parts.Length - 1];
                for (int i = 1; i < parts.Length; i++)
                {
                    row[i - 1] = float.Parse(parts[i], CultureInfo.InvariantCulture);
                }

                features.Add(row);
            }
        }

        return new BenchData(features.ToArray(), labels.ToArray(), features[0].Length);
    }

    /// <summary>The first <paramref name="rows"/> rows.</summary>
    public BenchData Take(int rows) => new(Features[..rows], Labels[..rows], FeatureCount);

    /// <summary>This set repeated until it has <paramref name="rows"/> rows.</summary>
    public BenchData Repeat(int rows)
    {
        var f = new float[rows][];
        var l = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            f[i] = Features[i % Count];
            l[i] = Labels[i % Count];
        }

        return new BenchData(f, l, FeatureCount);
    }

    /// <summary>An in-memory view: <c>Label</c> Key&lt;UInt32, classes&gt;, <c>Features</c> Vector&lt;Single, N&gt;.</summary>
    public IDataView ToDataView(MLContext ml, int classes)
    {
        _ = classes;
        return ToDataView(ml);
    }

    /// <summary>An in-memory view: <c>Label</c> the key of the class, <c>Features</c> Vector&lt;Single, N&gt;.</summary>
    public IDataView ToDataView(MLContext ml)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FeatureCount);
        var rows = new Row[Count];
        for (int i = 0; i < Count; i++)
        {
            rows[i] = new Row { Label = Labels[i], Features = Features[i] };
        }

        var view = ml.Data.LoadFromEnumerable(rows, schema);
        // Key = rank of the label value + 1 (all classes occur in every set used here).
        return ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(view).Transform(view);
    }

    /// <summary>One row of the in-memory view.</summary>
    public sealed class Row
    {
        /// <summary>The class.</summary>
        public float Label { get; set; }

        /// <summary>The feature vector.</summary>
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>Fraction of rows whose argmax of the <c>Score</c> column is the label.</summary>
    public static double Accuracy(IDataView scored)
    {
        var scoreColumn = scored.Schema["Score"];
        var labelColumn = scored.Schema["Label"];
        using var cursor = scored.GetRowCursor(new[] { scoreColumn, labelColumn });
        var score = cursor.GetGetter<VBuffer<float>>(scoreColumn);
        var label = cursor.GetGetter<uint>(labelColumn);
        VBuffer<float> s = default;
        uint y = 0;
        long right = 0, total = 0;
        while (cursor.MoveNext())
        {
            score(ref s);
            label(ref y);
            var values = s.DenseValues().ToArray();
            int best = 0;
            for (int i = 1; i < values.Length; i++)
            {
                if (values[i] > values[best])
                {
                    best = i;
                }
            }

            if (best + 1 == y)
            {
                right++;
            }

            total++;
        }

        return (double)right / total;
    }

    /// <summary>Peak resident set size of this process (VmHWM) in MB, or the peak working set.</summary>
    public static double PeakRssMb()
    {
        if (File.Exists("/proc/self/status"))
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }

        return System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>Current resident set size (VmRSS) in MB.</summary>
    public static double RssMb()
    {
        if (File.Exists("/proc/self/status"))
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }

        return System.Diagnostics.Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>Resets the peak RSS (Linux: writing 5 to /proc/self/clear_refs); false where unsupported.</summary>
    public static bool TryResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The CPU model name and the widest vector ISA .NET uses here.</summary>
    public static string Machine()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        string isa = System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "AVX-512F"
            : System.Runtime.Intrinsics.X86.Fma.IsSupported ? "AVX2+FMA"
            : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";
        return $"{cpu}, {Environment.ProcessorCount} cores, {isa}, .NET {Environment.Version}";
    }
}
