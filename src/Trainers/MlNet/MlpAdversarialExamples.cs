using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions;

/// <summary>
/// Adversarial examples for a trained Mlp by the fast gradient sign method (Goodfellow, Shlens and Szegedy 2014):
/// x̃ = x + ε·sign(∇ₓJ(θ, x, y)), with J the loss the task trains with (softmax cross-entropy, sigmoid cross-entropy,
/// squared error) on the row's true label, to measure how robust a model is. Each method takes the whole fitted pipeline
/// (or the Mlp's prediction transformer alone) and the data, runs the steps before the Mlp, and returns that data as the
/// Mlp sees it with the Mlp's features column replaced by the adversarial examples (raw feature units: ε is in the
/// features column's units; missing values stay missing; values are not clipped to any range). The returned view holds
/// only the label and that features column, so score it with the Mlp stage alone: <c>mlp.Transform(examples)</c>, where
/// <c>mlp</c> is the pipeline's Mlp prediction transformer (in a <c>TransformerChain</c>, for instance
/// <c>chain.OfType&lt;MlpMulticlassPredictionTransformer&gt;().Last()</c>), then evaluate as usual; the whole pipeline would
/// need its input columns, which are left out on purpose (it would rebuild the features from the unperturbed inputs). The examples are computed
/// once, when the method is called, and held in memory (one float per feature per row). Models with batch normalization
/// are not supported (NotSupportedException). Train for robustness with <see cref="MlpTrainerOptionsBase.AdversarialEpsilon"/>.
/// </summary>
public static class MlpAdversarialExamples
{
    /// <summary>FGSM examples of size <paramref name="epsilon"/> for the multiclass Mlp in <paramref name="model"/> (see <see cref="MlpAdversarialExamples"/>).</summary>
    /// <param name="catalog">The multiclass catalog.</param>
    /// <param name="model">A fitted pipeline containing a multiclass Mlp, or the Mlp's prediction transformer.</param>
    /// <param name="data">Data with the pipeline's input columns and the label.</param>
    /// <param name="epsilon">ε, the size of the step in every feature, in the features' units. Range [0, ∞) (0 gives the data unchanged).</param>
    /// <param name="labelColumnName">The key-typed label column as the Mlp sees it (after the steps before it), with as many keys as the model has classes. Default "Label".</param>
    /// <returns>The data as the Mlp sees it, with its features column replaced by the adversarial examples.</returns>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, a label is missing, or a feature is infinite (the row and slot named).</exception>
    public static IDataView FgsmExamplesOfMlp(this MulticlassClassificationCatalog catalog, ITransformer model, IDataView data, float epsilon, string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var (mlp, featurized) = MlpPipelineStage.Find<MlpMulticlassPredictionTransformer>(model, data, "multiclass");
        int classes = mlp.Model.OutputSize;
        return Create(featurized, mlp.FeatureColumnName, labelColumnName, mlp.Model, epsilon, new SoftmaxCrossEntropyLoss(classes), (cursor, label) =>
        {
            if (label.Type is not KeyDataViewType key || key.RawType != typeof(uint) || key.Count != (ulong)classes)
                throw new ArgumentException($"The label column '{label.Name}' must be a key of {classes} classes (as the model has), but is {label.Type}.", nameof(labelColumnName));
            // The classes must be the model's, in its order (a label keyed by another MapValueToKey could number them otherwise).
            if (mlp.Model.Options.TryGetValue(WarmStartReference.OutputNamesKey, out var saved) && KeyValueNames.FromColumn(label, classes) is { } names
                && saved != WarmStartReference.JoinNames(names.Values))
                throw new ArgumentException(
                    $"The label column '{label.Name}' has the classes {WarmStartReference.JoinNames(names.Values)} in this order, but the model has {saved}: " +
                    "map the labels with the pipeline's own fitted MapValueToKey.", nameof(labelColumnName));
            var get = cursor.GetGetter<uint>(label);
            uint value = 0;
            return (target, row) =>
            {
                get(ref value);
                if (value == 0) throw new ArgumentException($"Row {row} has a missing label in column '{label.Name}'.", nameof(data));
                target.Clear();
                target[(int)value - 1] = 1f;
            };
        });
    }

