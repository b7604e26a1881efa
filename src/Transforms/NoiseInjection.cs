using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions.Transforms;

/// <summary>The kind of noise <c>mlContext.Transforms.InjectNoise</c> adds.</summary>
public enum NoiseKind
{
    /// <summary>x + σ·n with n ~ N(0, 1) per value. The default.</summary>
    AdditiveGaussian = 0,

    /// <summary>x · (1 + σ·n) with n ~ N(0, 1) per value (mean-preserving).</summary>
    MultiplicativeGaussian = 1,

    /// <summary>Each value zeroed with probability p (masking noise, as in denoising autoencoders or input dropout);
    /// with inverted scaling the kept values are divided by 1 − p so the expected value is unchanged.</summary>
    Masking = 2,
}

/// <summary>Options of <c>mlContext.Transforms.InjectNoise</c>.</summary>
public sealed class NoiseInjectionOptions
{
    /// <summary>Name of the noisy column. Must be non-empty. Default "Features".</summary>
    public string OutputColumnName { get; set; } = "Features";

    /// <summary>Name of the <c>Vector&lt;Single&gt;</c> source column. Default null: <see cref="OutputColumnName"/>.</summary>
    public string? InputColumnName { get; set; }

    /// <summary>The kind of noise; any defined member. Default <see cref="NoiseKind.AdditiveGaussian"/>.</summary>
    public NoiseKind Kind { get; set; } = NoiseKind.AdditiveGaussian;

    /// <summary>
    /// σ of the Gaussian kinds, in the column's units for additive noise and relative for multiplicative noise (masking
    /// ignores it; it is checked always). Range [0, ∞). Default 0.1.
    /// </summary>
    public float StandardDeviation { get; set; } = 0.1f;

    /// <summary>
    /// Probability that a value is zeroed, for <see cref="NoiseKind.Masking"/> (the Gaussian kinds ignore it; it is checked
    /// always). Range [0, 1). Default 0.1.
    /// </summary>
    public float MaskProbability { get; set; } = 0.1f;

    /// <summary>For <see cref="NoiseKind.Masking"/>: divide kept values by 1 − p (inverted dropout). Default false.</summary>
    public bool InvertedScaling { get; set; }

    /// <summary>Seed of the draws (with the pass number and row position). Range [int.MinValue, int.MaxValue] (any int). Default 0.</summary>
    public int Seed { get; set; }
}

/// <summary>
/// Estimator of noise injection on a <c>Vector&lt;Single&gt;</c> column (additive or multiplicative Gaussian, or
/// masking). Training only: other data, a <see cref="PredictionEngine{TSrc, TDst}"/> and reloaded models see the
/// column unchanged.
/// </summary>
public sealed class NoiseInjectionEstimator : IEstimator<NoiseInjectionTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly NoiseInjectionTransformer.Parameters _parameters;

    internal NoiseInjectionEstimator(IHostEnvironment env, NoiseInjectionOptions options)
    {
        _env = env ?? throw new ArgumentNullException(nameof(env));
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.OutputColumnName)) throw new ArgumentException("OutputColumnName must be a column name.", nameof(options));
        Check.Defined(options.Kind, nameof(options.Kind));
        Check.NonNegative(options.StandardDeviation, nameof(options.StandardDeviation));
        if (!(options.MaskProbability >= 0f && options.MaskProbability < 1f))
            throw new ArgumentOutOfRangeException(nameof(options.MaskProbability), options.MaskProbability, "MaskProbability must lie in [0, 1).");
        _parameters = new(options.OutputColumnName, options.InputColumnName ?? options.OutputColumnName, options.Kind,
            options.StandardDeviation, options.MaskProbability, options.InvertedScaling, options.Seed);
    }

    /// <summary>Checks the column and returns the transformer.</summary>
    /// <param name="input">The training data.</param>
    /// <returns>The transformer, adding noise to <paramref name="input"/>.</returns>
    public NoiseInjectionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        NoiseInjectionTransformer.CheckColumn(input.Schema, _parameters.InputColumnName);
        return new NoiseInjectionTransformer(_env, _parameters, input);
    }

    /// <summary>The output schema: the noisy column has the input column's type.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    /// <returns>The output schema shape.</returns>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var col = SchemaShapes.Find(inputSchema, _parameters.InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{_parameters.InputColumnName}' not found.");
        if (col.ItemType != NumberDataViewType.Single || col.Kind == SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Column '{_parameters.InputColumnName}' must be a Vector<Single>, but is {col.ItemType}.");
        return SchemaShapes.With(inputSchema, SchemaShapes.Column(_parameters.OutputColumnName, col.Kind, col.ItemType, false, col.Annotations));
    }
}

/// <summary>The noise injection transformer (see <see cref="NoiseInjectionEstimator"/>).</summary>
public sealed class NoiseInjectionTransformer : TrainingOnlyTransformerBase, ILoadableComponent<NoiseInjectionTransformer>
{
    internal sealed record Parameters(string OutputColumnName, string InputColumnName, NoiseKind Kind, float StandardDeviation,
        float MaskProbability, bool InvertedScaling, int Seed);

    private static readonly ModelFormat ModelFormat = new("MLXNOISE", 0x00010002, "MlxInjectNoise", OldestReadableVersion: 0x00010001);
    private readonly Parameters _p;

