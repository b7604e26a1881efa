using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Trains a multilayer perceptron for multiclass classification with softmax cross-entropy.
/// The label is a key column (from MapValueToKey) or a soft-label Vector&lt;Single, K&gt; (for instance from label smoothing).
/// Outputs Score (Vector&lt;Single, K&gt; of class probabilities, with SlotNames) and PredictedLabel (the key, with KeyValues).
/// </summary>
public sealed class MlpMulticlassTrainer : MlpTrainerBase<MlpMulticlassPredictionTransformer, MlpMulticlassTrainer.Options>
{
    /// <summary>
    /// The label smoothing of key labels when <see cref="Options.LabelSmoothing"/> is null: 0.05, chosen on the tabular
    /// benchmark (benchmarks/README.md: it lifted or kept every multiclass set, digits by 1.2 and mnist10k by 0.9 points).
    /// </summary>
    public const float DefaultLabelSmoothing = 0.05f;

    /// <summary>Options of <see cref="MlpMulticlassTrainer"/>.</summary>
    public sealed class Options : MlpTrainerOptionsBase
    {
        /// <summary>
        /// Label smoothing ε taken from the true class; 0 turns it off. Range [0, 1), or null; at Fit, with the
        /// <see cref="MlNetExtensions.LabelSmoothingForm.Lecture"/> form, ε must also be below (K − 1)/K for K classes (0.5
        /// for two). Default null: <see cref="DefaultLabelSmoothing"/> (0.05) for key labels, none for a soft-label vector
        /// (which is already a distribution; a positive ε there is an error at Fit).
        /// </summary>
        public float? LabelSmoothing { get; set; }

        /// <summary>
        /// How ε is spread over the other classes; any defined member. Default
        /// <see cref="MlNetExtensions.LabelSmoothingForm.Lecture"/> (ε/(K − 1) each).
        /// </summary>
        public LabelSmoothingForm LabelSmoothingForm { get; set; } = LabelSmoothingForm.Lecture;

        /// <summary>
        /// Optional weight per class (in key order) multiplying each example's loss. Range of each weight [0, ∞), at least
        /// one positive; at Fit the array must hold exactly K values, and Fit fails when every class that occurs in the
        /// training data has weight 0 (nothing would be learned); a class weighted 0 is otherwise ignored by the loss.
        /// Default none (null: every class weighs 1).
        /// </summary>
        public float[]? ClassWeights { get; set; }
    }

    internal MlpMulticlassTrainer(IHostEnvironment environment, Options options) : base(environment, options, nameof(MlpMulticlassTrainer)) { }

    private protected override void ValidateOptions()
    {
        base.ValidateOptions();
        var options = TrainerOptions;
        if (options.LabelSmoothing is { } eps && !(eps >= 0f && eps < 1f))
            throw new ArgumentOutOfRangeException(nameof(Options.LabelSmoothing), options.LabelSmoothing, $"Option LabelSmoothing must be in [0, 1), got {options.LabelSmoothing}.");
        if (!Enum.IsDefined(options.LabelSmoothingForm))
            throw new ArgumentOutOfRangeException(nameof(Options.LabelSmoothingForm), options.LabelSmoothingForm, "Option LabelSmoothingForm must be a defined LabelSmoothingForm.");
        if (options.ClassWeights is { } cw)
        {
            int bad = Array.FindIndex(cw, w => !float.IsFinite(w) || w < 0);
            if (bad >= 0)
                throw new ArgumentOutOfRangeException(nameof(Options.ClassWeights), $"Option ClassWeights must hold finite values ≥ 0; the weight of class {bad} (0-based key order) is {cw[bad]}.");
            if (cw.Length == 0)
                throw new ArgumentOutOfRangeException(nameof(Options.ClassWeights), "Option ClassWeights is empty: give one weight per class (in key order), or null for equal weights.");
            if (!cw.Any(w => w > 0))
                throw new ArgumentOutOfRangeException(nameof(Options.ClassWeights),
                    $"Option ClassWeights holds only zeros ({cw.Length} values): every example would weigh 0 and nothing would be learned. At least one class weight must be positive.");
        }
    }

