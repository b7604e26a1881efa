using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions.Transforms;

/// <summary>Options of <c>mlContext.Transforms.SmoothLabels</c>.</summary>
public sealed class LabelSmoothingOptions
{
    /// <summary>Name of the soft-target column. Must be non-empty. Default "Label".</summary>
    public string OutputColumnName { get; set; } = "Label";

    /// <summary>
    /// Name of the key-typed label column (from <c>MapValueToKey</c>, a UInt32 key of 2 to 1,000,000 classes, checked at
    /// Fit). Default null: <see cref="OutputColumnName"/>.
    /// </summary>
    public string? InputColumnName { get; set; }

    /// <summary>
    /// The smoothing ε taken from the true class; 0 gives the one-hot target. Range [0, 1). Default 0.1. With the
    /// <see cref="LabelSmoothingForm.Lecture"/> form ε must be below (K − 1)/K for K classes (Fit throws otherwise): from
    /// there on a wrong class would get at least as much as the true one.
    /// </summary>
    public float Epsilon { get; set; } = 0.1f;

    /// <summary>How ε is spread; any defined member. Default <see cref="LabelSmoothingForm.Lecture"/>.</summary>
    public LabelSmoothingForm Form { get; set; } = LabelSmoothingForm.Lecture;
}

/// <summary>
/// Estimator of label smoothing: a key-typed label with K classes becomes a <c>Vector&lt;Single, K&gt;</c> of soft
/// targets whose slot names are the classes' names. Training only: on data other than the training view (scoring,
/// a <see cref="PredictionEngine{TSrc, TDst}"/>, a reloaded model) the column holds the hard one-hot target.
/// A missing label (key 0) gives a vector of zeros.
/// </summary>
public sealed class LabelSmoothingEstimator : IEstimator<LabelSmoothingTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly LabelSmoothingTransformer.Parameters _parameters;

    internal LabelSmoothingEstimator(IHostEnvironment env, LabelSmoothingOptions options)
    {
        _env = env ?? throw new ArgumentNullException(nameof(env));
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.OutputColumnName)) throw new ArgumentException("OutputColumnName must be a column name.", nameof(options));
        if (!(options.Epsilon >= 0f && options.Epsilon < 1f))
            throw new ArgumentOutOfRangeException(nameof(options.Epsilon), options.Epsilon, "Epsilon must lie in [0, 1).");
        Check.Defined(options.Form, nameof(options.Form));
        _parameters = new(options.OutputColumnName, options.InputColumnName ?? options.OutputColumnName, options.Epsilon, options.Form);
    }

    /// <summary>Checks the label column and returns the transformer.</summary>
    /// <param name="input">The training data.</param>
    /// <returns>The transformer, smoothing <paramref name="input"/>'s labels.</returns>
    public LabelSmoothingTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int classes = LabelSmoothingTransformer.ClassCount(input.Schema, _parameters.InputColumnName);
        float limit = _parameters.Form.EpsilonBelow(classes);
        if (_parameters.Epsilon >= limit)
            throw new ArgumentOutOfRangeException(nameof(LabelSmoothingOptions.Epsilon), _parameters.Epsilon,
                $"With the Lecture form and the {classes} classes of label column '{_parameters.InputColumnName}', Epsilon must be below (K − 1)/K = {limit:G4}: beyond it a wrong class gets more than the true one.");
        return new LabelSmoothingTransformer(_env, _parameters, input);
    }

    /// <summary>The output schema: a vector of Single with slot names.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    /// <returns>The output schema shape.</returns>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var col = SchemaShapes.Find(inputSchema, _parameters.InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Label column '{_parameters.InputColumnName}' not found.");
        if (!col.IsKey || col.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Label column '{_parameters.InputColumnName}' must be a scalar key (use MapValueToKey first), but is {col.ItemType}.");
        var annotations = new SchemaShape(new[] { SchemaShapes.TextVectorAnnotation(AnnotationUtilsKinds.SlotNames) });
        return SchemaShapes.With(inputSchema, SchemaShapes.Column(_parameters.OutputColumnName,
            SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, annotations));
    }
}

/// <summary>Annotation names used here (ML.NET's constants are internal).</summary>
internal static class AnnotationUtilsKinds
{
    public const string SlotNames = "SlotNames";
    public const string KeyValues = "KeyValues";
}

/// <summary>The label smoothing transformer (see <see cref="LabelSmoothingEstimator"/>).</summary>
public sealed class LabelSmoothingTransformer : TrainingOnlyTransformerBase, ILoadableComponent<LabelSmoothingTransformer>
{
    internal sealed record Parameters(string OutputColumnName, string InputColumnName, float Epsilon, LabelSmoothingForm Form);

    private static readonly ModelFormat ModelFormat = new("MLXLSMTH", 0x00010002, "MlxSmoothLabels", OldestReadableVersion: 0x00010001);
    private readonly Parameters _p;

    internal LabelSmoothingTransformer(IHostEnvironment env, Parameters parameters, IDataView? fittedOn) : base(fittedOn)
    {
        _ = env;
        _p = parameters;
    }

    /// <summary>Name of the soft-target column.</summary>
    public string OutputColumnName => _p.OutputColumnName;