    /// <summary>FGSM examples of size <paramref name="epsilon"/> for the binary Mlp in <paramref name="model"/> (see <see cref="MlpAdversarialExamples"/>).</summary>
    /// <param name="catalog">The binary classification catalog.</param>
    /// <param name="model">A fitted pipeline containing a binary Mlp, or the Mlp's prediction transformer.</param>
    /// <param name="data">Data with the pipeline's input columns and the label.</param>
    /// <param name="epsilon">ε, the size of the step in every feature, in the features' units. Range [0, ∞) (0 gives the data unchanged).</param>
    /// <param name="labelColumnName">The Boolean label column as the Mlp sees it. Default "Label".</param>
    /// <returns>The data as the Mlp sees it, with its features column replaced by the adversarial examples.</returns>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, or a feature is infinite (the row and slot named).</exception>
    public static IDataView FgsmExamplesOfMlp(this BinaryClassificationCatalog catalog, ITransformer model, IDataView data, float epsilon, string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var (mlp, featurized) = MlpPipelineStage.Find<MlpBinaryPredictionTransformer>(model, data, "binary");
        return Create(featurized, mlp.FeatureColumnName, labelColumnName, mlp.Model, epsilon, new SigmoidCrossEntropyLoss(), (cursor, label) =>
        {
            if (label.Type != BooleanDataViewType.Instance)
                throw new ArgumentException($"The label column '{label.Name}' must be Boolean, but is {label.Type}.", nameof(labelColumnName));
            var get = cursor.GetGetter<bool>(label);
            bool value = false;
            return (target, _) => { get(ref value); target[0] = value ? 1f : 0f; };
        });
    }

    /// <summary>FGSM examples of size <paramref name="epsilon"/> for the regression Mlp in <paramref name="model"/> (see <see cref="MlpAdversarialExamples"/>; the loss is the squared error).</summary>
    /// <param name="catalog">The regression catalog.</param>
    /// <param name="model">A fitted pipeline containing a regression Mlp, or the Mlp's prediction transformer.</param>
    /// <param name="data">Data with the pipeline's input columns and the label.</param>
    /// <param name="epsilon">ε, the size of the step in every feature, in the features' units. Range [0, ∞) (0 gives the data unchanged).</param>
    /// <param name="labelColumnName">The Single label column as the Mlp sees it. Default "Label".</param>
    /// <returns>The data as the Mlp sees it, with its features column replaced by the adversarial examples.</returns>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type, a label is NaN, or a feature is infinite (the row and slot named).</exception>
    public static IDataView FgsmExamplesOfMlp(this RegressionCatalog catalog, ITransformer model, IDataView data, float epsilon, string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var (mlp, featurized) = MlpPipelineStage.Find<MlpRegressionPredictionTransformer>(model, data, "regression",
            "FGSM examples of a multi-output Mlp are not offered.");
        var m = mlp.Model;
        return Create(featurized, mlp.FeatureColumnName, labelColumnName, m, epsilon, new SquaredErrorLoss(), (cursor, label) =>
        {
            if (label.Type != NumberDataViewType.Single)
                throw new ArgumentException($"The label column '{label.Name}' must be Single, but is {label.Type}.", nameof(labelColumnName));
            var get = cursor.GetGetter<float>(label);
            float value = 0;
            return (target, row) =>
            {
                get(ref value);
                if (!float.IsFinite(value)) throw new ArgumentException($"Row {row} has the label {value} in column '{label.Name}': labels must be finite.", nameof(data));
                target[0] = (value - m.LabelShift[0]) / m.LabelScale[0]; // the network's outputs are in standardized units
            };
        });
    }

    /// <summary>Writes the current row's training target (of the loss's target size); the row number is for messages.</summary>
    private delegate void TargetWriter(Span<float> target, long row);

    /// <summary>Rows per forward and backward pass.</summary>
    private const int Chunk = 256;

