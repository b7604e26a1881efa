using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

/// <summary><c>LoadChecked</c> on good files: it registers the loaders itself, on a fresh <see cref="MLContext"/>.</summary>
public class LoadCheckedTests
{
    [Fact]
    public void LoadChecked_OnAFreshContext_LoadsAGoodModel_WithTheSameScores()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetext-");
        try
        {
            var ml = new MLContext(seed: 1);
            var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
            var model = ml.Transforms.InjectNoise("Features", standardDeviation: 0.01f)
                .Append(ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 3, Seed = 1 })).Fit(train);
            var path = Path.Combine(dir.FullName, "model.zip");
            ml.Model.SaveAtomic(model, train.Schema, path);
            var expected = model.Transform(TestData.Load(ml, "breast_cancer_test.csv", DataKind.Boolean)).GetColumn<float>("Score").ToArray();

            var fresh = new MLContext(); // never registered: LoadChecked must do it
            var loaded = fresh.Model.LoadChecked(path, out var schema);
            Assert.Equal(train.Schema.Select(c => c.Name), schema.Select(c => c.Name));
            var actual = loaded.Transform(TestData.Load(fresh, "breast_cancer_test.csv", DataKind.Boolean)).GetColumn<float>("Score").ToArray();
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        }
        finally { dir.Delete(recursive: true); }
    }
}
