using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Image;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions.Transforms;

/// <summary>Options of <c>mlContext.Transforms.AugmentImages</c>.</summary>
public sealed class ImageAugmentationOptions
{
    /// <summary>Name of the augmented column (may equal the input column to replace it). Must be non-empty. Default "Features".</summary>
    public string OutputColumnName { get; set; } = "Features";

    /// <summary>
    /// Name of the source column: an <c>MLImage</c> column (from <c>LoadImages</c>) or a <c>Vector&lt;Single&gt;</c> pixel
    /// column. Default null: <see cref="OutputColumnName"/>.
    /// </summary>
    public string? InputColumnName { get; set; }

    /// <summary>
    /// The operations, applied in order, each with its own probability; not null, and no entry may be null. Default none
    /// (an empty list: the identity).
    /// </summary>
    public IList<AugmentationOperation> Operations { get; set; } = new List<AugmentationOperation>();

    /// <summary>
    /// Seed of the random draws; together with the pass number and row position it determines every draw. Range
    /// [int.MinValue, int.MaxValue] (any int). Default 0.
    /// </summary>
    public int Seed { get; set; }

    /// <summary>
    /// Layout of a pixel-vector column; a declared shape must hold as many values as the vector (checked at Fit). Default
    /// null: inferred from the vector's dimensions C × H × W or H × W (as <c>ExtractPixels</c> declares them), or as a square
    /// grey image when the vector has one dimension of square size (784 → 28 × 28). Ignored for <c>MLImage</c> columns.
    /// </summary>
    public ImageShape? Shape { get; set; }

    /// <summary>
    /// Value of a black pixel in a pixel-vector column (ignored for <c>MLImage</c> columns, checked always). Range
    /// (−∞, <see cref="PixelMaximum"/>). Default 0.
    /// </summary>
    public float PixelMinimum { get; set; }

    /// <summary>
    /// Value of a white pixel in a pixel-vector column (255 for <c>ExtractPixels</c>' default, 1 for scaled data; ignored for
    /// <c>MLImage</c> columns, checked always). Range (<see cref="PixelMinimum"/>, ∞). Default 255. Fit rejects a column
    /// whose first 256 rows hold values outside [<see cref="PixelMinimum"/>, <see cref="PixelMaximum"/>] (by more than
    /// 0.1% of the range).
    /// </summary>
    public float PixelMaximum { get; set; } = 255f;
}

/// <summary>
/// Estimator of the image augmentation transform (<c>mlContext.Transforms.AugmentImages</c>). Its
/// <see cref="Fit"/> checks the column and, when a <see cref="FancyPca"/> operation needs it, computes the training
/// set's RGB eigen-pairs in one pass over the data.
/// </summary>
public sealed class ImageAugmentationEstimator : IEstimator<ImageAugmentationTransformer>
{
    private readonly IHostEnvironment _env;
    private readonly Settings _settings;

    internal ImageAugmentationEstimator(IHostEnvironment env, ImageAugmentationOptions options)
    {
        _env = env ?? throw new ArgumentNullException(nameof(env));
        ArgumentNullException.ThrowIfNull(options);
        _settings = Settings.From(options);
    }