    private static IDataView Create(IDataView featurized, string featureColumn, string labelColumn, MlpModelParameters model, float epsilon, Loss loss,
        Func<DataViewRowCursor, DataViewSchema.Column, TargetWriter> targets)
    {
        if (!(epsilon >= 0f) || !float.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"epsilon must be finite and ≥ 0, got {epsilon.ToString(CultureInfo.InvariantCulture)}.");
        ArgumentException.ThrowIfNullOrEmpty(labelColumn, "labelColumnName");
        var features = featurized.Schema.GetColumnOrNull(featureColumn)
            ?? throw new ArgumentException($"The data as the Mlp sees it has no features column '{featureColumn}'.", "data");
        var label = featurized.Schema.GetColumnOrNull(labelColumn)
            ?? throw new ArgumentException($"The data as the Mlp sees it has no label column '{labelColumn}'.", "labelColumnName");
        if (model.IsEnsemble)
            throw new NotSupportedException(
                $"The Mlp is a bagged ensemble of {model.Members.Count} networks (option NumberOfModels = {model.Members.Count}): FgsmExamplesOfMlp makes examples for a single network. " +
                "Use a model trained with NumberOfModels = 1.");
        var pre = model.Preprocessing;
        int d = pre.InputCount, inputs = pre.OutputCount, outputs = model.OutputSize, targetSize = loss.TargetSize;
        if (features.Type is not VectorDataViewType { Size: var size } vector || vector.ItemType != NumberDataViewType.Single || size != d)
            throw new ArgumentException($"The features column '{featureColumn}' must be a vector of {d} Single values (as the model was trained on), but is {features.Type}.", "data");
        var network = TrainableCopy(model.Network);
        network.Reserve(Chunk);
        var raw = new float[Chunk * d];
        var x = new float[Chunk * inputs];
        var inputGradient = new float[Chunk * inputs];
        var t = new float[Chunk * targetSize];
        var outputGradient = new float[Chunk * outputs];
        var examples = new List<float[]>();
        var random = RandomStream.For(0, 0); // no layer of an inference network draws from it
        int n = 0;

        void Flush()
        {
            if (n == 0) return;
            var y = network.Forward(x.AsSpan(0, n * inputs), n, training: false, ref random);
            loss.Compute(y, t.AsSpan(0, n * targetSize), ReadOnlySpan<float>.Empty, n, outputGradient.AsSpan(0, n * outputs));
            network.Backward(x.AsSpan(0, n * inputs), null, outputGradient.AsSpan(0, n * outputs), n, -1, null, inputGradient.AsSpan(0, n * inputs));
            for (int r = 0; r < n; r++)
            {
                var example = new float[d];
                if (epsilon == 0f) raw.AsSpan(r * d, d).CopyTo(example);
                else FastGradientSign.Perturb(pre, raw.AsSpan(r * d, d), inputGradient.AsSpan(r * inputs, inputs), epsilon, example);
                examples.Add(example);
            }
            n = 0;
        }

        using (var cursor = featurized.GetRowCursor(new[] { features, label }))
        {
            var getFeatures = cursor.GetGetter<VBuffer<float>>(features);
            var writeTarget = targets(cursor, label);
            var buffer = default(VBuffer<float>);
            long row = 0;
            while (cursor.MoveNext())
            {
                getFeatures(ref buffer);
                var rowRaw = raw.AsSpan(n * d, d);
                buffer.CopyTo(rowRaw);
                int bad = TrainingDataReader.IndexOfInfinity(rowRaw);
                if (bad >= 0)
                    throw new ArgumentException($"Row {row}, slot {bad} of the features column '{featureColumn}' is {rowRaw[bad]}: features must be finite or NaN (missing).", "data");
                writeTarget(t.AsSpan(n * targetSize, targetSize), row);
                pre.Transform(rowRaw, x.AsSpan(n * inputs, inputs));
                n++;
                row++;
                if (n == Chunk) Flush();
            }
            Flush();
        }
        // Only the label and the features as the Mlp sees them: the pipeline's input columns are left out, so that running
        // the whole pipeline on the examples (which would rebuild the features from the untouched inputs) fails loudly.
        var kept = new MLContext().Transforms.SelectColumns(labelColumn, featureColumn).Fit(featurized).Transform(featurized);
        return new ReplacedColumnDataView(kept, featureColumn, examples.ToArray());
    }

    /// <summary>A copy of an inference network with its own training buffers (the model may go on scoring meanwhile).</summary>
    private static MultilayerPerceptron TrainableCopy(MultilayerPerceptron network)
    {
        var layers = network.InferenceLayers.Select(l => l switch
        {
            DenseLayer dense => (Layer)new DenseLayer(dense.InputSize, dense.OutputSize, "dense"),
            ActivationLayer activation => new ActivationLayer(activation.InputSize, activation.Function),
            BatchNormLayer => throw new NotSupportedException("FGSM examples are not supported for models with BatchNormalization (its backward pass is the training one)."),
            _ => throw new NotSupportedException($"FGSM examples are not supported for a model with a {l.GetType().Name}."),
        }).ToList();
        var copy = new MultilayerPerceptron(layers);
        WarmStart.CopyInto(network, copy);
        return copy;
    }
}
