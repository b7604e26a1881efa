using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions.Trainers;

/// <summary>Scores rows with a trained regression MLP: Score, in the label's units.</summary>
public sealed class MlpRegressionPredictionTransformer : MlpPredictionTransformerBase, ILoadableComponent<MlpRegressionPredictionTransformer>
{
    // Version 0x00010002 added the input preprocessing (missing values, robust scaling), 0x00010003 the payload frame with
    // its CRC-32 (PayloadChecksum); 0x00010001 and 0x00010002 files still load.
    private static readonly ModelFormat FormatV3 = new("MLXMLPRG", 0x00010003, "MlNetExtMlpRegression", OldestReadableVersion: 0x00010001);

    internal MlpRegressionPredictionTransformer(MlpModelParameters model, string featureColumnName) : base(model, featureColumnName) { }

    static ModelFormat ILoadableComponent<MlpRegressionPredictionTransformer>.Format => FormatV3;

    /// <inheritdoc/>
    protected override ModelFormat Format => FormatV3;

    static MlpRegressionPredictionTransformer ILoadableComponent<MlpRegressionPredictionTransformer>.Load(IHostEnvironment environment, BinaryReader reader)
    {
        string features = reader.ReadString();
        return new MlpRegressionPredictionTransformer(MlpModelSerializer.Read(reader), features);
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<DataViewSchema.DetachedColumn> GetOutputColumns(DataViewSchema inputSchema)
    {
        CheckFeatures(inputSchema);
        return new[] { new DataViewSchema.DetachedColumn("Score", NumberDataViewType.Single, ScoreAnnotations("Regression", "Score")) };
    }

    /// <inheritdoc/>
    protected override Delegate?[] CreateGetters(DataViewRow input, bool[] isActive)
    {
        var scorer = new RowScorer(input, this);
        ValueGetter<float> score = (ref float dst) => { scorer.Ensure(); dst = scorer.Output[0]; };
        return new Delegate?[] { isActive[0] ? score : null };
    }
}
