using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Trains one multilayer perceptron for K regression targets at once: a shared trunk (the hidden layers) with one linear
/// output head per target, the multitask form of the lecture. The label is a known-size Vector&lt;Single, K&gt; (K ≥ 1); for
/// several Single label columns, build it upstream with <c>mlContext.Transforms.Concatenate("Label", "Target1", "Target2")</c>
/// (its SlotNames are then the column names). Each output is standardized inside the model with its own training mean and
/// standard deviation by default; Score is a Vector&lt;Single, K&gt; in the label's units, carrying the label's SlotNames.
/// Evaluate it with <see cref="MlNetExtensions.MultiOutputRegressionEvaluation.EvaluateMultiOutput"/>.
/// </summary>
public sealed class MlpMultiOutputRegressionTrainer : MlpTrainerBase<MlpMultiOutputRegressionPredictionTransformer, MlpMultiOutputRegressionTrainer.Options>
{
    /// <summary>Options of <see cref="MlpMultiOutputRegressionTrainer"/>.</summary>
    /// <remarks>
    /// The loss is summed over the K outputs of an example (each output's gradient is that of a single-output model), so
    /// with <see cref="MlpRegressionOptionsBase.StandardizeLabel"/> every output weighs the same whatever its units. The validation metric (for
    /// <see cref="EarlyStoppingMonitor.ValidationMetric"/>) is the mean over the outputs of their R².
    /// </remarks>
    public sealed class Options : MlpRegressionOptionsBase
    {
    }

    internal MlpMultiOutputRegressionTrainer(IHostEnvironment environment, Options options)
        : base(environment, options, nameof(MlpMultiOutputRegressionTrainer)) { }

    private protected override void ValidateOptions()
    {
        base.ValidateOptions();
        TrainerOptions.Validate();
    }

    /// <summary>The error for a label column that is not a known-size Vector&lt;Single, K&gt;.</summary>
    private string WrongLabel(string actual) =>
        $"The label column '{TrainerOptions.LabelColumnName}' must be a known-size vector of Single (Vector<Single, K>, K ≥ 1) for multi-output regression, " +
        $"but is {actual}. Build it with mlContext.Transforms.Concatenate(\"{TrainerOptions.LabelColumnName}\", \"Target1\", \"Target2\", ...) from Single columns " +
        "(Conversion.ConvertType for other numeric types); for one Single label use mlContext.Regression.Trainers.Mlp.";

    private protected override TaskSetup Setup(DataViewSchema trainSchema)
    {
        var o = TrainerOptions;
        var label = trainSchema.GetColumnOrNull(o.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(trainSchema), $"The training data has no label column '{o.LabelColumnName}'.");
        if (label.Type is not VectorDataViewType { IsKnownSize: true } vt || vt.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(trainSchema), WrongLabel($"{label.Type}"));
        int k = vt.Size;
        var names = KeyValueNames.FromSlotNames(label, k);
        return new TaskSetup
        {
            OutputSize = k,
            Labels = new VectorLabelReader(o.LabelColumnName, k, names, null),
            RemappedValidationLabels = remap => RemappedReader(remap, k, names),
            CreateLoss = () => o.CreateLoss(k),
            Metric = (outputs, data) => MlpRegressionTrainer.MeanRSquared(outputs.Span, data),
            Task = ModelTask.Regression,
            OutputNames = names?.Values,
            CreateTransformer = model => new MlpMultiOutputRegressionPredictionTransformer(model, o.FeatureColumnName, names),
        };
    }

    /// <summary>Validation data whose label slots (by SlotNames) are the training ones in another order: read each slot into its training output.</summary>
    private VectorLabelReader RemappedReader(int[] remap, int k, KeyValueNames? names)
    {
        if (remap.Length != k)
            throw new ArgumentOutOfRangeException("validationData",
                $"The validation data's label column '{TrainerOptions.LabelColumnName}' has {remap.Length} outputs; the training data's has {k}: both must name the same outputs.");
        return new VectorLabelReader(TrainerOptions.LabelColumnName, k, names, remap);
    }

    private protected override bool AdaptsL2ToData => true;

    private protected override (float[] Shift, float[] Scale)? LabelStandardization(DenseDataset train) =>
        TrainerOptions.StandardizeLabel ? MlpRegressionTrainer.LabelMoments(train) : null;

    /// <inheritdoc/>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var (label, _) = RequireColumns(inputSchema);
        if (label.Kind != SchemaShape.Column.VectorKind.Vector || label.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), WrongLabel(
                $"{(label.Kind == SchemaShape.Column.VectorKind.Scalar ? "a scalar" : label.Kind == SchemaShape.Column.VectorKind.VariableVector ? "a vector of unknown size" : "a vector")} of {label.ItemType}"));
        var annotations = ScoreAnnotationShape().ToList();
        if (label.Annotations?.Any(a => a.Name == "SlotNames") == true) annotations.Add(SchemaShapes.TextVectorAnnotation("SlotNames"));
        return SchemaShapes.With(inputSchema,
            SchemaShapes.Column("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, new SchemaShape(annotations)));
    }

    /// <summary>Reads a Vector&lt;Single, K&gt; label into K targets; a non-finite value is an error naming the output.</summary>
    private sealed class VectorLabelReader : LabelReader
    {
        private readonly string _column;
        private readonly int _k;
        private readonly KeyValueNames? _names;
        private readonly int[]? _remap;

        // remap: for validation data whose outputs are in another order, its slot i is output remap[i] here.
        public VectorLabelReader(string column, int k, KeyValueNames? names, int[]? remap)
        {
            _column = column; _k = k; _names = names; _remap = remap;
        }

        public override int TargetSize => _k;

        public override Func<Span<float>, string?> CreateReader(DataViewRow row, DataViewSchema.Column label)
        {
            var getter = row.GetGetter<VBuffer<float>>(label);
            var buffer = default(VBuffer<float>);
            var slots = new float[_k];
            return target =>
            {
                getter(ref buffer);
                if (buffer.Length != _k) return $"label '{_column}' has {buffer.Length} values, expected {_k}";
                if (_remap is null) buffer.CopyTo(target);
                else
                {
                    buffer.CopyTo(slots);
                    for (int i = 0; i < _k; i++) target[_remap[i]] = slots[i];
                }
                for (int c = 0; c < _k; c++)
                    if (!float.IsFinite(target[c]))
                        return $"label '{_column}' output {c}{(string.IsNullOrEmpty(_names?.Values[c]) ? "" : $" ('{_names.Values[c]}')")} is {target[c]}, expected a finite number";
                return null;
            };
        }
    }
}
