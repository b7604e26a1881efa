using MlNetExtensions.Trainers.Kernels;

namespace MlNetExtensions.Tests.Kernels;

public class GemmTests
{
    // m, n, k: ones, primes, tile edges (4/6/8 ± 1, 16/32 ± 1), k crossing the KC=256 block, and the MLP reference shapes.
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 1, 17), (1, 33, 1), (7, 1, 1), (1, 128, 784), (2, 45, 70), (2, 70, 3000), (3, 200, 9), (5, 3, 2), (13, 17, 19),
        (6, 16, 300), (8, 32, 256), (9, 33, 257), (31, 29, 37), (47, 65, 513), (97, 101, 103),
        (128, 10, 64), (128, 64, 128), (64, 10, 128), (128, 128, 64), (128, 64, 10), (128, 128, 784), (784, 128, 128),
    ];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, bool, int), (double[], double[])> References = new();

    internal static readonly GemmPath[] ConcretePaths = [GemmPath.Scalar, GemmPath.Vector128, GemmPath.Avx2, GemmPath.Avx512];

    public static TheoryData<string, string, bool, int> Cases()
    {
        var data = new TheoryData<string, string, bool, int>();
        foreach (GemmPath path in ConcretePaths.Append(GemmPath.Auto))
        {
            foreach (Transpose ta in new[] { Transpose.No, Transpose.Yes })
            {
                foreach (Transpose tb in new[] { Transpose.No, Transpose.Yes })
                {
                    foreach (bool acc in new[] { false, true })
                    {
                        for (int s = 0; s < Shapes.Length; s++)
                        {
                            data.Add(path.ToString(), Op(ta, tb), acc, s);
                        }
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesDoubleReference(string pathName, string op2, bool accumulate, int shapeIndex)
    {
        (Transpose transA, Transpose transB) = ParseOp(op2);
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        if (!Gemm.IsSupported(path))
        {
            return; // not available on this machine; nothing to test
        }

        (int m, int n, int k) = Shapes[shapeIndex];
        // Non-trivial leading dimensions on odd shape indices; the padding of C must stay untouched.
        int pad = shapeIndex % 2 == 1 ? 3 : 0;
        var op = new Operands(transA, transB, m, n, k, pad, seed: shapeIndex * 31 + (int)transA * 7 + (int)transB);
        float[] c = op.C.ToArray();

        Gemm.Multiply(path, transA, transB, m, n, k, op.A, op.Lda, op.B, op.Ldb, c, op.Ldc, accumulate);

        // The reference depends only on (op, accumulate, shape): computed once and shared by the five paths.
        (double[] expected, double[] scale) = References.GetOrAdd((op2, accumulate, shapeIndex), _ =>
        {
            double[] e = GemmReference.Multiply(transA, transB, m, n, k, op.A, op.Lda, op.B, op.Ldb, op.C, op.Ldc, accumulate, out double[] sc);
            return (e, sc);
        });
        AssertClose(expected, scale, c, op.C, m, n, k, op.Ldc, $"{path} {op2} acc={accumulate} {m}x{n}x{k}");
    }

    private static string Op(Transpose ta, Transpose tb) => (ta == Transpose.No ? "N" : "T") + (tb == Transpose.No ? "N" : "T");

    private static (Transpose, Transpose) ParseOp(string op) =>
        (op[0] == 'N' ? Transpose.No : Transpose.Yes, op[1] == 'N' ? Transpose.No : Transpose.Yes);

    /// <summary>|error| ≤ 1e-5 · max(1, k/256) · Σ|aᵢₚ·bₚⱼ| (+|c|): relative error with a tolerance scaled by k.</summary>
    internal static void AssertClose(double[] expected, double[] scale, float[] actual, float[] original, int m, int n, int k, int ldc, string what)
    {
        double tol = 1e-5 * Math.Max(1.0, k / 256.0);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double e = expected[i * n + j], got = actual[i * ldc + j];
                double err = Math.Abs(got - e);
                if (!(err <= tol * scale[i * n + j] + 1e-30))
                {
                    Assert.Fail($"{what}: C[{i},{j}] = {got}, expected {e} (error {err:E2}, allowed {tol * scale[i * n + j]:E2}).");
                }
            }

            for (int j = n; j < ldc && i * ldc + j < actual.Length; j++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(actual[i * ldc + j]) == BitConverter.SingleToInt32Bits(original[i * ldc + j]), $"{what}: padding C[{i},{j}] was modified.");
            }
        }
    }

    [Theory]
    [InlineData("NN", 128, 512, 784)]
    [InlineData("TN", 784, 128, 128)]
    [InlineData("NT", 128, 512, 512)]
    [InlineData("TT", 301, 257, 300)]
    [InlineData("NN", 130, 70, 513)]
    public void ResultsAreBitIdenticalForAnyThreadCountAndPartition(string op2, int m, int n, int k)
    {
        (Transpose transA, Transpose transB) = ParseOp(op2);
        foreach (GemmPath path in ConcretePaths.Where(p => p != GemmPath.Scalar && Gemm.IsSupported(p)))
        {
            foreach (bool acc in new[] { false, true })
            {
                var op = new Operands(transA, transB, m, n, k, pad: 1, seed: m + n + k);
                float[] single = op.C.ToArray();
                Gemm.Multiply(path, transA, transB, m, n, k, op.A, op.Lda, op.B, op.Ldb, single, op.Ldc, acc, maxThreads: 1);

                foreach (int threads in new[] { 2, 3, 16 })
                {
                    float[] multi = op.C.ToArray();
                    Gemm.Multiply(path, transA, transB, m, n, k, op.A, op.Lda, op.B, op.Ldb, multi, op.Ldc, acc, maxThreads: threads);
                    AssertBitIdentical(single, multi, $"{path} acc={acc} maxThreads={threads}");
                }

                // Force partitions the 2-core test machine would never choose: 3 and 5 parts, over rows and over columns.
                foreach (int parts in new[] { 2, 3, 5 })
                {
                    foreach (bool splitM in new[] { true, false })
                    {
                        float[] multi = op.C.ToArray();
                        Gemm.MultiplyPartitioned(path, transA, transB, m, n, k, op.A, op.Lda, op.B, op.Ldb, multi, op.Ldc, acc, parts, splitM);
                        AssertBitIdentical(single, multi, $"{path} acc={acc} parts={parts} splitM={splitM}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData("NN")]
    [InlineData("TN")]
    public void UnpackedSmallProductsGiveThePackedPathsBits(string op2)
    {
        if (!Gemm.IsSupported(GemmPath.Avx512)) return; // the unpacked path is AVX-512 only
        (Transpose transA, Transpose transB) = ParseOp(op2);
        // Tile edges in m (8 ± 1), n (16 and 32 ± 1, a single column), k across the 192-deep block, and the small tabular
        // network's shapes (batch 32 through 9 → 128 → 64 → 3).
        (int M, int N, int K)[] shapes =
        [
            (3, 1, 1), (7, 5, 3), (8, 32, 192), (9, 33, 193), (15, 17, 400), (17, 63, 31), (32, 128, 9), (32, 64, 128),
            (128, 64, 31), (9, 128, 32), (64, 3, 32), (33, 47, 300),
        ];
        foreach (var (m, n, k) in shapes)
        {
            Assert.True(Gemm.UsesDirect(GemmPath.Avx512, transB, m, n, k, maxThreads: 1), $"{op2} {m}x{n}x{k} should take the unpacked path");
            foreach (bool acc in new[] { false, true })
            {
                var op = new Operands(transA, transB, m, n, k, pad: 3, seed: 7 * m + n + k);
                op.A[1] = float.PositiveInfinity; // non-finite values take the same path through both
                op.B[Math.Min(op.B.Length - 4, op.Ldb + 1)] = float.NaN;
                float[] direct = op.C.ToArray();
                Gemm.Multiply(GemmPath.Avx512, transA, transB, m, n, k, op.A, op.Lda, op.B, op.Ldb, direct, op.Ldc, acc, maxThreads: 1);
                float[] packed = op.C.ToArray(); // the partitioned entry always runs the packed kernels
                Gemm.MultiplyPartitioned(GemmPath.Avx512, transA, transB, m, n, k, op.A, op.Lda, op.B, op.Ldb, packed, op.Ldc, acc, 1, splitM: true);
                AssertBitIdentical(packed, direct, $"{op2} {m}x{n}x{k} acc={acc}");
            }
        }
    }

    private static void AssertBitIdentical(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R} instead of {expected[i]:R}.");
            }
        }
    }

    [Fact]
    public void MultiThreadedResultMatchesReference()
    {
        var op = new Operands(Transpose.No, Transpose.No, 200, 300, 400, pad: 2, seed: 5);
        float[] c = op.C.ToArray();
        Gemm.Multiply(Transpose.No, Transpose.No, 200, 300, 400, op.A, op.Lda, op.B, op.Ldb, c, op.Ldc, accumulate: true, maxThreads: 2);
        double[] expected = GemmReference.Multiply(Transpose.No, Transpose.No, 200, 300, 400, op.A, op.Lda, op.B, op.Ldb, op.C, op.Ldc, true, out double[] scale);
        AssertClose(expected, scale, c, op.C, 200, 300, 400, op.Ldc, "2 threads");
    }

    [Fact]
    public void ZeroInnerDimensionClearsOrKeepsC()
    {
        float[] c = [1, 2, 3, 4, 5, 6];
        Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 0, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 2, c, 3, accumulate: true);
        Assert.Equal([1f, 2, 3, 4, 5, 6], c);
        Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 0, ReadOnlySpan<float>.Empty, 1, ReadOnlySpan<float>.Empty, 2, c, 3);
        Assert.Equal([0f, 0, 3, 0, 0, 6], c);
    }

    [Fact]
    public void EmptyOutputIsANoOp()
    {
        Gemm.Multiply(Transpose.No, Transpose.No, 0, 5, 3, ReadOnlySpan<float>.Empty, 3, new float[15], 5, Span<float>.Empty, 5);
        float[] c = [7];
        Gemm.Multiply(Transpose.No, Transpose.No, 1, 0, 3, new float[3], 3, ReadOnlySpan<float>.Empty, 1, c, 1);
        Assert.Equal(7f, c[0]);
    }

    [Fact]
    public void ArrayOverloadHonoursOffsets()
    {
        // A = [[1,2],[3,4]] at offset 1, B = [[5,6],[7,8]] at offset 2, C at offset 3.
        float[] a = [9, 1, 2, 3, 4];
        float[] b = [9, 9, 5, 6, 7, 8];
        float[] c = [-1, -1, -1, 0, 0, 0, 0];
        Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 2, a, 1, 2, b, 2, 2, c, 3, 2);
        Assert.Equal([-1f, -1, -1, 19, 22, 43, 50], c);
    }

    [Fact]
    public void SteadyStateSingleThreadedCallsDoNotAllocate()
    {
        var op = new Operands(Transpose.No, Transpose.Yes, 64, 96, 300, pad: 0, seed: 3);
        float[] c = op.C.ToArray();
        Gemm.Multiply(Transpose.No, Transpose.Yes, 64, 96, 300, op.A, op.Lda, op.B, op.Ldb, c, op.Ldc);
        // The fewest bytes over three trials of 20 calls: an allocation per call shows in every trial, while a one-off
        // allocation by the runtime on this thread (seen once in a full parallel test run: 7,672 bytes over 20 calls that
        // each measured 0 when timed one by one) does not fail the test.
        long fewest = long.MaxValue;
        for (int trial = 0; trial < 3; trial++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++)
            {
                Gemm.Multiply(Transpose.No, Transpose.Yes, 64, 96, 300, op.A, op.Lda, op.B, op.Ldb, c, op.Ldc);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
    }

    [Fact]
    public void ValidationErrorsAreClear()
    {
        float[] a = new float[6], b = new float[6], c = new float[4];
        void Call(int m, int n, int k, float[] aa, int lda, float[] bb, int ldb, float[] cc, int ldc, int threads = 1,
            Transpose ta = Transpose.No, Transpose tb = Transpose.No)
            => Gemm.Multiply(ta, tb, m, n, k, aa, lda, bb, ldb, cc, ldc, maxThreads: threads);

        AssertThrows("m", "non-negative", () => Call(-1, 2, 3, a, 3, b, 2, c, 2));
        AssertThrows("k", "non-negative", () => Call(2, 2, -3, a, 3, b, 2, c, 2));
        AssertThrows("lda", "at least 3", () => Call(2, 2, 3, a, 2, b, 2, c, 2));
        AssertThrows("lda", "at least 2", () => Call(2, 2, 3, a, 1, b, 2, c, 2, ta: Transpose.Yes));
        AssertThrows("ldb", "at least 3", () => Call(2, 2, 3, a, 3, b, 2, c, 2, tb: Transpose.Yes));
        AssertThrows("ldc", "at least 2", () => Call(2, 2, 3, a, 3, b, 2, c, 1));
        AssertThrows("a", "too short", () => Call(2, 2, 3, new float[5], 3, b, 2, c, 2));
        AssertThrows("a", "needs 8 elements", () => Call(2, 2, 3, a, 5, b, 2, c, 2));
        AssertThrows("b", "too short", () => Call(2, 2, 3, a, 3, new float[5], 2, c, 2));
        AssertThrows("c", "too short", () => Call(2, 2, 3, a, 3, b, 2, new float[3], 2));
        AssertThrows("maxThreads", "at least 1", () => Call(2, 2, 3, a, 3, b, 2, c, 2, threads: 0));
        float[] shared = new float[20];
        AssertThrows("c", "overlap A", () => Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 3, shared.AsSpan(0, 6), 3, b, 2, shared.AsSpan(4, 4), 2));
        AssertThrows("c", "overlap B", () => Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 3, a, 3, shared.AsSpan(0, 6), 2, shared.AsSpan(5, 4), 2));
        AssertThrows("aOffset", "outside", () => Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 3, a, 7, 3, b, 0, 2, c, 0, 2));
    }

    private static void AssertThrows(string param, string messagePart, Action action)
    {
        var e = Assert.Throws<ArgumentException>(action);
        Assert.Equal(param, e.ParamName);
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    /// <summary>Random operands for one product, with leading dimensions padded by <c>pad</c> and NaN-free padding values.</summary>
    internal sealed class Operands
    {
        public Operands(Transpose transA, Transpose transB, int m, int n, int k, int pad, int seed)
        {
            var rng = new Random(seed);
            int rowsA = transA == Transpose.No ? m : k, colsA = transA == Transpose.No ? k : m;
            int rowsB = transB == Transpose.No ? k : n, colsB = transB == Transpose.No ? n : k;
            Lda = colsA + pad;
            Ldb = colsB + pad;
            Ldc = n + pad;
            A = Fill(rng, rowsA * Lda);
            B = Fill(rng, rowsB * Ldb);
            C = Fill(rng, m * Ldc);
        }

        public float[] A { get; }

        public float[] B { get; }

        public float[] C { get; }

        public int Lda { get; }

        public int Ldb { get; }

        public int Ldc { get; }

        private static float[] Fill(Random rng, int length)
        {
            var x = new float[length];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (float)(rng.NextDouble() * 2 - 1);
            }

            return x;
        }
    }
}
