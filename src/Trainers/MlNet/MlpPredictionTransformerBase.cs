using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions.Trainers;

/// <summary>
/// Shared part of the MLP prediction transformers: the features column, the model, and per-cursor
/// scoring that reads a row's features once however many output columns are requested.
/// </summary>
public abstract class MlpPredictionTransformerBase : RowMappingTransformerBase, ISingleFeaturePredictionTransformer<MlpModelParameters>
{
    private protected MlpPredictionTransformerBase(MlpModelParameters model, string featureColumnName)
    {
        Model = model;
        FeatureColumnName = featureColumnName;
    }

    /// <summary>The trained network and everything saved with it.</summary>
    public MlpModelParameters Model { get; }

    /// <summary>The features column read by the model.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The features column's type: Vector&lt;Single, N&gt; with N = the model's input size.</summary>
    public DataViewType FeatureColumnType => new VectorDataViewType(NumberDataViewType.Single, Model.InputSize);

    /// <inheritdoc/>
    protected override IReadOnlyList<string> InputColumnNames => new[] { FeatureColumnName };

    private protected void CheckFeatures(DataViewSchema inputSchema)
    {
        var column = inputSchema.GetColumnOrNull(FeatureColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), $"The input has no features column '{FeatureColumnName}'.");
        if (column.Type is not VectorDataViewType { IsKnownSize: true } vt || vt.ItemType != NumberDataViewType.Single || vt.Size != Model.InputSize)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"The features column '{FeatureColumnName}' must be Vector<Single, {Model.InputSize}> as in training, but is {column.Type}.");
    }

    /// <summary>Scores the current row of a cursor on demand, once per row position.</summary>
    private protected sealed class RowScorer
    {
        private readonly DataViewRow _row;
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly MlpScorer _scorer;
        private readonly float[] _x;
        private readonly string _column;
        private VBuffer<float> _buffer;
        private long _position = -1;

        public RowScorer(DataViewRow row, MlpPredictionTransformerBase parent)
        {
            _row = row;
            _features = row.GetGetter<VBuffer<float>>(row.Schema[parent.FeatureColumnName]);
            _scorer = parent.Model.CreateScorer();
            _column = parent.FeatureColumnName;
            _x = new float[parent.Model.InputSize];
            Output = new float[parent.Model.OutputSize];
        }

        /// <summary>The network's outputs for the current row.</summary>
        public float[] Output { get; }

        /// <summary>Makes <see cref="Output"/> current.</summary>
        public void Ensure()
        {
            if (_position == _row.Position && _position >= 0) return;
            _features(ref _buffer);
            if (_buffer.Length != _x.Length)
                throw new InvalidOperationException($"Row {_row.Position}: the features vector has {_buffer.Length} values, expected {_x.Length}.");
            try
            {
                if (_buffer.IsDense)
                {
                    _scorer.Score(_buffer.GetValues(), Output);
                }
                else
                {
                    _buffer.CopyTo(_x);
                    _scorer.Score(_x, Output);
                }
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"Row {_row.Position}, column '{_column}': {e.Message}.", e);
            }

            _position = _row.Position;
        }
    }

    private protected static DataViewSchema.Annotations ScoreAnnotations(string kind, string valueKind, Action<DataViewSchema.Annotations.Builder>? more = null)
    {
        var b = new DataViewSchema.Annotations.Builder();
        more?.Invoke(b);
        b.AddPrimitiveValue("ScoreColumnKind", TextDataViewType.Instance, kind.AsMemory());
        b.AddPrimitiveValue("ScoreValueKind", TextDataViewType.Instance, valueKind.AsMemory());
        return b.ToAnnotations();
    }

    /// <inheritdoc/>
    protected override void SaveModel(BinaryWriter writer)
    {
        writer.Write(FeatureColumnName);
        SaveTask(writer);
        MlpModelSerializer.Write(writer, Model);
    }

    private protected virtual void SaveTask(BinaryWriter writer) { }
}
