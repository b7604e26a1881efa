using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// The sets of the <c>tabular</c> benchmark and the pipeline an ML.NET user already has for them: <c>TextLoader</c>
/// (comma, header, quoting, <c>MissingRealsAsNaNs</c>), <c>OneHotEncoding</c> per categorical column, <c>Concatenate</c>
/// into <c>Features</c>; no normalizer and no missing-value replacement. The featurized data is cached in memory so that
/// a trainer's timing is its <c>Fit</c> alone.
/// </summary>
internal static class TabularSuite
{
    /// <summary>The 11 real tabular sets in <c>data/tabular/</c>, in the order of the data README.</summary>
    public static readonly string[] TabularNames =
        ["satellite", "vehicle", "pima2", "boston2", "concrete", "credit", "lending_club", "sacramento", "penguins", "car_prices", "pd_speech"];

    /// <summary>The extra sets in <c>data/</c> (no header, label first, all numeric) and <c>data/text/</c>.</summary>
    public static readonly string[] ExtraNames = ["digits", "breast_cancer", "diabetes", "mnist10k", "text"];

    /// <summary>A set after the featurization pipeline: cached train and test views with <c>Label</c> and <c>Features</c>.</summary>
    /// <param name="Set">The set's description.</param>
    /// <param name="Train">Featurized, cached training data.</param>
    /// <param name="Test">Featurized, cached test data (the pipeline fitted on the training data).</param>
    /// <param name="TrainRows">Rows of the training data.</param>
    /// <param name="TestRows">Rows of the test data.</param>
    /// <param name="FeatureSlots">Length of the <c>Features</c> vector.</param>
    /// <param name="PrepareSeconds">Loading and featurization time (not part of any trainer's time).</param>
    public sealed record Prepared(TabularSet Set, IDataView Train, IDataView Test, long TrainRows, long TestRows, int FeatureSlots, double PrepareSeconds);

    /// <summary>
    /// The sets of another folder in the same format as <c>data/tabular/</c> (one <c>&lt;name&gt;.schema.json</c> with
    /// <c>&lt;name&gt;_train.csv</c> and <c>&lt;name&gt;_test.csv</c> per set), by name in ordinal order.
    /// </summary>
    /// <exception cref="ArgumentException">The folder does not exist or holds no schema file.</exception>
    public static string[] NamesIn(string dir)
    {
        if (!Directory.Exists(dir))
        {
            throw new ArgumentException($"--data-dir: folder '{dir}' not found.");
        }

        const string suffix = ".schema.json";
        string[] names = Directory.GetFiles(dir, "*" + suffix)
            .Select(p => Path.GetFileName(p)[..^suffix.Length])
            .Order(StringComparer.Ordinal)
            .ToArray();
        return names.Length > 0 ? names : throw new ArgumentException($"--data-dir: no *{suffix} in '{dir}'.");
    }

    /// <summary>
    /// The description of set <paramref name="name"/> of folder <paramref name="dataDir"/> (a set named by its
    /// <c>&lt;name&gt;.schema.json</c> there, as <see cref="NamesIn"/> lists them).
    /// </summary>
    public static TabularSet Describe(string name, string dataDir)
    {
        if (!File.Exists(Path.Combine(dataDir, $"{name}.schema.json")))
        {
            throw new ArgumentException($"Unknown set '{name}' in {dataDir}. Known: {string.Join(", ", NamesIn(dataDir))}.");
        }

        return FromSchema(name, dataDir);
    }

    /// <summary>The description of set <paramref name="name"/>, one of <see cref="TabularNames"/> or <see cref="ExtraNames"/>.</summary>
    public static TabularSet Describe(string name)
    {
        string data = Path.Combine(RepoRoot.Find(), "data");
        return name switch
        {
            "digits" => Headerless(name, TabularTask.Multiclass, data, ".csv"),
            "breast_cancer" => Headerless(name, TabularTask.Binary, data, ".csv"),
            "diabetes" => Headerless(name, TabularTask.Regression, data, ".csv"),
            "mnist10k" => Headerless(name, TabularTask.Multiclass, data, ".csv.gz"),
            "text" => TextSet(Path.Combine(data, "text")),
            _ when TabularNames.Contains(name) => FromSchema(name, Path.Combine(data, "tabular")),
            _ => throw new ArgumentException($"Unknown set '{name}'. Known: {string.Join(", ", TabularNames.Concat(ExtraNames))}."),
        };
    }

