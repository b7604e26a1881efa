using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>The loss minimized by <see cref="MlpRegressionTrainer"/>.</summary>
public enum RegressionLoss
{
    /// <summary>Squared error ½(z − y)² (the default).</summary>
    SquaredError,
    /// <summary>Huber loss with threshold <see cref="MlpRegressionOptionsBase.HuberDelta"/>: quadratic near zero, linear beyond.</summary>
    Huber,
}

/// <summary>
/// Trains a multilayer perceptron for regression on a Single label. The label is standardized inside
/// the model by default (so raw targets such as disease-progression scores train well); Score is in the label's units.
/// </summary>
public sealed class MlpRegressionTrainer : MlpTrainerBase<MlpRegressionPredictionTransformer, MlpRegressionTrainer.Options>
{
    /// <summary>Options of <see cref="MlpRegressionTrainer"/>.</summary>
    public sealed class Options : MlpRegressionOptionsBase
    {
    }

    internal MlpRegressionTrainer(IHostEnvironment environment, Options options) : base(environment, options, nameof(MlpRegressionTrainer)) { }

    private protected override void ValidateOptions()
    {
        base.ValidateOptions();
        TrainerOptions.Validate();
    }

    private protected override TaskSetup Setup(DataViewSchema trainSchema)
    {
        var o = TrainerOptions;
        var label = trainSchema.GetColumnOrNull(o.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(trainSchema), $"The training data has no label column '{o.LabelColumnName}'.");
        if (label.Type != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(trainSchema),
                $"The label column '{o.LabelColumnName}' must be Single for regression, but is {label.Type} (use mlContext.Transforms.Conversion.ConvertType).");
        return new TaskSetup
        {
            OutputSize = 1,
            Labels = new RegressionLabelReader(o.LabelColumnName),
            CreateLoss = () => o.CreateLoss(1),
            Metric = (outputs, data) => MeanRSquared(outputs.Span, data),
            Task = ModelTask.Regression,
            CreateTransformer = model => new MlpRegressionPredictionTransformer(model, o.FeatureColumnName),
        };
    }

    private protected override bool AdaptsL2ToData => true;

    private protected override (float[] Shift, float[] Scale)? LabelStandardization(DenseDataset train) =>
        TrainerOptions.StandardizeLabel ? LabelMoments(train) : null;

    /// <summary>Per target column, the training mean and standard deviation (1 for a constant column): the model's de-standardization.</summary>
    internal static (float[] Shift, float[] Scale) LabelMoments(DenseDataset train)
    {
        var (shift, inverseScale) = Standardization.Fit(train.Targets, train.Count, train.TargetCount);
        return (shift, inverseScale.Select(s => 1f / s).ToArray());
    }

    /// <summary>
    /// The mean over the outputs of R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (unchanged by the label standardization; 0 for a
    /// constant output): with one output, its R².
    /// </summary>
    internal static double MeanRSquared(ReadOnlySpan<float> o, DenseDataset data)
    {
        int k = data.TargetCount, n = data.Count;
        var t = data.Targets;
        double sum = 0;
        for (int c = 0; c < k; c++)
        {
            double mean = 0;
            for (int r = 0; r < n; r++) mean += t[r * k + c];
            mean /= n;
            double residual = 0, total = 0;
            for (int r = 0; r < n; r++)
            {
                double y = t[r * k + c], e = y - o[r * k + c];
                residual += e * e;
                total += (y - mean) * (y - mean);
            }
            sum += total > 0 ? 1 - residual / total : 0;
        }
        return sum / k;
    }

    /// <inheritdoc/>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var (label, _) = RequireColumns(inputSchema);
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || label.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The label column '{TrainerOptions.LabelColumnName}' must be Single for regression.");
        var ann = ScoreAnnotationShape();
        return SchemaShapes.With(inputSchema, SchemaShapes.Column("Score", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, ann));
    }

    private sealed class RegressionLabelReader : LabelReader
    {
        private readonly string _name;
        public RegressionLabelReader(string name) => _name = name;
        public override int TargetSize => 1;

        public override Func<Span<float>, string?> CreateReader(DataViewRow row, DataViewSchema.Column label)
        {
            var getter = row.GetGetter<float>(label);
            float value = 0;
            return target =>
            {
                getter(ref value);
                target[0] = value;
                return float.IsFinite(value) ? null : $"label '{_name}' is {value}, expected a finite number";
            };
        }
    }
}
