using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>The loss minimized by <see cref="MlpRegressionTrainer"/>.</summary>
public enum RegressionLoss
{
    /// <summary>Squared error ½(z − y)² (the default).</summary>
    SquaredError,
    /// <summary>Huber loss with threshold <see cref="MlpRegressionTrainer.Options.HuberDelta"/>: quadratic near zero, linear beyond.</summary>
    Huber,
}

/// <summary>
/// Trains a multilayer perceptron for regression on a Single label. The label is standardized inside
/// the model by default (so raw targets such as disease-progression scores train well); Score is in the label's units.
/// </summary>
public sealed class MlpRegressionTrainer : MlpTrainerBase<MlpRegressionPredictionTransformer, MlpRegressionTrainer.Options>
{
    /// <summary>Options of <see cref="MlpRegressionTrainer"/>.</summary>
    public sealed class Options : MlpTrainerOptionsBase
    {
        /// <summary>
        /// Options at their defaults. <see cref="MlpTrainerOptionsBase.LearningRate"/> starts at 0.002 for regression (0.001 for
        /// classification): with the automatic L2 penalty, regression on the tabular benchmark gained 0.6 R² points on the
        /// mean of 11 sets from it and lost at most 0.2 on any (benchmarks/README.md, "Session 9").
        /// </summary>
        public Options() => LearningRate = 0.002f;

        /// <summary>The loss; any defined member. Default <see cref="RegressionLoss.SquaredError"/>.</summary>
        public RegressionLoss Loss { get; set; } = RegressionLoss.SquaredError;

        /// <summary>
        /// Huber threshold δ, in standardized label units when <see cref="StandardizeLabel"/> is on, else in the label's
        /// units (used by <see cref="RegressionLoss.Huber"/> only, checked always). Range (0, ∞). Default 1.
        /// </summary>
        public float HuberDelta { get; set; } = 1f;

        /// <summary>
        /// Standardize the label with the training mean and standard deviation inside the model (losses in the history are
        /// then in standardized units; Score is always in the label's units). Default true.
        /// </summary>
        public bool StandardizeLabel { get; set; } = true;
    }

    internal MlpRegressionTrainer(IHostEnvironment environment, Options options) : base(environment, options, nameof(MlpRegressionTrainer)) { }

    private protected override void ValidateOptions()
    {
        base.ValidateOptions();
        var options = TrainerOptions;
        if (!Enum.IsDefined(options.Loss)) throw new ArgumentOutOfRangeException(nameof(Options.Loss), options.Loss, "Option Loss must be a defined RegressionLoss.");
        if (!(options.HuberDelta > 0f) || !float.IsFinite(options.HuberDelta))
            throw new ArgumentOutOfRangeException(nameof(Options.HuberDelta), options.HuberDelta, $"Option HuberDelta must be finite and > 0, got {options.HuberDelta}.");
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
            CreateLoss = () => o.Loss == RegressionLoss.Huber ? new HuberLoss(o.HuberDelta) : new SquaredErrorLoss(),
            Metric = (outputs, data) => RSquared(outputs.Span, data),
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

    /// <summary>R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (unchanged by the label standardization).</summary>
    private static double RSquared(ReadOnlySpan<float> o, DenseDataset data)
    {
        double mean = 0;
        for (int r = 0; r < data.Count; r++) mean += data.Targets[r];
        mean /= data.Count;
        double residual = 0, total = 0;
        for (int r = 0; r < data.Count; r++)
        {
            double y = data.Targets[r];
            residual += (y - o[r]) * (y - o[r]);
            total += (y - mean) * (y - mean);
        }
        return total > 0 ? 1 - residual / total : 0;
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