    /// <summary>Checks the input column and returns the fitted transformer.</summary>
    /// <param name="input">The training data.</param>
    /// <returns>A transformer that augments <paramref name="input"/> (and passes any other data through).</returns>
    public ImageAugmentationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var layout = _settings.Bind(input.Schema);
        if (!layout.IsImage) CheckPixelRange(input);
        var ops = _settings.Operations.ToArray();
        if (ops.OfType<FancyPca>().Any(o => o.NeedsFitting))
        {
            var covariance = ComputeCovariance(input, layout);
            for (int i = 0; i < ops.Length; i++)
                if (ops[i] is FancyPca { NeedsFitting: true } pca) ops[i] = pca.WithCovariance(covariance);
        }
        return new ImageAugmentationTransformer(_env, _settings with { Operations = ops }, input);
    }

    /// <summary>Rows whose pixel values are checked against the declared range at Fit.</summary>
    private const int RangeCheckRows = 256;

    /// <summary>
    /// Values outside [PixelMinimum, PixelMaximum] would be clamped away by the kernels (a 0–255 column declared with
    /// maximum 1 becomes black and white): check the first rows at Fit and say which column and range.
    /// </summary>
    private void CheckPixelRange(IDataView input)
    {
        var column = input.Schema[_settings.InputColumnName];
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        using (var cursor = input.GetRowCursor(new[] { column }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var values = default(VBuffer<float>);
            for (int row = 0; row < RangeCheckRows && cursor.MoveNext(); row++)
            {
                getter(ref values);
                foreach (var v in values.DenseValues())
                {
                    if (v < min) min = v;
                    if (v > max) max = v;
                }
            }
        }
        if (min > max) return; // no rows
        float tolerance = 1e-3f * (_settings.PixelMaximum - _settings.PixelMinimum);
        if (min < _settings.PixelMinimum - tolerance || max > _settings.PixelMaximum + tolerance)
            throw new ArgumentOutOfRangeException(nameof(input),
                $"Column '{column.Name}' holds values from {min} to {max}, outside the declared pixel range " +
                $"[{_settings.PixelMinimum}, {_settings.PixelMaximum}]: set pixelMaximum (255 for ExtractPixels' default, 1 for scaled data).");
    }

    private double[] ComputeCovariance(IDataView input, ColumnLayout layout)
    {
        var column = input.Schema[_settings.InputColumnName];
        var accumulator = new RgbCovariance();
        var buffer = new PixelBuffer();
        using var cursor = input.GetRowCursor(new[] { column });
        var reader = layout.CreateReader(cursor, column, _settings);
        while (cursor.MoveNext())
            if (reader(buffer)) accumulator.Add(buffer);
        if (accumulator.Count < 2)
            throw new InvalidOperationException($"FancyPca cannot be fitted: column '{column.Name}' holds fewer than two pixels in the training data.");
        return accumulator.Covariance();
    }

    /// <summary>The output schema: the augmented column has the input column's type.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    /// <returns>The output schema shape.</returns>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var col = SchemaShapes.Find(inputSchema, _settings.InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"Input column '{_settings.InputColumnName}' not found.");
        bool isImage = col.ItemType is ImageDataViewType;
        bool isVector = col.ItemType == NumberDataViewType.Single && col.Kind != SchemaShape.Column.VectorKind.Scalar;
        if (!isImage && !isVector)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"Column '{_settings.InputColumnName}' must be an image (MLImage) or a Vector<Single> of pixels, but is {col.ItemType}.");
        return SchemaShapes.With(inputSchema,
            SchemaShapes.Column(_settings.OutputColumnName, col.Kind, col.ItemType, false, col.Annotations));
    }
}

/// <summary>
/// The image augmentation transformer: augments the data it was fitted on (and the data given to
/// <see cref="TrainingOnlyTransformerBase.TransformForTraining"/>), passes everything else through unchanged.
/// </summary>
public sealed class ImageAugmentationTransformer : TrainingOnlyTransformerBase, ILoadableComponent<ImageAugmentationTransformer>
{
    private static readonly ModelFormat ModelFormat = new("MLXAUGIM", 0x00010002, "MlxAugmentImages", OldestReadableVersion: 0x00010001);
    private readonly Settings _settings;

    internal ImageAugmentationTransformer(IHostEnvironment env, Settings settings, IDataView? fittedOn) : base(fittedOn)
    {
        _ = env;
        _settings = settings;
    }

    /// <summary>Name of the augmented column.</summary>
    public string OutputColumnName => _settings.OutputColumnName;

    /// <summary>Name of the source column.</summary>
    public string InputColumnName => _settings.InputColumnName;

    /// <summary>The operations, in order, as fitted (a <see cref="FancyPca"/> carries its eigen-pairs).</summary>
    public IReadOnlyList<AugmentationOperation> Operations => _settings.Operations;

    /// <summary>Seed of the random draws.</summary>
    public int Seed => _settings.Seed;

    /// <summary>Declared pixel-vector layout (null: inferred from the column).</summary>
    public ImageShape? Shape => _settings.Shape;

    static ModelFormat ILoadableComponent<ImageAugmentationTransformer>.Format => ModelFormat;

    /// <inheritdoc/>
    protected override ModelFormat Format => ModelFormat;

    /// <inheritdoc/>
    protected override IReadOnlyList<string> InputColumnNames => new[] { _settings.InputColumnName };

