using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Integration;

public class AugmentationWithMlpTests
{
    /// <summary>Passes a view through and records the first row's features of every cursor (one per pass over the data).</summary>
    private sealed class RecordingView : IDataView
    {
        private readonly IDataView _inner;
        public List<float[]> FirstRowPerPass { get; } = new();
        public RecordingView(IDataView inner) => _inner = inner;
        public bool CanShuffle => _inner.CanShuffle;
        public DataViewSchema Schema => _inner.Schema;
        public long? GetRowCount() => _inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            return new Recording(_inner.GetRowCursor(columnsNeeded, rand), this);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => new[] { GetRowCursor(columnsNeeded, rand) };

        private sealed class Recording : DataViewRowCursor
        {
            private readonly DataViewRowCursor _inner;
            private readonly RecordingView _owner;
            private bool _recorded;
            public Recording(DataViewRowCursor inner, RecordingView owner) { _inner = inner; _owner = owner; }
            public override DataViewSchema Schema => _inner.Schema;
            public override long Position => _inner.Position;
            public override long Batch => _inner.Batch;
            public override ValueGetter<DataViewRowId> GetIdGetter() => _inner.GetIdGetter();
            public override bool IsColumnActive(DataViewSchema.Column column) => _inner.IsColumnActive(column);
            public override bool MoveNext() => _inner.MoveNext();
            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                var getter = _inner.GetGetter<TValue>(column);
                if (column.Name != "Features" || typeof(TValue) != typeof(VBuffer<float>)) return getter;
                return (ref TValue value) =>
                {
                    getter(ref value);
                    if (!_recorded && Position == 0)
                    {
                        _owner.FirstRowPerPass.Add(((VBuffer<float>)(object)value!).DenseValues().ToArray());
                        _recorded = true;
                    }
                };
            }
            protected override void Dispose(bool disposing) { if (disposing) _inner.Dispose(); base.Dispose(disposing); }
        }
    }

    private static AugmentationOperation[] DigitOperations() => new AugmentationOperation[]
    {
        new Affine { Probability = 0.7f, RotationDegrees = FloatRange.Symmetric(10), Scale = new FloatRange(0.9f, 1.1f) },
        new ElasticDeformation { Probability = 0.5f, Alpha = 2f, Sigma = 1f },
    };

    [Fact]
    public void MlpSeesFreshAugmentedValuesEveryEpoch()
    {
        var ml = new MLContext(seed: 1);
        var raw = TestData.Load(ml, "digits_train.csv");
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
        var augment = ml.Transforms.AugmentImages("Features", DigitOperations(), seed: 3, pixelMaximum: 1f).Fit(keyed);
        var spy = new RecordingView(augment.Transform(keyed));
        var model = ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 3, Seed = 1 }).Fit(spy);

        Assert.Equal(3, model.Model.History.Epochs.Count);
        // One read per epoch (the first also serves the stochastic-data probe's passes before it).
        Assert.True(spy.FirstRowPerPass.Count >= 3, $"only {spy.FirstRowPerPass.Count} passes recorded");
        var last = spy.FirstRowPerPass[^1];
        var previous = spy.FirstRowPerPass[^2];
        Assert.NotEqual(previous, last);

        // Without augmentation the data is read once and reused.
        var plain = new RecordingView(keyed);
        ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 16 }, NumberOfEpochs = 3, Seed = 1 }).Fit(plain);
        Assert.True(plain.FirstRowPerPass.Count < spy.FirstRowPerPass.Count);
    }

    [Fact]
    public void AugmentationImprovesAnMlpTrainedOnAFewDigits()
    {
        var ml = new MLContext(seed: 1);
        var all = TestData.Load(ml, "digits_train.csv");
        var few = ml.Data.Cache(ml.Data.TakeRows(all, 300));
        var test = TestData.Load(ml, "digits_test.csv");
        var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(all);
        MlpMulticlassTrainer Trainer(int seed) => ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options
        {
            HiddenLayerSizes = new[] { 128 }, NumberOfEpochs = 60, BatchSize = 32, LearningRate = 0.002f, Seed = seed,
            LearningRateSchedule = LearningRateScheduleKind.Constant, L2Regularization = 0, Beta2 = 0.999f, // the settings this was written for
        });
        double Accuracy(ITransformer model) => ml.MulticlassClassification.Evaluate(model.Transform(keys.Transform(test))).MicroAccuracy;

        // Same seeds and epochs with and without augmentation (small rotations and scaling, elastic deformation).
        double withoutAug = 0, withAug = 0;
        foreach (var seed in new[] { 4, 5 })
        {
            withoutAug += Accuracy(Trainer(seed).Fit(keys.Transform(few))) / 2;
            var augmentation = ml.Transforms.AugmentImages("Features", DigitOperations(), seed: 3, pixelMaximum: 1f);
            withAug += Accuracy(augmentation.Append(Trainer(seed)).Fit(keys.Transform(few))) / 2;
        }
        Assert.True(withAug > withoutAug + 0.005, $"augmented {withAug:F4} vs plain {withoutAug:F4} (mean of two seeds, 300 training rows)");
    }
}
