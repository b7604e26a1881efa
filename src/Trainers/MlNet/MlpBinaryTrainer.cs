using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Trains a multilayer perceptron for binary classification with sigmoid cross-entropy. The label is a
/// Boolean column (as ML.NET's binary trainers expect). Outputs Score (the logit), Probability (its sigmoid)
/// and PredictedLabel (Probability &gt; 0.5).
/// </summary>
public sealed class MlpBinaryTrainer : MlpTrainerBase<MlpBinaryPredictionTransformer, MlpBinaryTrainer.Options>
{
    /// <summary>Options of <see cref="MlpBinaryTrainer"/>.</summary>
    /// <remarks>For imbalanced data, weight examples through <see cref="MlpTrainerOptionsBase.ExampleWeightColumnName"/>.</remarks>
    public sealed class Options : MlpTrainerOptionsBase
    {
    }

    internal MlpBinaryTrainer(IHostEnvironment environment, Options options) : base(environment, options, nameof(MlpBinaryTrainer)) { }

    private protected override TaskSetup Setup(DataViewSchema trainSchema)
    {
        var o = TrainerOptions;
        var label = trainSchema.GetColumnOrNull(o.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(trainSchema), $"The training data has no label column '{o.LabelColumnName}'.");
        if (label.Type != BooleanDataViewType.Instance)
            throw new ArgumentOutOfRangeException(nameof(trainSchema),
                $"The label column '{o.LabelColumnName}' must be Boolean for binary classification, but is {label.Type}. " +
                "Load it as DataKind.Boolean or convert it (for 0/1 numbers: mlContext.Transforms.CustomMapping or an expression).");
        return new TaskSetup
        {
            OutputSize = 1,
            Labels = new BinaryLabelReader(),
            CreateLoss = () => new SigmoidCrossEntropyLoss(),
            Metric = (outputs, data) => Accuracy(outputs.Span, data),
            CheckTargets = data => CheckBothClasses(data, o.LabelColumnName),
            Task = ModelTask.Binary,
            Combination = EnsembleCombination.MeanSigmoidProbability,
            CreateTransformer = model => new MlpBinaryPredictionTransformer(model, o.FeatureColumnName),
        };
    }

    private static void CheckBothClasses(DenseDataset data, string labelColumn)
    {
        bool any0 = false, any1 = false;
        for (int i = 0; i < data.Count; i++) { if (data.Targets[i] > 0.5f) any1 = true; else any0 = true; }
        if (!(any0 && any1))
            throw new InvalidOperationException($"The label column '{labelColumn}' holds only {(any1 ? "true" : "false")} values; binary classification needs both.");
    }

    private static double Accuracy(ReadOnlySpan<float> outputs, DenseDataset data)
    {
        int correct = 0;
        for (int r = 0; r < data.Count; r++) if ((outputs[r] > 0) == (data.Targets[r] > 0.5f)) correct++;
        return correct / (double)data.Count;
    }

    /// <inheritdoc/>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var (label, _) = RequireColumns(inputSchema);
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType != BooleanDataViewType.Instance)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The label column '{TrainerOptions.LabelColumnName}' must be Boolean for binary classification.");
        var ann = ScoreAnnotationShape();
        var probAnn = ScoreAnnotationShape(SchemaShapes.Column("IsNormalized", SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false));
        return SchemaShapes.With(inputSchema,
            SchemaShapes.Column("Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, ann),
            SchemaShapes.Column("Probability", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, probAnn),
            SchemaShapes.Column("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false, ann));
    }

    private sealed class BinaryLabelReader : LabelReader
    {
        public override int TargetSize => 1;

        public override Func<Span<float>, string?> CreateReader(DataViewRow row, DataViewSchema.Column label)
        {
            var getter = row.GetGetter<bool>(label);
            bool value = false;
            return target =>
            {
                getter(ref value);
                target[0] = value ? 1f : 0f;
                return null;
            };
        }
    }
}