    /// <summary>Name of the key-typed label column.</summary>
    public string InputColumnName => _p.InputColumnName;

    /// <summary>The smoothing ε.</summary>
    public float Epsilon => _p.Epsilon;

    /// <summary>How ε is spread.</summary>
    public LabelSmoothingForm Form => _p.Form;

    static ModelFormat ILoadableComponent<LabelSmoothingTransformer>.Format => ModelFormat;

    /// <inheritdoc/>
    protected override ModelFormat Format => ModelFormat;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> InputColumnNames => new[] { _p.InputColumnName };

    /// <summary>The soft targets (on, off) of a K-class problem for <paramref name="epsilon"/> and <paramref name="form"/>.</summary>
    internal static (float On, float Off) Targets(int classes, float epsilon, LabelSmoothingForm form) => form == LabelSmoothingForm.Uniform
        ? (1f - epsilon + epsilon / classes, epsilon / classes)
        : (1f - epsilon, classes > 1 ? epsilon / (classes - 1) : 0f);

    internal static int ClassCount(DataViewSchema schema, string column)
    {
        var col = schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{column}' not found.");
        if (col.Type is not KeyDataViewType key)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{column}' must be a key type (use MapValueToKey first), but is {col.Type}.");
        if (key.RawType != typeof(uint))
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{column}' is a key of {key.RawType.Name}; use a UInt32 key (MapValueToKey makes one).");
        if (key.Count is < 2 or > 1_000_000)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{column}' has {key.Count} class(es); label smoothing needs 2 to 1,000,000.");
        return (int)key.Count;
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<DataViewSchema.DetachedColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        int k = ClassCount(inputSchema, _p.InputColumnName);
        var names = SlotNames(inputSchema[_p.InputColumnName], k);
        var builder = new DataViewSchema.Annotations.Builder();
        builder.Add(AnnotationUtilsKinds.SlotNames, new VectorDataViewType(TextDataViewType.Instance, k), (ref VBuffer<ReadOnlyMemory<char>> value) =>
        {
            var editor = VBufferEditor.Create(ref value, k);
            for (int i = 0; i < k; i++) editor.Values[i] = names[i].AsMemory();
            value = editor.Commit();
        });
        return new[] { new DataViewSchema.DetachedColumn(_p.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, k), builder.ToAnnotations()) };
    }

    private static string[] SlotNames(DataViewSchema.Column column, int k)
    {
        var names = Enumerable.Range(0, k).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var kv = column.Annotations.Schema.GetColumnOrNull(AnnotationUtilsKinds.KeyValues);
        if (kv is not { Type: VectorDataViewType vt } || vt.Size != k) return names;
        string[]? read = vt.ItemType switch
        {
            TextDataViewType => Read<ReadOnlyMemory<char>>(column, v => v.ToString()),
            _ when vt.ItemType == NumberDataViewType.Single => Read<float>(column, v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
            _ when vt.ItemType == NumberDataViewType.Double => Read<double>(column, v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
            _ when vt.ItemType == NumberDataViewType.Int32 => Read<int>(column, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ when vt.ItemType == NumberDataViewType.Int64 => Read<long>(column, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ when vt.ItemType == NumberDataViewType.UInt32 => Read<uint>(column, v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            BooleanDataViewType => Read<bool>(column, v => v ? "True" : "False"),
            _ => null,
        };
        return read is { Length: var n } && n == k ? read : names;
    }

    private static string[] Read<T>(DataViewSchema.Column column, Func<T, string> format)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);
        return values.DenseValues().Select(format).ToArray();
    }

    private protected override Delegate?[] CreateGetters(DataViewRow input, bool[] isActive, long? pass)
    {
        var getters = new Delegate?[1];
        if (!isActive[0]) return getters;
        var column = input.Schema[_p.InputColumnName];
        int k = ClassCount(input.Schema, _p.InputColumnName);
        var (on, off) = pass is null ? (1f, 0f) : Targets(k, _p.Epsilon, _p.Form);
        var source = input.GetGetter<uint>(column);
        uint key = 0;
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
        {
            source(ref key);
            var editor = VBufferEditor.Create(ref value, k);
            var v = editor.Values;
            if (key == 0 || key > k) v.Clear();
            else { v.Fill(off); v[(int)key - 1] = on; }
            value = editor.Commit();
        };
        getters[0] = getter;
        return getters;
    }

    /// <inheritdoc/>
    protected override void SaveModel(BinaryWriter writer)
    {
        writer.Write(_p.OutputColumnName); writer.Write(_p.InputColumnName); writer.Write(_p.Epsilon); writer.Write((int)_p.Form);
    }

    static LabelSmoothingTransformer ILoadableComponent<LabelSmoothingTransformer>.Load(IHostEnvironment environment, BinaryReader reader)
    {
        var p = new Parameters(reader.ReadString(), reader.ReadString(), reader.ReadSingle(), (LabelSmoothingForm)reader.ReadInt32());
        if (!Enum.IsDefined(p.Form) || !(p.Epsilon is >= 0f and < 1f))
            throw new FormatException($"The saved label smoothing for column '{p.OutputColumnName}' has invalid settings (ε {p.Epsilon}, form {p.Form}): the file is corrupted or from a newer version.");
        return new(environment, p, null);
    }
}