    private protected override TaskSetup Setup(DataViewSchema trainSchema)
    {
        var o = TrainerOptions;
        var label = trainSchema.GetColumnOrNull(o.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(trainSchema), $"The training data has no label column '{o.LabelColumnName}'.");
        int classes;
        KeyValueNames? names;
        float smoothing;
        switch (label.Type)
        {
            case KeyDataViewType key:
                if (key.Count < 2 || key.Count > int.MaxValue)
                    throw new ArgumentOutOfRangeException(nameof(trainSchema),
                        $"The label column '{o.LabelColumnName}' has {key.Count} class(es); multiclass classification needs at least 2.");
                if (key.RawType != typeof(uint))
                    throw new ArgumentOutOfRangeException(nameof(trainSchema),
                        $"The label column '{o.LabelColumnName}' is a key of {key.RawType.Name}; use a UInt32 key (MapValueToKey makes one).");
                classes = (int)key.Count;
                names = KeyValueNames.FromColumn(label, classes);
                smoothing = o.LabelSmoothing ?? DefaultLabelSmoothing;
                break;
            case VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType n } vt when n == NumberDataViewType.Single:
                if (vt.Size < 2)
                    throw new ArgumentOutOfRangeException(nameof(trainSchema), $"The soft-label column '{o.LabelColumnName}' has {vt.Size} slot(s); at least 2 classes are needed.");
                if (o.LabelSmoothing > 0)
                    throw new ArgumentOutOfRangeException(nameof(Options.LabelSmoothing),
                        $"Option LabelSmoothing applies to key labels; the label column '{o.LabelColumnName}' already holds soft labels (set LabelSmoothing = 0).");
                classes = vt.Size;
                names = KeyValueNames.FromSlotNames(label, classes);
                smoothing = 0f;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(trainSchema),
                    $"The label column '{o.LabelColumnName}' must be a key type (use mlContext.Transforms.Conversion.MapValueToKey) " +
                    $"or a soft-label Vector<Single, K>, but is {label.Type}.");
        }
        if (o.ClassWeights is { } cw && cw.Length != classes)
            throw new ArgumentOutOfRangeException(nameof(Options.ClassWeights), $"Option ClassWeights has {cw.Length} values; the label has {classes} classes.");
        float limit = o.LabelSmoothingForm.EpsilonBelow(classes);
        if (smoothing >= limit)
            throw new ArgumentOutOfRangeException(nameof(Options.LabelSmoothing), smoothing,
                $"Option LabelSmoothing {smoothing} would give the {classes - 1} other classes more than the true one; use ε < {limit:G3}.");
        return new TaskSetup
        {
            OutputSize = classes,
            Labels = new MulticlassLabelReader(classes, smoothing, o.LabelSmoothingForm, o.ClassWeights, o.LabelColumnName),
            ValidationLabels = smoothing > 0 || o.ClassWeights is not null
                ? new MulticlassLabelReader(classes, 0f, o.LabelSmoothingForm, null, o.LabelColumnName) : null,
            RemappedValidationLabels = remap => new MulticlassLabelReader(classes, 0f, o.LabelSmoothingForm, null, o.LabelColumnName, remap),
            CheckTargets = o.ClassWeights is { } weights ? data => CheckSomeClassWeighs(data, weights, o.LabelColumnName) : null,
            CreateLoss = () => new SoftmaxCrossEntropyLoss(classes),
            Metric = (outputs, data) => Accuracy(outputs.Span, data, classes),
            Task = ModelTask.Multiclass,
            OutputNames = names?.Values,
            Combination = EnsembleCombination.MeanSoftmaxProbability,
            CreateTransformer = model => new MlpMulticlassPredictionTransformer(model, o.FeatureColumnName, names),
        };
    }

    /// <summary>With class weights, at least one training example must weigh more than 0 (its target carries the weight).</summary>
    private static void CheckSomeClassWeighs(DenseDataset data, float[] classWeights, string labelColumn)
    {
        var targets = data.Targets.AsSpan(0, data.Count * data.TargetCount);
        for (int r = 0; r < data.Count; r++)
            if (System.Numerics.Tensors.TensorPrimitives.Sum(targets.Slice(r * data.TargetCount, data.TargetCount)) > 0 && (data.Weights is null || data.Weights[r] > 0)) return;
        var zero = Enumerable.Range(0, classWeights.Length).Where(k => classWeights[k] == 0).ToArray();
        throw new InvalidOperationException(
            $"Every example of the training data weighs 0: the classes of label column '{labelColumn}' that occur have ClassWeights 0 " +
            $"(classes weighted 0, 0-based key order: {string.Join(", ", zero)}), so nothing would be learned. Give a positive weight to a class that occurs in the training data.");
    }

    private static double Accuracy(ReadOnlySpan<float> outputs, DenseDataset data, int k)
    {
        int correct = 0;
        for (int r = 0; r < data.Count; r++)
        {
            int predicted = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(outputs.Slice(r * k, k));
            int truth = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(data.Targets.AsSpan(r * k, k));
            if (predicted == truth) correct++;
        }
        return correct / (double)data.Count;
    }

    /// <inheritdoc/>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var (label, _) = RequireColumns(inputSchema);
        var kv = label.Annotations?.FirstOrDefault(a => a.Name == "KeyValues");
        var slotNames = label.Annotations?.FirstOrDefault(a => a.Name == "SlotNames");
        var scoreAnnotations = ScoreAnnotationShape().ToList();
        var predictedAnnotations = new List<SchemaShape.Column>(scoreAnnotations);
        if (kv is { Name: not null } keyValues)
        {
            if (!KeyValueNames.IsSupported(keyValues.ItemType))
                throw new ArgumentOutOfRangeException(nameof(inputSchema),
                    $"The label column '{TrainerOptions.LabelColumnName}' has key values of type {keyValues.ItemType}, which cannot be kept with the model; convert the label to text before MapValueToKey.");
            scoreAnnotations.Add(SchemaShapes.TextVectorAnnotation("SlotNames"));
            predictedAnnotations.Add(keyValues);
        }
        else if (slotNames is { Name: not null })
        {
            scoreAnnotations.Add(SchemaShapes.TextVectorAnnotation("SlotNames"));
            predictedAnnotations.Add(SchemaShapes.TextVectorAnnotation("KeyValues"));
        }
        return SchemaShapes.With(inputSchema,
            SchemaShapes.Column("Score", SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, new SchemaShape(scoreAnnotations)),
            SchemaShapes.Column("PredictedLabel", SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, new SchemaShape(predictedAnnotations)));
    }

    private sealed class MulticlassLabelReader : LabelReader
    {
        private readonly int _k;
        private readonly float _epsilon;
        private readonly LabelSmoothingForm _form;
        private readonly float[]? _classWeights;
        private readonly string _name;
        private readonly int[]? _remap;

        // remap: for validation data whose classes are in another order, its class i is class remap[i] here.
        public MulticlassLabelReader(int k, float epsilon, LabelSmoothingForm form, float[]? classWeights, string name, int[]? remap = null)
        {
            _k = k; _epsilon = epsilon; _form = form; _classWeights = classWeights; _name = name; _remap = remap;
        }

        public override int TargetSize => _k;

        public override Func<Span<float>, string?> CreateReader(DataViewRow row, DataViewSchema.Column label)
        {
            if (label.Type is KeyDataViewType)
            {
                var getter = row.GetGetter<uint>(label);
                uint key = 0;
                int known = _remap?.Length ?? _k;
                return target =>
                {
                    getter(ref key);
                    if (key == 0 || key > known) return $"label '{_name}' is missing or outside the {known} known classes (key {key})";
                    int cls = _remap is null ? (int)key - 1 : _remap[key - 1];
                    LabelSmoothing.Fill(target, cls, _epsilon, _form);
                    if (_classWeights is not null) ScaleByClassWeight(target, cls);
                    return null;
                };
            }
            var vector = row.GetGetter<VBuffer<float>>(label);
            var buffer = default(VBuffer<float>);
            var slots = _remap is null ? null : new float[_remap.Length];
            return target =>
            {
                vector(ref buffer);
                if (slots is null) buffer.CopyTo(target);
                else
                {
                    // Validation soft labels with their classes (slot names) in another order: slot i goes to class remap[i].
                    if (buffer.Length != slots.Length) return $"soft label '{_name}' has {buffer.Length} slots, expected {slots.Length}";
                    buffer.CopyTo(slots);
                    target.Clear();
                    for (int i = 0; i < slots.Length; i++) target[_remap![i]] = slots[i];
                }
                float sum = 0;
                foreach (var v in target)
                {
                    if (!float.IsFinite(v) || v < 0) return $"soft label '{_name}' holds {v}; soft labels must be finite and ≥ 0";
                    sum += v;
                }
                if (MathF.Abs(sum - 1f) > 1e-3f) return $"soft label '{_name}' sums to {sum}, expected 1";
                if (_classWeights is not null) ScaleByClassWeight(target, System.Numerics.Tensors.TensorPrimitives.IndexOfMax(target));
                return null;
            };
        }

        // A class weight w scales the example's whole target distribution: −Σ w·t log p = w·ℓ, and the gradient
        // p·Σt − t scales likewise because the loss uses Σt. Simpler: carry w in the target and let the loss see Σt = w.
        private void ScaleByClassWeight(Span<float> target, int cls)
        {
            float w = _classWeights![cls];
            for (int i = 0; i < target.Length; i++) target[i] *= w;
        }
    }
}