    /// <summary>A set of <c>data/tabular/</c> (or of a <c>--data-dir</c> folder) as its <c>&lt;name&gt;.schema.json</c> describes it.</summary>
    private static TabularSet FromSchema(string name, string dir)
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, $"{name}.schema.json")));
        var root = schema.RootElement;
        TabularTask task = root.GetProperty("task").GetString() switch
        {
            "multiclass" => TabularTask.Multiclass,
            "binary" => TabularTask.Binary,
            "regression" => TabularTask.Regression,
            var t => throw new InvalidDataException($"{name}.schema.json: unknown task '{t}'."),
        };
        string[] Names(string property) => root.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToArray();
        string[] columns = Names("columns");
        var categorical = new HashSet<string>(Names("categorical"));
        var loaderColumns = new List<TextLoader.Column> { new("Label", LabelKind(task), 0) };
        for (int i = 0; i < columns.Length; i++)
        {
            loaderColumns.Add(new TextLoader.Column(columns[i], categorical.Contains(columns[i]) ? DataKind.String : DataKind.Single, i + 1));
        }

        return new TabularSet
        {
            Name = name,
            Task = task,
            TrainPath = Path.Combine(dir, $"{name}_train.csv"),
            TestPath = Path.Combine(dir, $"{name}_test.csv"),
            HasHeader = true,
            Columns = loaderColumns.ToArray(),
            Numeric = columns.Where(c => !categorical.Contains(c)).ToArray(),
            Categorical = columns.Where(categorical.Contains).ToArray(),
        };
    }

    /// <summary>A set of <c>data/</c>: no header, the label first, then all-numeric features read as one vector column.</summary>
    private static TabularSet Headerless(string name, TabularTask task, string dir, string extension)
    {
        string train = Path.Combine(dir, $"{name}_train{extension}");
        int features = CountFields(train) - 1;
        return new TabularSet
        {
            Name = name,
            Task = task,
            IsExtra = true,
            TrainPath = train,
            TestPath = Path.Combine(dir, $"{name}_test{extension}"),
            HasHeader = false,
            Columns = [new("Label", LabelKind(task), 0), new("Values", DataKind.Single, 1, features)],
            Numeric = ["Values"],
        };
    }

    /// <summary>The text set of <c>data/text/</c>: header <c>Label,Text</c>, binary label, one free-text column.</summary>
    private static TabularSet TextSet(string dir) => new()
    {
        Name = "text",
        Task = TabularTask.Binary,
        IsExtra = true,
        TrainPath = Path.Combine(dir, "text_train.csv"),
        TestPath = Path.Combine(dir, "text_test.csv"),
        HasHeader = true,
        Columns = [new("Label", DataKind.Boolean, 0), new("Text", DataKind.String, 1)],
        Numeric = [],
        Text = ["Text"],
    };

    private static DataKind LabelKind(TabularTask task) => task switch
    {
        TabularTask.Multiclass => DataKind.String,
        TabularTask.Binary => DataKind.Boolean,
        _ => DataKind.Single,
    };

    private static int CountFields(string path)
    {
        using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal)
            ? new GZipStream(File.OpenRead(path), CompressionMode.Decompress)
            : File.OpenRead(path);
        using var reader = new StreamReader(stream);
        return (reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty.")).Split(',').Length;
    }

    /// <summary>
    /// Loads <paramref name="set"/>, fits the featurization pipeline on its training file, and returns both splits
    /// featurized and cached (read once here, so later passes come from memory).
    /// </summary>
    public static Prepared Prepare(MLContext ml, TabularSet set)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = set.Columns,
            HasHeader = set.HasHeader,
            AllowQuoting = true,
            Separators = [','],
            MissingRealsAsNaNs = true,
        });
        IDataView Read(string path) => path.EndsWith(".gz", StringComparison.Ordinal)
            ? loader.Load(new GzipStreamSource(path))
            : loader.Load(path);

        IDataView trainRaw = Read(set.TrainPath);
        IDataView testRaw = Read(set.TestPath);
        var pipeline = Featurizer(ml, set);
        var featurizer = pipeline.Fit(trainRaw);
        IDataView train = Materialize(ml, featurizer.Transform(trainRaw), out long trainRows);
        IDataView test = Materialize(ml, featurizer.Transform(testRaw), out long testRows);
        int slots = train.Schema["Features"].Type is VectorDataViewType v ? v.Size : 1;
        return new Prepared(set, train, test, trainRows, testRows, slots, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The user's pipeline up to <c>Features</c>: the label to a key (multiclass), <c>OneHotEncoding</c> per categorical
    /// column, <c>FeaturizeText</c> per text column, <c>Concatenate</c> of numeric then encoded columns.
    /// </summary>
    public static IEstimator<ITransformer> Featurizer(MLContext ml, TabularSet set)
    {
        IEstimator<ITransformer> pipeline = set.Task == TabularTask.Multiclass
            ? ml.Transforms.Conversion.MapValueToKey("Label")
            : new EstimatorChain<ITransformer>();
        var inputs = new List<string>(set.Numeric);
        foreach (string c in set.Categorical)
        {
            pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(c + "_onehot", c));
            inputs.Add(c + "_onehot");
        }

        foreach (string c in set.Text)
        {
            pipeline = pipeline.Append(ml.Transforms.Text.FeaturizeText(c + "_text", c));
            inputs.Add(c + "_text");
        }

        return pipeline
            .Append(ml.Transforms.Concatenate("Features", inputs.ToArray()))
            .Append(ml.Transforms.SelectColumns("Label", "Features"));
    }

    /// <summary>Caches <paramref name="view"/> in memory and fills the cache with one full pass.</summary>
    private static IDataView Materialize(MLContext ml, IDataView view, out long rows)
    {
        IDataView cached = ml.Data.Cache(view);
        rows = 0;
        using var cursor = cached.GetRowCursor(cached.Schema);
        while (cursor.MoveNext())
        {
            rows++;
        }

        return cached;
    }

    /// <summary>Short hash (SHA-256, 12 hex digits) of a set's train and test files, to tell a stale baseline cache.</summary>
    public static string Fingerprint(TabularSet set)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (string path in new[] { set.TrainPath, set.TestPath })
        {
            sha.AppendData(File.ReadAllBytes(path));
        }

        return Convert.ToHexString(sha.GetHashAndReset())[..12].ToLower(CultureInfo.InvariantCulture);
    }
}
