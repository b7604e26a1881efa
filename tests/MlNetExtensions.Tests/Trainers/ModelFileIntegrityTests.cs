using System.Diagnostics;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Trainers;

/// <summary>Corrupted, truncated, crafted and half-written model files: they throw a named error, never load silently wrong.</summary>
public class ModelFileIntegrityTests
{
    private static (string Path, IDataView Test, int[] Expected) SaveModel(MLContext ml, string dir, string name = "model.zip", bool withTransform = true)
    {
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var mlp = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 2, Seed = 1 });
        // (The child process of the kill test references the trainers only.)
        ITransformer model = withTransform ? ml.Transforms.InjectNoise("Features", standardDeviation: 0.01f).Append(mlp).Fit(train) : mlp.Fit(train);
        var path = Path.Combine(dir, name);
        ml.Model.SaveAtomic(model, train.Schema, path);
        var test = ml.Data.Cache(ml.Data.TakeRows(TestData.Load(ml, "breast_cancer_test.csv", DataKind.Boolean), 40));
        return (path, test, Scores(model, test));
    }

    private static int[] Scores(ITransformer model, IDataView data)
    {
        var scored = model.Transform(data);
        return scored.GetColumn<float>("Score").Concat(scored.GetColumn<float>("Probability")).Select(BitConverter.SingleToInt32Bits).ToArray();
    }

    /// <summary>Loads and scores; null when both gave the expected bits, else the exception (or "differs").</summary>
    private static string? Outcome(Func<ITransformer> load, IDataView test, int[] expected, out bool threw, out bool silent)
    {
        threw = false; silent = false;
        ITransformer model;
        try { model = load(); }
        catch (Exception e) { threw = true; return e.GetType().Name; }
        int[] actual;
        try { actual = Scores(model, test); }
        catch (Exception e) { threw = true; return "at scoring: " + e.GetType().Name; }
        if (actual.SequenceEqual(expected)) return null;
        silent = true;
        return "loaded and predicted differently";
    }

    [Fact]
    public void Fuzz_200ByteFlipsAnd20Truncations_EachThrowsOrPredictsTheSameBits()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetext-fuzz-");
        try
        {
            var ml = new MLContext(seed: 1);
            var (path, test, expected) = SaveModel(ml, dir.FullName);
            var original = File.ReadAllBytes(path);
            var random = new Random(20261202);
            var loader = new MLContext(); // LoadChecked registers on it; plain Load uses the same registration
            loader.ComponentCatalog.RegisterMlNetExtensions();
            var silentChecked = new List<string>(); var silentPlain = new List<string>();
            int checkedThrew = 0, checkedNonFormat = 0;
            var copy = Path.Combine(dir.FullName, "copy.zip");
            for (int trial = 0; trial < 220; trial++)
            {
                var bytes = (byte[])original.Clone();
                string what;
                if (trial < 200)
                {
                    int at = random.Next(bytes.Length);
                    bytes[at] ^= (byte)random.Next(1, 256);
                    what = $"flip at {at}";
                }
                else
                {
                    int length = random.Next(bytes.Length);
                    bytes = bytes[..length];
                    what = $"truncated to {length}";
                }
                File.WriteAllBytes(copy, bytes);
                var viaChecked = Outcome(() => loader.Model.LoadChecked(copy, out _), test, expected, out bool threw, out bool silent);
                if (silent) silentChecked.Add(what);
                if (threw) { checkedThrew++; if (viaChecked != nameof(FormatException)) checkedNonFormat++; }
                Outcome(() => loader.Model.Load(copy, out _), test, expected, out _, out bool silentLoad);
                if (silentLoad) silentPlain.Add(what);
            }
            Assert.True(silentChecked.Count == 0, "LoadChecked loaded corrupted copies silently: " + string.Join(", ", silentChecked));
            Assert.True(checkedNonFormat == 0, $"{checkedNonFormat} LoadChecked failures were not a FormatException");
            Assert.True(checkedThrew > 150, $"only {checkedThrew} of 220 corrupted copies were refused");
            // Plain Load does not check the zip's CRC-32 (ML.NET does not), but every MlNetExtensions payload checks its own.
            Assert.True(silentPlain.Count == 0, "Load loaded corrupted copies silently: " + string.Join(", ", silentPlain));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void AFlipInsideThePayload_WithTheZipCrcRecomputed_IsCaughtByThePayloadChecksum()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetext-");
        try
        {
            var ml = new MLContext(seed: 1);
            var (path, _, _) = SaveModel(ml, dir.FullName);
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                // The Mlp's entry (the chain's second transformer): flip a byte of its weights and rewrite the entry, so
                // the zip's own CRC-32 is right again.
                var entry = zip.Entries.Single(e => e.FullName.Contains("Transform_001") && e.FullName.EndsWith("Model.key", StringComparison.Ordinal));
                byte[] bytes;
                using (var s = entry.Open()) { using var ms = new MemoryStream(); s.CopyTo(ms); bytes = ms.ToArray(); }
                bytes[bytes.Length / 2] ^= 0x10;
                var name = entry.FullName;
                entry.Delete();
                using var w = zip.CreateEntry(name).Open();
                w.Write(bytes);
            }
            var fresh = new MLContext();
            var e1 = Assert.Throws<FormatException>(() => fresh.Model.LoadChecked(path, out _));
            Assert.Contains(path, e1.Message);
            Assert.Contains("CRC-32", e1.Message);
            Assert.Contains("MlNetExtMlpBinary", e1.Message);
            var e2 = Assert.ThrowsAny<Exception>(() => fresh.Model.Load(path, out _));
            Assert.Contains("CRC-32", string.Join(" | ", Chain(e2).Select(x => x.Message)));
        }
        finally { dir.Delete(recursive: true); }
    }

    private static IEnumerable<Exception> Chain(Exception e) { for (var x = e; x is not null; x = x.InnerException) yield return x; }

    /// <summary>Revision 3's log scales must agree with the slot kinds: a LogContinuous slot turned Continuous (or given a
    /// log scale of 0) in the payload is a FormatException naming the slot, not a model scoring with the wrong inputs.</summary>
    [Fact]
    public void ACraftedLogSlot_ThatDisagreesWithItsScale_IsRefused()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var model = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 1, Seed = 1 }).Fit(train);
        int slot = model.Model.FeatureKinds.ToList().IndexOf(InputSlotKind.LogContinuous);
        Assert.True(slot >= 0, "breast cancer has long-tailed slots");
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) MlpModelSerializer.Write(w, model.Model);
        var bytes = buffer.ToArray();
        // The payload begins with −revision (4 bytes) and the slot count (4 bytes); then one kind byte per slot.
        Assert.Equal((byte)InputSlotKind.LogContinuous, bytes[8 + slot]);
        var crafted = (byte[])bytes.Clone();
        crafted[8 + slot] = (byte)InputSlotKind.Continuous;
        var e = Assert.Throws<FormatException>(() => MlpModelSerializer.Read(new BinaryReader(new MemoryStream(crafted))));
        Assert.Contains($"slot {slot}", e.Message);
        Assert.Contains("log scale", e.Message);
        Assert.Equal(model.Model.FeatureKinds, MlpModelSerializer.Read(new BinaryReader(new MemoryStream(bytes))).FeatureKinds);
    }

    [Fact]
    public void ACraftedHugeLayer_IsRefusedBeforeAllocating()
    {
        var ml = new MLContext(seed: 1);
        var train = TestData.Load(ml, "breast_cancer_train.csv", DataKind.Boolean);
        var model = ml.BinaryClassification.Trainers.Mlp(new MlpBinaryTrainer.Options { HiddenLayerSizes = new[] { 8 }, NumberOfEpochs = 1, Seed = 1 }).Fit(train);
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) MlpModelSerializer.Write(w, model.Model);
        var bytes = buffer.ToArray();
        // The first dense layer: tag 1, fan-in 30, fan-out 8.
        var pattern = new byte[] { 1 }.Concat(BitConverter.GetBytes(30)).Concat(BitConverter.GetBytes(8)).ToArray();
        int at = Enumerable.Range(0, bytes.Length - pattern.Length).First(i => bytes.AsSpan(i, pattern.Length).SequenceEqual(pattern));
        foreach (var (m, n) in new[] { (65537, 65536), (1 << 26, 1 << 26), (30, 1 << 25) })
        {
            var crafted = (byte[])bytes.Clone();
            BitConverter.GetBytes(m).CopyTo(crafted, at + 1);
            BitConverter.GetBytes(n).CopyTo(crafted, at + 5);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var e = Assert.Throws<FormatException>(() => MlpModelSerializer.Read(new BinaryReader(new MemoryStream(crafted))));
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, $"{m} × {n}: allocated before refusing");
            Assert.Contains($"{m} × {n}", e.Message);
        }
        // The unmodified bytes still read (the check refuses only what is impossible).
        Assert.Equal(model.Model.DenseLayers.Count, MlpModelSerializer.Read(new BinaryReader(new MemoryStream(bytes))).DenseLayers.Count);
    }

    [Fact]
    public void LeftoverTemporaries_OfDeadProcesses_AreRemovedByTheNextSave_AConcurrentOneIsKept()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetext-");
        try
        {
            var ml = new MLContext(seed: 1);
            var (path, test, expected) = SaveModel(ml, dir.FullName);
            int dead;
            using (var p = Process.Start(new ProcessStartInfo("dotnet", "--version") { RedirectStandardOutput = true, UseShellExecute = false })!)
            { p.WaitForExit(); dead = p.Id; }
            string Temp(int pid) => Path.Combine(dir.FullName, $".model.zip.{pid}.{Guid.NewGuid():N}.tmp");
            var ofDead = Temp(dead); File.WriteAllBytes(ofDead, new byte[100]);
            var ours = Temp(Environment.ProcessId); File.WriteAllBytes(ours, new byte[100]);
            var stale = Temp(Environment.ProcessId); File.WriteAllBytes(stale, new byte[100]);
            File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));
            var unrelated = Path.Combine(dir.FullName, ".other.zip.1.tmp"); File.WriteAllBytes(unrelated, new byte[1]);

            var loaded = new MLContext().Model.LoadChecked(path, out var schema);
            Assert.False(File.Exists(ofDead));
            Assert.False(File.Exists(stale));
            Assert.True(File.Exists(ours)); // a save of a running process (here: this one) may still be writing it
            Assert.True(File.Exists(unrelated));
            Assert.Equal(expected, Scores(loaded, test));
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public async Task KillingAProcessMidSave_LeavesTheOldFile_AndTheNextSaveCleansUp()
    {
        var dir = Directory.CreateTempSubdirectory("mlnetext-");
        try
        {
            var ml = new MLContext(seed: 1);
            var (source, test, expected) = SaveModel(ml, dir.FullName, "source.zip", withTransform: false);
            var target = Path.Combine(dir.FullName, "model.zip");
            File.Copy(source, target);
            var dll = Path.Combine(AppContext.BaseDirectory, "MlNetExtensions.LoadCheck.dll");
            for (int round = 0; round < 3; round++)
            {
                var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { "exec", dll, "--save-loop", source, target }) psi.ArgumentList.Add(a);
                using var child = Process.Start(psi)!;
                var errors = child.StandardError.ReadToEndAsync();
                var first = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(first == "saving", $"the saving process did not start: {first}");
                await Task.Delay(150 + 100 * round);
                child.Kill();
                Assert.True(child.WaitForExit(30_000), "the saving process did not die");
                // The file at the target is always a whole model.
                var fresh = new MLContext();
                Assert.Equal(expected, Scores(fresh.Model.LoadChecked(target, out _), test));
                Assert.Empty(Directory.GetFiles(dir.FullName, ".model.zip.*.tmp")); // LoadChecked removed the dead saver's file
            }
        }
        finally { dir.Delete(recursive: true); }
    }
}