    internal NoiseInjectionTransformer(IHostEnvironment env, Parameters parameters, IDataView? fittedOn) : base(fittedOn)
    {
        _ = env;
        _p = parameters;
    }

    /// <summary>Name of the noisy column.</summary>
    public string OutputColumnName => _p.OutputColumnName;

    /// <summary>Name of the source column.</summary>
    public string InputColumnName => _p.InputColumnName;

    /// <summary>The kind of noise.</summary>
    public NoiseKind Kind => _p.Kind;

    /// <summary>σ of the Gaussian kinds.</summary>
    public float StandardDeviation => _p.StandardDeviation;

    /// <summary>Masking probability.</summary>
    public float MaskProbability => _p.MaskProbability;

    /// <summary>Whether masking rescales kept values by 1/(1 − p).</summary>
    public bool InvertedScaling => _p.InvertedScaling;

    /// <summary>Seed of the draws.</summary>
    public int Seed => _p.Seed;

    static ModelFormat ILoadableComponent<NoiseInjectionTransformer>.Format => ModelFormat;

    /// <inheritdoc/>
    protected override ModelFormat Format => ModelFormat;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> InputColumnNames => new[] { _p.InputColumnName };

    internal static DataViewSchema.Column CheckColumn(DataViewSchema schema, string name)
    {
        var col = schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Input column '{name}' not found.");
        if (col.Type is not VectorDataViewType { ItemType: var item } || item != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(schema), $"Column '{name}' must be a Vector<Single>, but is {col.Type}.");
        return col;
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<DataViewSchema.DetachedColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        var col = CheckColumn(inputSchema, _p.InputColumnName);
        return new[] { new DataViewSchema.DetachedColumn(_p.OutputColumnName, col.Type, col.Annotations) };
    }

    /// <summary>Adds this transformer's noise to <paramref name="values"/> in place.</summary>
    internal void AddNoise(Span<float> values, ref RandomStream random, Span<float> scratch)
    {
        switch (_p.Kind)
        {
            case NoiseKind.AdditiveGaussian:
                NoiseKernels.FillStandardNormal(scratch, ref random);
                for (int i = 0; i < values.Length; i++) values[i] += _p.StandardDeviation * scratch[i];
                break;
            case NoiseKind.MultiplicativeGaussian:
                NoiseKernels.FillStandardNormal(scratch, ref random);
                for (int i = 0; i < values.Length; i++) values[i] *= 1f + _p.StandardDeviation * scratch[i];
                break;
            default:
                float keepScale = _p.InvertedScaling ? 1f / (1f - _p.MaskProbability) : 1f;
                for (int i = 0; i < values.Length; i++)
                    values[i] = random.NextSingle() < _p.MaskProbability ? 0f : values[i] * keepScale;
                break;
        }
    }

    private protected override Delegate?[] CreateGetters(DataViewRow input, bool[] isActive, long? pass)
    {
        var getters = new Delegate?[1];
        if (!isActive[0]) return getters;
        var column = input.Schema[_p.InputColumnName];
        if (pass is null)
        {
            getters[0] = input.GetGetter<VBuffer<float>>(column);
            return getters;
        }
        var source = input.GetGetter<VBuffer<float>>(column);
        ulong seed = (ulong)(uint)_p.Seed, passNumber = (ulong)pass.Value;
        VBuffer<float> raw = default;
        float[] scratch = Array.Empty<float>();
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
        {
            source(ref raw);
            int n = raw.Length;
            if (scratch.Length < n) scratch = new float[n];
            var editor = VBufferEditor.Create(ref value, n);
            raw.CopyTo(editor.Values);
            // Salted with the output column, so two noise steps (or noise and augmentation) with the same seed draw apart.
            var random = RandomStream.For(seed ^ RandomStream.Salt("InjectNoise:" + _p.OutputColumnName), passNumber, (ulong)input.Position);
            AddNoise(editor.Values, ref random, scratch.AsSpan(0, n));
            value = editor.Commit();
        };
        getters[0] = getter;
        return getters;
    }

    /// <inheritdoc/>
    protected override void SaveModel(BinaryWriter writer)
    {
        writer.Write(_p.OutputColumnName); writer.Write(_p.InputColumnName); writer.Write((int)_p.Kind);
        writer.Write(_p.StandardDeviation); writer.Write(_p.MaskProbability); writer.Write(_p.InvertedScaling); writer.Write(_p.Seed);
    }

    static NoiseInjectionTransformer ILoadableComponent<NoiseInjectionTransformer>.Load(IHostEnvironment environment, BinaryReader reader)
    {
        var p = new Parameters(reader.ReadString(), reader.ReadString(), (NoiseKind)reader.ReadInt32(),
            reader.ReadSingle(), reader.ReadSingle(), reader.ReadBoolean(), reader.ReadInt32());
        if (!Enum.IsDefined(p.Kind) || !(p.StandardDeviation >= 0f) || !float.IsFinite(p.StandardDeviation) || !(p.MaskProbability is >= 0f and < 1f))
            throw new FormatException($"The saved noise injection for column '{p.OutputColumnName}' has invalid settings ({p.Kind}, σ {p.StandardDeviation}, p {p.MaskProbability}): the file is corrupted or from a newer version.");
        return new(environment, p, null);
    }
}
