using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Onnx;

namespace MlNetExtensions;

/// <summary>
/// ONNX export of a trained Mlp: <c>mlContext.Model.ExportMlpToOnnx(model, data, stream)</c>. ML.NET's own
/// <c>mlContext.Model.ConvertToOnnx</c> cannot see inside this project's transformers (its hooks are internal to ML.NET) and
/// writes a graph of Identity nodes without complaint; use this method instead.
/// </summary>
public static class MlpOnnxExport
{
    /// <summary>The ONNX operator set the exported model imports: 17 (default domain only, IR version 8).</summary>
    public const int OpsetVersion = OnnxModelWriter.OpsetVersion;

    /// <summary>
    /// Writes the trained Mlp of <paramref name="model"/> as an ONNX model (opset <see cref="OpsetVersion"/>) to
    /// <paramref name="stream"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The graph starts at the Mlp's features vector: its one input is named as the features column (e.g. "Features"), a float
    /// tensor [N, K] with K the column's size. Pipeline stages before the Mlp (OneHotEncoding, Concatenate, ML.NET's
    /// normalizers, ...) are not exported: compute that vector before calling the ONNX model, or export those stages by other
    /// means. Transformers after the Mlp in a chain are not exported either (the method then refuses the model).
    /// </para>
    /// <para>
    /// Exported: the input preprocessing saved in the model (a NaN becomes the slot's training median and the slots that had
    /// missing values in training get their indicator inputs; with NormalizeFeatures, 0/1 slots, robust scaling with the
    /// smooth clip x/√(1 + (x/3)²), constant slots and zero-anchored slots), every dense layer (Gemm), batch normalization with
    /// its running statistics, the activations Relu, LeakyRelu, Tanh, Sigmoid and Identity, and the regression label's
    /// de-standardization (StandardizeLabel). Dropout, input noise and weight noise act only in training and are left out.
    /// </para>
    /// <para>
    /// Outputs, named as the ML.NET columns: multiclass "Score" (softmax probabilities, float [N, classes], in key order; the
    /// class names are in the metadata property "mlnet.class_names" when the label had KeyValues) and "PredictedLabel"
    /// (the 1-based key, uint32 [N, 1]); binary "Score" (logit, float [N, 1]), "Probability" (its sigmoid) and
    /// "PredictedLabel" (bool [N, 1], Score &gt; 0); regression "Score" (float [N, 1]); multi-output regression "Score" (float
    /// [N, K], each output de-standardized with its own mean and standard deviation; the output names are in the metadata
    /// property "mlnet.score_slot_names" when the label had SlotNames). They agree with ML.NET's scores to
    /// float rounding (the matrix products sum in another order). One difference: ML.NET scoring rejects an infinite
    /// feature, the ONNX graph computes with it.
    /// </para>
    /// </remarks>
    /// <param name="catalog">mlContext.Model.</param>
    /// <param name="model">
    /// A Mlp prediction transformer (<see cref="MlpMulticlassPredictionTransformer"/>, <see cref="MlpBinaryPredictionTransformer"/>,
    /// <see cref="MlpRegressionPredictionTransformer"/>, <see cref="MlpMultiOutputRegressionPredictionTransformer"/>), or a
    /// <see cref="TransformerChain{TLastTransformer}"/> whose last
    /// transformer is one (nested chains included).
    /// </param>
    /// <param name="inputData">
    /// Data with the schema <paramref name="model"/> reads (no rows are read): the features column's type is checked
    /// after the chain's earlier stages.
    /// </param>
    /// <param name="stream">A writable stream; the model is written from its current position, and the stream is left open.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The stream cannot be written, or the features column is missing or not Vector&lt;Single, K&gt; with the model's K.</exception>
    /// <exception cref="NotSupportedException">The model is not a Mlp nor a chain ending in one, is a bagged ensemble (NumberOfModels ≥ 2), or a part of the network has no ONNX form.</exception>
    /// <exception cref="InvalidOperationException">The features column is named as an output ("Score", "Probability", "PredictedLabel").</exception>
    public static void ExportMlpToOnnx(this ModelOperationsCatalog catalog, ITransformer model, IDataView inputData, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputData);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite) throw new ArgumentException("The stream cannot be written.", nameof(stream));

        var (mlp, schema) = FindMlp(model, inputData.Schema);
        if (mlp.Model.IsEnsemble)
            throw new NotSupportedException(
                $"The Mlp is a bagged ensemble of {mlp.Model.Members.Count} networks (option NumberOfModels = {mlp.Model.Members.Count}), which has no ONNX export: " +
                "export a model trained with NumberOfModels = 1.");
        var column = schema.GetColumnOrNull(mlp.FeatureColumnName)
            ?? throw new ArgumentException($"The data has no features column '{mlp.FeatureColumnName}' where the Mlp reads it.", nameof(inputData));
        if (column.Type is not VectorDataViewType { IsKnownSize: true } vector || vector.ItemType != NumberDataViewType.Single || vector.Size != mlp.Model.InputSize)
            throw new ArgumentException(
                $"The features column '{mlp.FeatureColumnName}' is {column.Type}; the Mlp reads Vector<Single, {mlp.Model.InputSize}>.", nameof(inputData));

        var (task, classNames) = mlp switch
        {
            MlpMulticlassPredictionTransformer m => (MlpOnnxTask.MulticlassClassification, m.ClassNames),
            MlpBinaryPredictionTransformer => (MlpOnnxTask.BinaryClassification, null),
            MlpRegressionPredictionTransformer => (MlpOnnxTask.Regression, (IReadOnlyList<string>?)null),
            MlpMultiOutputRegressionPredictionTransformer r => (MlpOnnxTask.MultiOutputRegression, r.OutputNames),
            _ => throw new NotSupportedException($"{mlp.GetType().Name} has no ONNX export."),
        };
        MlpOnnxExporter.Write(stream, mlp.Model, mlp.FeatureColumnName, task, classNames);
    }

    /// <summary>The Mlp transformer of <paramref name="model"/> and the schema it reads.</summary>
    private static (MlpPredictionTransformerBase Mlp, DataViewSchema Schema) FindMlp(ITransformer model, DataViewSchema schema)
    {
        if (model is MlpPredictionTransformerBase mlp) return (mlp, schema);
        if (model is IEnumerable<ITransformer> chain)
        {
            var steps = chain.ToArray();
            if (steps.Length == 0) throw new NotSupportedException("The transformer chain is empty: ExportMlpToOnnx exports a trained Mlp.");
            if (steps[^1] is not (MlpPredictionTransformerBase or IEnumerable<ITransformer>))
            {
                string where = steps.Any(s => s is MlpPredictionTransformerBase)
                    ? " after the Mlp; transformers after the Mlp are not exported: pass the chain up to the Mlp (or the Mlp's transformer)"
                    : " and no Mlp";
                throw new NotSupportedException($"The chain ends in {steps[^1].GetType().Name}{where}.");
            }
            for (int i = 0; i < steps.Length - 1; i++) schema = steps[i].GetOutputSchema(schema);
            return FindMlp(steps[^1], schema);
        }
        throw new NotSupportedException(
            $"ExportMlpToOnnx exports a Mlp prediction transformer or a TransformerChain ending in one, not {model.GetType().Name}.");
    }
}
