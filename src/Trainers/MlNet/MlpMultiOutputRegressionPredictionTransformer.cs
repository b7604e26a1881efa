using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Scores rows with a trained multi-output regression MLP: Score is a Vector&lt;Single, K&gt; of the K predictions in the
/// label's units, in the label's slot order, with the label's SlotNames when it had them. Its annotations are
/// ScoreColumnKind "MultiOutputRegression" (ML.NET's name for the task) and ScoreValueKind "Score".
/// </summary>
public sealed class MlpMultiOutputRegressionPredictionTransformer : MlpPredictionTransformerBase, ILoadableComponent<MlpMultiOutputRegressionPredictionTransformer>
{
    /// <summary>The ScoreColumnKind annotation of the Score column: ML.NET's constant for the task (its AnnotationUtils is internal).</summary>
    internal const string ScoreColumnKind = "MultiOutputRegression";

    // The first version: framed payload with its CRC-32 (PayloadChecksum), model payload of revision 4.
    private static readonly ModelFormat FormatV1 = new("MLXMLPMO", 0x00010001, "MlNetExtMlpMultiOutput");
    private readonly KeyValueNames? _names;

    internal MlpMultiOutputRegressionPredictionTransformer(MlpModelParameters model, string featureColumnName, KeyValueNames? names)
        : base(model, featureColumnName) => _names = names;

    /// <summary>The number K of outputs: the size of the Score vector.</summary>
    public int OutputCount => Model.OutputSize;

    /// <summary>The names of the outputs in Score's order (the label's SlotNames), or null when the label had none.</summary>
    public IReadOnlyList<string>? OutputNames => _names?.Values;

    static ModelFormat ILoadableComponent<MlpMultiOutputRegressionPredictionTransformer>.Format => FormatV1;

    /// <inheritdoc/>
    protected override ModelFormat Format => FormatV1;

    static MlpMultiOutputRegressionPredictionTransformer ILoadableComponent<MlpMultiOutputRegressionPredictionTransformer>.Load(IHostEnvironment environment, BinaryReader reader)
    {
        string features = reader.ReadString();
        var names = KeyValueNames.ReadOptional(reader);
        var model = MlpModelSerializer.Read(reader);
        if (names is not null && names.Count != model.OutputSize)
            throw new FormatException($"The model names {names.Count} outputs for a network of {model.OutputSize}: the file is corrupted.");
        return new MlpMultiOutputRegressionPredictionTransformer(model, features, names);
    }

    private protected override void SaveTask(BinaryWriter writer) => KeyValueNames.WriteOptional(writer, _names);

    /// <inheritdoc/>
    protected override IReadOnlyList<DataViewSchema.DetachedColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        CheckFeatures(inputSchema);
        var annotations = ScoreAnnotations(ScoreColumnKind, "Score", b => _names?.AddSlotNames(b));
        return new[] { new DataViewSchema.DetachedColumn("Score", new VectorDataViewType(NumberDataViewType.Single, OutputCount), annotations) };
    }

    /// <inheritdoc/>
    protected override Delegate?[] CreateGetters(DataViewRow input, bool[] isActive)
    {
        var scorer = new RowScorer(input, this);
        int k = OutputCount;
        ValueGetter<VBuffer<float>> score = (ref VBuffer<float> dst) =>
        {
            scorer.Ensure();
            var editor = VBufferEditor.Create(ref dst, k);
            scorer.Output.CopyTo(editor.Values);
            dst = editor.Commit();
        };
        return new Delegate?[] { isActive[0] ? score : null };
    }
}
