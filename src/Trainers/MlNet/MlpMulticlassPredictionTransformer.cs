using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Scores rows with a trained multiclass MLP: Score is the softmax of the network's outputs
/// (Vector&lt;Single, K&gt; with the classes as SlotNames) and PredictedLabel the most probable class
/// (Key&lt;UInt32, K&gt; carrying the label's KeyValues, so MapKeyToValue gives back the original labels).
/// </summary>
public sealed class MlpMulticlassPredictionTransformer : MlpPredictionTransformerBase, ILoadableComponent<MlpMulticlassPredictionTransformer>
{
    // Version 0x00010002 added the input preprocessing (missing values, robust scaling), 0x00010003 the payload frame with
    // its CRC-32 (PayloadChecksum); 0x00010001 and 0x00010002 files still load.
    private static readonly ModelFormat FormatV3 = new("MLXMLPMC", 0x00010003, "MlNetExtMlpMulticlass", OldestReadableVersion: 0x00010001);
    private readonly KeyValueNames? _names;

    internal MlpMulticlassPredictionTransformer(MlpModelParameters model, string featureColumnName, KeyValueNames? names)
        : base(model, featureColumnName) => _names = names;

    /// <summary>The class labels in key order, as text (null when the label column had no KeyValues).</summary>
    public IReadOnlyList<string>? ClassNames => _names?.Values;

    static ModelFormat ILoadableComponent<MlpMulticlassPredictionTransformer>.Format => FormatV3;

    /// <inheritdoc/>
    protected override ModelFormat Format => FormatV3;

    static MlpMulticlassPredictionTransformer ILoadableComponent<MlpMulticlassPredictionTransformer>.Load(IHostEnvironment environment, BinaryReader reader)
    {
        string features = reader.ReadString();
        var names = KeyValueNames.ReadOptional(reader);
        return new MlpMulticlassPredictionTransformer(MlpModelSerializer.Read(reader), features, names);
    }

    private protected override void SaveTask(BinaryWriter writer) => KeyValueNames.WriteOptional(writer, _names);

    /// <inheritdoc/>
    protected override IReadOnlyList<DataViewSchema.DetachedColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        CheckFeatures(inputSchema);
        int k = Model.OutputSize;
        var score = ScoreAnnotations("MulticlassClassification", "Score", b => _names?.AddSlotNames(b));
        var predicted = ScoreAnnotations("MulticlassClassification", "PredictedLabel", b => _names?.AddTo(b, "KeyValues"));
        return new[]
        {
            new DataViewSchema.DetachedColumn("Score", new VectorDataViewType(NumberDataViewType.Single, k), score),
            new DataViewSchema.DetachedColumn("PredictedLabel", new KeyDataViewType(typeof(uint), k), predicted),
        };
    }

    /// <inheritdoc/>
    protected override Delegate?[] CreateGetters(DataViewRow input, bool[] isActive)
    {
        var scorer = new RowScorer(input, this);
        int k = Model.OutputSize;
        var probabilities = new float[k];
        long softmaxAt = -1;
        void Probabilities()
        {
            scorer.Ensure();
            if (softmaxAt == input.Position) return;
            // softmax(z) = softmax(z − max z): shifting first keeps exp from overflowing on large scores.
            float max = System.Numerics.Tensors.TensorPrimitives.Max(scorer.Output);
            System.Numerics.Tensors.TensorPrimitives.Subtract(scorer.Output, max, probabilities);
            System.Numerics.Tensors.TensorPrimitives.SoftMax(probabilities, probabilities);
            softmaxAt = input.Position;
        }
        ValueGetter<VBuffer<float>> score = (ref VBuffer<float> dst) =>
        {
            Probabilities();
            var editor = VBufferEditor.Create(ref dst, k);
            probabilities.CopyTo(editor.Values);
            dst = editor.Commit();
        };
        ValueGetter<uint> predicted = (ref uint dst) =>
        {
            scorer.Ensure();
            dst = (uint)System.Numerics.Tensors.TensorPrimitives.IndexOfMax(scorer.Output) + 1;
        };
        return new Delegate?[] { isActive[0] ? score : null, isActive[1] ? predicted : null };
    }
}
