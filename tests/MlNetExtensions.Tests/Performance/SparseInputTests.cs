using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Kernels;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;
using MlNetExtensions.Trainers.Schedules;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Performance;

/// <summary>
/// Mostly-zero training rows kept as lists of their non-zeros and fed to the first layer as such: the lists must describe
/// exactly the dense rows, the products from lists must give the dense products' bits, and training must give the same
/// weights with the lists as without them.
/// </summary>
[Collection(GemmSwitches.Name)]
public class SparseInputTests
{
    private static float[] SparseMatrix(int rows, int cols, double density, ulong seed)
    {
        var random = RandomStream.For(seed, (ulong)rows, (ulong)cols);
        var a = new float[rows * cols];
        for (int i = 0; i < a.Length; i++) a[i] = random.NextDouble() < density ? (float)random.NextGaussian() : 0f;
        for (int i = 0; i < Math.Min(rows, 2); i++) Array.Clear(a, i * cols, cols); // empty rows, as MNIST's blank borders
        return a;
    }

    /// <summary>The lists of the dense rows <paramref name="a"/> (rows × cols), by row and (built by the batch) by column.</summary>
    private static SparseBatch Lists(float[] a, int rows, int cols)
    {
        var batch = new SparseBatch(Math.Max(rows, 1), cols);
        batch.Reset(rows, a.Count(v => v != 0f));
        int q = 0;
        batch.RowStart[0] = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
                if (a[r * cols + c] != 0f) { batch.RowIndex[q] = c; batch.RowValue[q] = a[r * cols + c]; q++; }
            batch.RowStart[r + 1] = q;
        }
        batch.BuildColumns();
        return batch;
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]) || (expected[i] == 0f && actual[i] == 0f),
                $"{what}: element {i} dense {expected[i]:R} lists {actual[i]:R}");
    }

    public static TheoryData<int, int, int, double, bool, int> ProductCases()
    {
        var data = new TheoryData<int, int, int, double, bool, int>();
        (int M, int N, int K)[] shapes = [(128, 128, 784), (1, 128, 784), (2, 70, 300), (47, 65, 513), (9, 33, 257), (128, 10, 400), (20, 40, 1)];
        foreach (var (m, n, k) in shapes)
            foreach (double density in new[] { 0.0, 0.2 })
                foreach (bool acc in new[] { false, true })
                    data.Add(m, n, k, density, acc, acc ? 2 : 1);
        return data;
    }

    [Theory]
    [MemberData(nameof(ProductCases))]
    public void ProductsFromLists_GiveTheDenseProductsBits(int m, int n, int k, double density, bool accumulate, int threads)
    {
        if (!Gemm.SparseListsSupported) return; // the lists are used only where the zero-skipping executors run
        var a = SparseMatrix(m, k, density, 5);
        var lists = Lists(a, m, k);
        var random = RandomStream.For(6, (ulong)m, (ulong)n);
        int ldb = n + 1, ldc = n + 3;
        var b = Enumerable.Range(0, k * ldb).Select(_ => (float)random.NextGaussian()).ToArray();
        var c0 = Enumerable.Range(0, Math.Max(m, k) * ldc).Select(_ => (float)random.NextGaussian()).ToArray();

        // Forward: x·W from the row lists against the dense product of the same x.
        float[] dense = (float[])c0.Clone(), fromLists = (float[])c0.Clone();
        Gemm.Multiply(Transpose.No, Transpose.No, m, n, k, a, k, b, ldb, dense, ldc, accumulate);
        Gemm.MultiplySparse(lists.ByRow, n, b, ldb, fromLists, ldc, accumulate, threads);
        AssertSameBits(dense, fromLists, $"NN {m}x{n}x{k} density {density}");

        // Weight gradient: xᵀ·dy from the column lists against the dense transposed product.
        var dy = Enumerable.Range(0, m * ldb).Select(_ => (float)random.NextGaussian()).ToArray();
        dense = (float[])c0.Clone(); fromLists = (float[])c0.Clone();
        Gemm.Multiply(Transpose.Yes, Transpose.No, k, n, m, a, k, dy, ldb, dense, ldc, accumulate);
        Gemm.MultiplySparse(lists.ByColumn, n, dy, ldb, fromLists, ldc, accumulate, threads);
        AssertSameBits(dense, fromLists, $"TN {k}x{n}x{m} density {density}");
    }

    public static TheoryData<int, int, int, double, int> ScatterCases()
    {
        var data = new TheoryData<int, int, int, double, int>();
        // (batch m, columns n, features k): the reference layer, n past whole vectors (tails of 16 and 8, fewer than 8,
        // more than 128), a batch longer than the dense kernels' summation block (192 or 256 rows: blocks added), tiny ones.
        // A C of one or two rows with a batch longer than a summation block (the dense product's small-row path sums it whole),
        // and an empty batch (zeros).
        (int M, int N, int K)[] shapes = [(128, 128, 784), (64, 37, 50), (33, 7, 90), (16, 200, 30), (300, 128, 100), (520, 24, 60), (5, 1, 3), (128, 64, 8),
            (300, 16, 1), (600, 40, 2), (300, 16, 3), (0, 16, 5)];
        foreach (var (m, n, k) in shapes)
            foreach (double density in new[] { 0.0, 0.2, 0.9 })
                foreach (int threads in new[] { 1, 2 })
                    data.Add(m, n, k, density, threads);
        return data;
    }

    [Theory]
    [MemberData(nameof(ScatterCases))]
    public void ScatteredWeightGradient_GivesTheDenseProductsBits(int m, int n, int k, double density, int threads)
    {
        if (!Gemm.SparseListsSupported) return;
        var a = SparseMatrix(m, k, density, 11);
        var lists = Lists(a, m, k);
        var random = RandomStream.For(12, (ulong)m, (ulong)n);
        int ldb = n + 1, ldc = n + 3;
        var dy = Enumerable.Range(0, Math.Max(1, m * ldb)).Select(_ => (float)random.NextGaussian()).ToArray();
        var dense = Enumerable.Range(0, k * ldc).Select(_ => (float)random.NextGaussian()).ToArray();
        var scattered = Enumerable.Repeat(float.NaN, k * ldc).ToArray(); // overwritten, padding included as the dense one leaves it
        for (int r = 0; r < k; r++) dense.AsSpan(r * ldc + n, ldc - n).CopyTo(scattered.AsSpan(r * ldc + n));
        var fromColumns = (float[])scattered.Clone();
        Gemm.Multiply(Transpose.Yes, Transpose.No, k, n, m, a, k, dy, ldb, dense, ldc);
        Gemm.MultiplySparseTransposed(lists.ByRow, n, dy, ldb, scattered, ldc, threads);
        AssertSameBits(dense, scattered, $"scattered TN {k}x{n}x{m} density {density}, {threads} threads");
        Gemm.MultiplySparse(lists.ByColumn, n, dy, ldb, fromColumns, ldc, maxThreads: threads);
        AssertSameBits(fromColumns, scattered, $"scattered vs column lists TN {k}x{n}x{m} density {density}");
    }

    [Theory]
    [InlineData(128, 784, 0.2, 1, 0, 128)]
    [InlineData(128, 784, 0.2, 2, 0, 128)]
    [InlineData(40, 64, 0.9, 2, 0, 128)]   // one sub-block, most entries present
    [InlineData(17, 1000, 0.05, 1, 0, 128)] // rows with no entry in many sub-blocks
    [InlineData(64, 500, 0.0, 2, 0, 128)]   // no entries at all
    [InlineData(33, 300, 0.3, 2, 2, 128)]   // B off a 64-byte boundary: copied to an aligned buffer
    [InlineData(129, 193, 0.1, 1, 0, 130)]  // B's rows 130 apart: copied row by row
    [InlineData(64, 500, 0.05, 2, 5, 136)]
    public void ProductsFromLists_With128Columns_GiveTheDenseProductsBits(int m, int k, double density, int threads, int offset, int ldb)
    {
        // B 128 columns wide: read by the 128-column executor (AVX-512 or AVX2), in place when its rows are contiguous and
        // 64-byte aligned (offset 0, ldb 128: an aligned slice of a pinned array), else from an aligned copy; the same bits as
        // the dense product, and the same as the panel executor (that executor switched off).
        if (!Gemm.SparseListsSupported) return;
        var a = SparseMatrix(m, k, density, 15);
        var lists = Lists(a, m, k);
        var random = RandomStream.For(16, (ulong)m, (ulong)k);
        int length = (k - 1) * ldb + 128;
        var pinned = GC.AllocateArray<float>(length + 32, pinned: true);
        int start = (16 - AlignedFloats.Misalignment(pinned) / sizeof(float)) % 16 + offset;
        var b = pinned.AsMemory(start, length);
        for (int i = 0; i < length; i++) b.Span[i] = (float)random.NextGaussian();
        foreach (bool accumulate in new[] { false, true })
        {
            var c0 = Enumerable.Range(0, m * 128).Select(_ => (float)random.NextGaussian()).ToArray();
            float[] dense = (float[])c0.Clone(), wide = (float[])c0.Clone(), panels = (float[])c0.Clone();
            Gemm.Multiply(Transpose.No, Transpose.No, m, 128, k, a, k, b.Span, ldb, dense, 128, accumulate);
            Gemm.MultiplySparse(lists.ByRow, 128, b.Span, ldb, wide, 128, accumulate, threads);
            DiagnosticSwitches.WideLists = false;
            try { Gemm.MultiplySparse(lists.ByRow, 128, b.Span, ldb, panels, 128, accumulate, threads); }
            finally { DiagnosticSwitches.WideLists = true; }
            AssertSameBits(dense, wide, $"NN {m}x128x{k} density {density} accumulate {accumulate} offset {offset} ldb {ldb}");
            AssertSameBits(dense, panels, $"NN {m}x128x{k} density {density} accumulate {accumulate}, panels");
        }
    }

    [Fact]
    public void AlignedFloats_AreZeroedOfTheirLengthAndAlignedWhateverThePinnedHeapHolds()
    {
        // Holes in the pinned heap, as in a process that trained and dropped models (odd-sized pinned arrays, every other
        // one dropped, a full collection), and odd-sized pinned arrays in between: the buffers of 256 floats and more start
        // on a 64-byte boundary every time, and stay there after collections. (The former probe-and-filler allocation
        // missed the boundary in 17 of the 20 here.)
        var holes = new List<object?>();
        for (int i = 0; i < 400; i++) holes.Add(GC.AllocateUninitializedArray<byte>(40 + 36 * (i % 97), pinned: true));
        for (int i = 0; i < holes.Count; i += 2) holes[i] = null;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        var keep = new List<object>();
        var buffers = new List<AlignedFloats>();
        int[] lengths = [0, 5, 255, 256, 257, 1000, 4099, 100_352];
        for (int round = 0; round < 40; round++)
        {
            keep.Add(GC.AllocateUninitializedArray<byte>(1 + 7 * round, pinned: true));
            if (round % 3 == 0) _ = GC.AllocateUninitializedArray<byte>(3 + 13 * round, pinned: true);
            var x = new AlignedFloats(lengths[round % lengths.Length]);
            Assert.Equal(lengths[round % lengths.Length], x.Length);
            Assert.Equal(x.Length, x.Span.Length);
            Assert.Equal(x.Length, x.Memory.Length);
            Assert.All(x.Span.ToArray(), v => Assert.Equal(0f, v));
            buffers.Add(x);
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        foreach (var x in buffers)
        {
            if (x.Length >= AlignedFloats.MinAlignedLength) Assert.Equal(0, AlignedFloats.Misalignment(x.Span));
            // The span and the memory are the same floats.
            if (x.Length > 0)
            {
                x.Span[^1] = 3f;
                Assert.Equal(3f, x.Memory.Span[^1]);
                Assert.Equal(3f, x.ToArray()[^1]);
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new AlignedFloats(-1));
        GC.KeepAlive(keep);
        GC.KeepAlive(holes);
    }

    [Fact]
    public void MultiplySparseTransposed_RejectsShortOperands()
    {
        if (!Gemm.SparseListsSupported) return;
        var lists = Lists(SparseMatrix(4, 10, 0.5, 1), 4, 10);
        var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplySparseTransposed(lists.ByRow, 3, new float[11], 3, new float[30], 3));
        Assert.Contains("'b'", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.MultiplySparseTransposed(lists.ByRow, 3, new float[12], 3, new float[29], 3));
        Assert.Contains("'c'", e.Message);
    }

    [Fact]
    public unsafe void ColumnLists_AreRebuiltAfterTheRowsChange()
    {
        var first = SparseMatrix(6, 9, 0.4, 13);
        var batch = Lists(first, 6, 9);
        var second = SparseMatrix(6, 9, 0.4, 14);
        batch.Reset(6, second.Count(v => v != 0f));
        int q = 0;
        for (int r = 0; r < 6; r++)
        {
            for (int c = 0; c < 9; c++)
                if (second[r * 9 + c] != 0f) { batch.RowIndex[q] = c; batch.RowValue[q] = second[r * 9 + c]; q++; }
            batch.RowStart[r + 1] = q;
        }
        var byColumn = batch.ByColumn; // not rebuilt by hand: the batch knows its rows changed
        for (int c = 0; c < 9; c++)
        {
            var expected = Enumerable.Range(0, 6).Where(r => second[r * 9 + c] != 0f).ToArray();
            var listed = Enumerable.Range(byColumn.Start[c], byColumn.Start[c + 1] - byColumn.Start[c]).Select(p => byColumn.Index[p]).ToArray();
            Assert.Equal(expected, listed);
        }
    }

    [Fact]
    public void MultiplySparse_RejectsShortOperands()
    {
        if (!Gemm.SparseListsSupported) return;
        var lists = Lists(SparseMatrix(4, 10, 0.5, 1), 4, 10);
        var e = Assert.Throws<ArgumentException>(() => Gemm.MultiplySparse(lists.ByRow, 3, new float[29], 3, new float[12], 3));
        Assert.Contains("'b'", e.Message);
    }

    [Fact]
    public unsafe void ColumnLists_HoldEveryEntryByColumn_InRowOrder()
    {
        const int rows = 37, cols = 50;
        var a = SparseMatrix(rows, cols, 0.3, 2);
        var lists = Lists(a, rows, cols);
        var byColumn = lists.ByColumn;
        Assert.Equal(cols, byColumn.Rows);
        for (int c = 0; c < cols; c++)
        {
            var expected = Enumerable.Range(0, rows).Where(r => a[r * cols + c] != 0f).ToArray();
            var listed = Enumerable.Range(byColumn.Start[c], byColumn.Start[c + 1] - byColumn.Start[c]).ToArray();
            Assert.Equal(expected, listed.Select(q => byColumn.Index[q]));
            Assert.Equal(expected.Select(r => a[r * cols + c]), listed.Select(q => byColumn.Value[q]));
        }
        Assert.Equal(a, lists.ToDense());
    }

    private static float[] Densify(SparseRows rows, int r)
    {
        var x = new float[rows.FeatureCount];
        int length = rows.Start[r + 1] - rows.Start[r];
        var index = new int[length];
        rows.CopyIndices(rows.Start[r], index);
        for (int q = 0; q < length; q++) x[index[q]] = rows.Value[rows.Start[r] + q];
        return x;
    }

    [Theory]
    [InlineData(784, false)]
    [InlineData(70_000, true)] // more features than a 16-bit index holds
    public void SparseRows_DescribeTheDenseRows_WhateverBuildsThem(int features, bool wide)
    {
        int n = wide ? 6 : 300;
        var x = SparseMatrix(n, features, 0.15, 3);
        var set = new DenseDataset(x, features, new float[n], 1, null, n);
        var built = SparseRows.TryBuild(set)!;
        var builder = new SparseRows.Builder(features, n / 2); // fewer rows expected than come: the arrays must grow
        for (int r = 0; r < n; r++) builder.Add(x.AsSpan(r * features, features));
        var streamed = builder.Finish()!;
        foreach (var rows in new[] { built, streamed })
        {
            Assert.Equal(n, rows.Count);
            Assert.Equal(wide, rows.Index32 is not null);
            Assert.Equal(x.Count(v => v != 0f), rows.Start[n]);
            for (int r = 0; r < n; r++) Assert.Equal(x.AsSpan(r * features, features).ToArray(), Densify(rows, r));
        }
    }

    [Fact]
    public void DenseRows_AreNotListed()
    {
        const int n = 200, d = 30;
        var x = SparseMatrix(n, d, 0.6, 4);
        Assert.Null(SparseRows.TryBuild(new DenseDataset(x, d, new float[n], 1, null, n)));
        var builder = new SparseRows.Builder(d, n);
        for (int r = 0; r < n; r++) builder.Add(x.AsSpan(r * d, d));
        Assert.False(builder.Active);
        Assert.Null(builder.Finish());
    }

    private sealed class FloatLabels : LabelReader
    {
        public override int TargetSize => 1;

        public override Func<Span<float>, string?> CreateReader(DataViewRow row, DataViewSchema.Column label)
        {
            var get = row.GetGetter<float>(label);
            float value = 0;
            return t => { get(ref value); t[0] = value; return null; };
        }
    }

    /// <summary>A second reading of the label, as a smoothed/plain pair would differ: −label.</summary>
    private sealed class NegatedLabels : LabelReader
    {
        public override int TargetSize => 1;

        public override Func<Span<float>, string?> CreateReader(DataViewRow row, DataViewSchema.Column label)
        {
            var get = row.GetGetter<float>(label);
            float value = 0;
            return t => { get(ref value); t[0] = -value; return null; };
        }
    }

    /// <summary>The plain targets of a hold-out are read in the same pass as the training targets (no second read of the
    /// data): they are what the plain reader alone gives, row for row, skipped rows included, with lists or dense rows.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reader_WritesThePlainTargetsInTheSamePass(bool lists)
    {
        const int n = 120, d = 40;
        var x = SparseMatrix(n, d, 0.2, 11);
        x[30 * d + 2] = float.NaN; // skipped
        var data = new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(r => new Row { Features = x.AsSpan(r * d, d).ToArray(), Label = r + 0.5f }));
        var (both, _) = new TrainingDataReader("Features", "Label", null, new FloatLabels(), MissingValueHandling.SkipRows, new NegatedLabels()).Read(data, "test data", listNonZeros: lists);
        var (alone, _) = new TrainingDataReader("Features", "Label", null, new NegatedLabels(), MissingValueHandling.SkipRows).Read(data, "test data");
        Assert.Equal(alone.Count, both.Count);
        Assert.Equal(alone.Targets.AsSpan(0, alone.Count).ToArray(), both.PlainTargets.AsSpan(0, both.Count).ToArray());
        var swapped = both.WithPlainTargets();
        Assert.Equal(alone.Targets.AsSpan(0, alone.Count).ToArray(), swapped.Targets.AsSpan(0, swapped.Count).ToArray());
        Assert.Equal(alone.Features.AsSpan(0, alone.Count * d).ToArray(), swapped.Features.AsSpan(0, swapped.Count * d).ToArray());
        Assert.Equal(both.Targets.AsSpan(0, both.Count).ToArray(), alone.Targets.AsSpan(0, alone.Count).ToArray().Select(v => -v).ToArray());
        var (none, _) = new TrainingDataReader("Features", "Label", null, new FloatLabels(), MissingValueHandling.SkipRows).Read(data, "test data");
        Assert.Null(none.PlainTargets);
        Assert.Throws<InvalidOperationException>(() => none.WithPlainTargets());
    }

    private sealed class Row
    {
        [VectorType(40)] public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }

    [Fact]
    public void Reader_ListsTheRowsItKeeps()
    {
        const int n = 120, d = 40;
        var x = SparseMatrix(n, d, 0.2, 7);
        x[17 * d + 5] = float.NaN; // a row the reader skips
        var data = new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(r => new Row { Features = x.AsSpan(r * d, d).ToArray(), Label = r }));
        var reader = new TrainingDataReader("Features", "Label", null, new FloatLabels(), missing: MissingValueHandling.SkipRows);
        var (set, skipped) = reader.Read(data, "test data", listNonZeros: true);
        var (plain, plainSkipped) = reader.Read(data, "test data");
        Assert.Null(plain.Lists); // not asked: no lists
        Assert.Equal(1, skipped);
        Assert.Equal(1, plainSkipped);
        Assert.NotNull(set.Lists);
        Assert.Null(set.DenseFeatures); // held only as lists
        Assert.Equal(n - 1, set.Lists!.Count);
        Assert.Equal(n - 1, set.Count);
        for (int r = 0; r < set.Count; r++) Assert.Equal(plain.Features.AsSpan(r * d, d).ToArray(), Densify(set.Lists, r));
        Assert.Equal(plain.Targets.AsSpan(0, plain.Count).ToArray(), set.Targets.AsSpan(0, set.Count).ToArray());
        // Dense rows on demand: the same values as the plain read, built once.
        Assert.Equal(plain.Features.AsSpan(0, plain.Count * d).ToArray(), set.Features);
        Assert.Same(set.Features, set.DenseFeatures);
    }

    [Fact]
    public void Reader_SwitchesToDenseRows_WhenTheRowsProveDense()
    {
        // 100 mostly-zero rows (listed), then dense ones: the lists give up and every row, the listed ones included, ends up
        // in the dense rows exactly as a plain read gives them (a NaN row skipped before the switch).
        const int n = 300, d = 40;
        var x = SparseMatrix(n, d, 0.1, 8);
        var dense = SparseMatrix(n, d, 0.9, 9);
        dense.AsSpan(100 * d).CopyTo(x.AsSpan(100 * d));
        x[17 * d + 5] = float.NaN;
        var data = new MLContext(1).Data.LoadFromEnumerable(Enumerable.Range(0, n).Select(r => new Row { Features = x.AsSpan(r * d, d).ToArray(), Label = r }));
        var reader = new TrainingDataReader("Features", "Label", null, new FloatLabels(), missing: MissingValueHandling.SkipRows);
        var (set, skipped) = reader.Read(data, "test data", listNonZeros: true);
        var (plain, _) = reader.Read(data, "test data");
        Assert.Equal(1, skipped);
        Assert.Null(set.Lists);
        Assert.NotNull(set.DenseFeatures);
        Assert.Equal(n - 1, set.Count);
        Assert.Equal(plain.Features.AsSpan(0, plain.Count * d).ToArray(), set.Features.AsSpan(0, set.Count * d).ToArray());
        Assert.Equal(plain.Targets.AsSpan(0, plain.Count).ToArray(), set.Targets.AsSpan(0, set.Count).ToArray());
    }

    private static DenseDataset SparseClasses(int n, int d, ulong seed)
    {
        // Three classes, each lighting up its own third of the features (plus noise), 25 % non-zeros.
        var random = new RandomStream(seed);
        var x = new float[n * d];
        var t = new float[n * 3];
        for (int i = 0; i < n; i++)
        {
            int c = i % 3;
            for (int j = 0; j < d; j++)
            {
                bool own = j * 3 / d == c;
                if (random.NextDouble() < (own ? 0.6 : 0.05)) x[i * d + j] = (float)random.NextDouble();
            }
            t[i * 3 + c] = 1f;
        }
        return new DenseDataset(x, d, t, 3, null, n);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Training_OnListsGivesTheWeightsOfTrainingOnDenseRows(int threads)
    {
        if (!Gemm.SparseListsSupported) return;
        const int d = 96;
        var train = SparseClasses(300, d, 11);
        Assert.NotNull(SparseRows.TryBuild(train)); // the lists path is taken for this data
        TrainingSettings Settings() => new()
        {
            Network = new NetworkSpec(d, new[] { 48, 16 }, 3, Activation.Relu),
            CreateLoss = () => new SoftmaxCrossEntropyLoss(3),
            CreateOptimizer = () => OptimizerFactory.Create(new OptimizerSettings(OptimizerKind.Adam, 0.01f)),
            Schedule = LearningRateScheduleFactory.Create(new ScheduleSettings(LearningRateScheduleKind.Constant, 0.01f, 1, 0.01f, 0.5f, 0)),
            Initializer = WeightInitializerFactory.Create(WeightInitialization.HeUniform, 1f, 1),
            Metric = (_, _) => 0,
            Epochs = 4, BatchSize = 32, Shuffle = true, Seed = 3, MaxThreads = threads,
        };
        MultilayerPerceptron lists, dense;
        try
        {
            DiagnosticSwitches.SparseInput = true;
            lists = new MlpTrainingLoop(Settings()).Run(new FixedEpochData(train), null).Network;
            DiagnosticSwitches.SparseInput = false;
            dense = new MlpTrainingLoop(Settings()).Run(new FixedEpochData(train), null).Network;
        }
        finally
        {
            DiagnosticSwitches.SparseInput = true;
        }
        for (int p = 0; p < lists.Parameters.Count; p++)
            Assert.Equal(dense.Parameters[p].Value.ToArray().Select(BitConverter.SingleToInt32Bits), lists.Parameters[p].Value.ToArray().Select(BitConverter.SingleToInt32Bits));
    }
}
