using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions.Trainers;

/// <summary>Scores rows with a trained binary MLP: Score (logit), Probability (sigmoid of Score) and PredictedLabel (Probability &gt; 0.5).</summary>
public sealed class MlpBinaryPredictionTransformer : MlpPredictionTransformerBase, ILoadableComponent<MlpBinaryPredictionTransformer>
{
    // Version 0x00010002 added the input preprocessing (missing values, robust scaling), 0x00010003 the payload frame with
    // its CRC-32 (PayloadChecksum); 0x00010001 and 0x00010002 files still load.
    private static readonly ModelFormat FormatV3 = new("MLXMLPBI", 0x00010003, "MlNetExtMlpBinary", OldestReadableVersion: 0x00010001);

    internal MlpBinaryPredictionTransformer(MlpModelParameters model, string featureColumnName) : base(model, featureColumnName) { }

    static ModelFormat ILoadableComponent<MlpBinaryPredictionTransformer>.Format => FormatV3;

    /// <inheritdoc/>
    protected override ModelFormat Format => FormatV3;

    static MlpBinaryPredictionTransformer ILoadableComponent<MlpBinaryPredictionTransformer>.Load(IHostEnvironment environment, BinaryReader reader)
    {
        string features = reader.ReadString();
        return new MlpBinaryPredictionTransformer(MlpModelSerializer.Read(reader), features);
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<DataViewSchema.DetachedColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        CheckFeatures(inputSchema);
        return new[]
        {
            new DataViewSchema.DetachedColumn("Score", NumberDataViewType.Single, ScoreAnnotations("BinaryClassification", "Score")),
            new DataViewSchema.DetachedColumn("Probability", NumberDataViewType.Single,
                ScoreAnnotations("BinaryClassification", "Probability", b => b.AddPrimitiveValue("IsNormalized", BooleanDataViewType.Instance, true))),
            new DataViewSchema.DetachedColumn("PredictedLabel", BooleanDataViewType.Instance, ScoreAnnotations("BinaryClassification", "PredictedLabel")),
        };
    }

    /// <inheritdoc/>
    protected override Delegate?[] CreateGetters(DataViewRow input, bool[] isActive)
    {
        var scorer = new RowScorer(input, this);
        ValueGetter<float> score = (ref float dst) => { scorer.Ensure(); dst = scorer.Output[0]; };
        ValueGetter<float> probability = (ref float dst) => { scorer.Ensure(); dst = 1f / (1f + MathF.Exp(-scorer.Output[0])); };
        ValueGetter<bool> predicted = (ref bool dst) => { scorer.Ensure(); dst = scorer.Output[0] > 0f; };
        return new Delegate?[] { isActive[0] ? score : null, isActive[1] ? probability : null, isActive[2] ? predicted : null };
    }
}