    /// <inheritdoc/>
    protected override IReadOnlyList<DataViewSchema.DetachedColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        _settings.Bind(inputSchema);
        var col = inputSchema[_settings.InputColumnName];
        return new[] { new DataViewSchema.DetachedColumn(_settings.OutputColumnName, col.Type, col.Annotations) };
    }

    private protected override Delegate?[] CreateGetters(DataViewRow input, bool[] isActive, long? pass)
    {
        var getters = new Delegate?[1];
        if (!isActive[0]) return getters;
        var column = input.Schema[_settings.InputColumnName];
        var layout = _settings.Bind(input.Schema);
        if (pass is null)
        {
            getters[0] = layout.IsImage ? input.GetGetter<MLImage>(column) : input.GetGetter<VBuffer<float>>(column);
            return getters;
        }
        var ops = _settings.Operations;
        ulong seed = (ulong)(uint)_settings.Seed, passNumber = (ulong)pass.Value;
        var buffer = new PixelBuffer();
        void Augment(long position) => AugmentationOperation.ApplyAll(ops, seed, passNumber, (ulong)position, buffer);
        if (layout.IsImage)
        {
            var source = input.GetGetter<MLImage>(column);
            MLImage? image = null;
            byte[]? pixels = null; // output bytes, reused: MLImage.CreateFromPixels copies them
            ValueGetter<MLImage> getter = (ref MLImage value) =>
            {
                ReadImage(source, ref image, input.Position, column.Name);
                value?.Dispose();
                if (image is null) { value = null!; return; }
                PixelConversion.FromImage(image, buffer);
                Augment(input.Position);
                value = PixelConversion.ToImage(buffer, image, ref pixels);
            };
            getters[0] = getter;
        }
        else
        {
            var source = input.GetGetter<VBuffer<float>>(column);
            var shape = layout.Shape;
            VBuffer<float> raw = default;
            float[] dense = Array.Empty<float>();
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                source(ref raw);
                if (raw.Length != shape.Size)
                    throw new InvalidOperationException(
                        $"Column '{column.Name}', row {input.Position}: the pixel vector has {raw.Length} values but the image shape {shape} needs {shape.Size}.");
                if (dense.Length < raw.Length) dense = new float[raw.Length];
                raw.CopyTo(dense);
                PixelConversion.FromVector(dense, shape, _settings.PixelMinimum, _settings.PixelMaximum, buffer);
                Augment(input.Position);
                var editor = VBufferEditor.Create(ref value, shape.Size);
                PixelConversion.ToVector(buffer, _settings.PixelMinimum, _settings.PixelMaximum, editor.Values);
                value = editor.Commit();
            };
            getters[0] = getter;
        }
        return getters;
    }

    internal static void ReadImage(ValueGetter<MLImage> source, ref MLImage? image, long position, string column)
    {
        try
        {
            source(ref image!);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidOperationException($"Column '{column}', row {position}: the image could not be read: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    protected override void SaveModel(BinaryWriter writer) => _settings.Write(writer);

    static ImageAugmentationTransformer ILoadableComponent<ImageAugmentationTransformer>.Load(IHostEnvironment environment, BinaryReader reader)
        => new(environment, Settings.Read(reader), null);
}

/// <summary>How an image column is read: an <c>MLImage</c> column, or a pixel vector of a known shape.</summary>
internal readonly record struct ColumnLayout(bool IsImage, ImageShape Shape)
{
    /// <summary>A reader that fills a buffer from the current row; false when the row has no image.</summary>
    public Func<PixelBuffer, bool> CreateReader(DataViewRow row, DataViewSchema.Column column, Settings settings)
    {
        if (IsImage)
        {
            var source = row.GetGetter<MLImage>(column);
            MLImage? image = null;
            return buffer =>
            {
                ImageAugmentationTransformer.ReadImage(source, ref image, row.Position, column.Name);
                if (image is null) return false;
                PixelConversion.FromImage(image, buffer);
                return true;
            };
        }
        var vector = row.GetGetter<VBuffer<float>>(column);
        VBuffer<float> raw = default;
        var shape = Shape;
        var dense = new float[shape.Size];
        return buffer =>
        {
            vector(ref raw);
            if (raw.Length != shape.Size)
                throw new InvalidOperationException(
                    $"Column '{column.Name}', row {row.Position}: the pixel vector has {raw.Length} values but the image shape {shape} needs {shape.Size}.");
            raw.CopyTo(dense);
            PixelConversion.FromVector(dense, shape, settings.PixelMinimum, settings.PixelMaximum, buffer);
            return true;
        };
    }
}

/// <summary>The validated, immutable settings of an image augmentation.</summary>
internal sealed record Settings(string OutputColumnName, string InputColumnName, IReadOnlyList<AugmentationOperation> Operations,
    int Seed, ImageShape? Shape, float PixelMinimum, float PixelMaximum)
{
    public static Settings From(ImageAugmentationOptions options)
    {
        if (string.IsNullOrEmpty(options.OutputColumnName))
            throw new ArgumentException("OutputColumnName must be a column name.", nameof(options));
        var ops = (options.Operations ?? throw new ArgumentException("Operations must not be null.", nameof(options))).ToArray();
        for (int i = 0; i < ops.Length; i++)
            if (ops[i] is null) throw new ArgumentException($"Operations[{i}] is null.", nameof(options));
        if (!float.IsFinite(options.PixelMinimum) || !float.IsFinite(options.PixelMaximum) || options.PixelMaximum <= options.PixelMinimum)
            throw new ArgumentOutOfRangeException(nameof(options.PixelMaximum),
                $"PixelMaximum ({options.PixelMaximum}) must be greater than PixelMinimum ({options.PixelMinimum}), both finite.");
        return new Settings(options.OutputColumnName, options.InputColumnName ?? options.OutputColumnName, ops, options.Seed,
            options.Shape, options.PixelMinimum, options.PixelMaximum);
    }

    /// <summary>Checks the input column in <paramref name="schema"/> and works out its layout.</summary>
    public ColumnLayout Bind(DataViewSchema schema)
    {
        var found = schema.GetColumnOrNull(InputColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Input column '{InputColumnName}' not found.");
        var type = found.Type;
        ColumnLayout layout;
        if (type is ImageDataViewType)
        {
            layout = new ColumnLayout(true, default);
        }
        else if (type is VectorDataViewType { ItemType: NumberDataViewType n } vector && n == NumberDataViewType.Single)
        {
            layout = new ColumnLayout(false, ResolveShape(vector));
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Column '{InputColumnName}' must be an image (MLImage) or a Vector<Single> of pixels, but is {type}.");
        }
        int channels = layout.IsImage ? 3 : layout.Shape.Channels;
        foreach (var op in Operations)
        {
            if (channels == 3 || !op.NeedsColour) continue;
            if (op is FancyPca)
                throw new InvalidOperationException(
                    $"FancyPca needs RGB images, but column '{InputColumnName}' holds grey images ({layout.Shape}): Fancy PCA has no colour to work on.");
            throw new InvalidOperationException(
                $"{op.GetType().Name} needs RGB images, but column '{InputColumnName}' holds grey images ({layout.Shape}).");
        }
        return layout;
    }

    private ImageShape ResolveShape(VectorDataViewType vector)
    {
        if (Shape is { } declared)
        {
            if (vector.IsKnownSize && vector.Size != declared.Size)
                throw new ArgumentOutOfRangeException(nameof(vector),
                    $"Column '{InputColumnName}' has {vector.Size} values per row, but the declared image shape {declared} needs {declared.Size}.");
            return declared;
        }
        var dims = vector.Dimensions;
        if (vector.IsKnownSize)
        {
            if (dims.Length == 3)
            {
                if (dims[0] is not (1 or 3))
                    throw new ArgumentOutOfRangeException(nameof(vector),
                        $"Column '{InputColumnName}' ({vector}) is not planar grey or RGB (channels × height × width with 1 or 3 channels): " +
                        (dims[2] is 1 or 3 or 4 ? "interleaved pixels are not supported; use ExtractPixels without interleavePixelColors. " : "") +
                        "Extract RGB planes without alpha, in R, G, B order, or declare the shape (options.Shape).");
                return new ImageShape(dims[0], dims[1], dims[2]);
            }
            if (dims.Length == 2) return new ImageShape(1, dims[0], dims[1]);
            int side = (int)Math.Round(Math.Sqrt(vector.Size));
            if (dims.Length == 1 && side * side == vector.Size) return new ImageShape(1, side, side);
        }
        throw new ArgumentOutOfRangeException(nameof(vector),
            $"The image shape of column '{InputColumnName}' ({vector}) cannot be inferred: declare it (options.Shape, e.g. ImageShape.Rgb(32, 32)).");
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(OutputColumnName);
        writer.Write(InputColumnName);
        writer.Write(Seed);
        writer.Write(Shape.HasValue);
        if (Shape is { } s) { writer.Write(s.Channels); writer.Write(s.Height); writer.Write(s.Width); }
        writer.Write(PixelMinimum);
        writer.Write(PixelMaximum);
        writer.Write(Operations.Count);
        foreach (var op in Operations) op.Write(writer);
    }

    public static Settings Read(BinaryReader reader)
    {
        string output = reader.ReadString(), input = reader.ReadString();
        int seed = reader.ReadInt32();
        ImageShape? shape = reader.ReadBoolean() ? new ImageShape(reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32()) : null;
        float min = reader.ReadSingle(), max = reader.ReadSingle();
        int count = reader.ReadInt32();
        if (count < 0 || count > 10_000) throw new FormatException($"Invalid operation count {count}.");
        var ops = new AugmentationOperation[count];
        for (int i = 0; i < count; i++) ops[i] = AugmentationOperation.Read(reader);
        return new Settings(output, input, ops, seed, shape, min, max);
    }
}
