using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Single-precision general matrix multiply <c>C = op(A)·op(B) (+ C)</c> on row-major buffers, written
/// in managed code: operands are packed into cache-sized blocks and multiplied by a register-tile
/// micro-kernel (AVX-512 8×32, AVX2+FMA 6×16, 128-bit 6×8 or scalar 4×4), optionally on several
/// threads partitioned over output blocks only, so every output element is summed in the same order
/// (ascending k inside fixed blocks of <see cref="Blocking.Kc"/>) whatever the thread count: results
/// are bit-identical for any <c>maxThreads</c>.
/// </summary>
internal static unsafe partial class Gemm
{
    /// <summary>Below this many multiply-adds per thread a call stays on fewer threads (the hand-off costs a few microseconds).</summary>
    internal const long MinMacsPerThread = 1L << 20;

    /// <summary>
    /// Row ranges per thread of a multi-threaded zero-skipping product (claimed dynamically, so a thread that finishes early
    /// takes another and a slow or descheduled one delays the caller by one range at most). The ranges share the packed B
    /// panels, so small ones cost only their lists: in alternated reference runs the caller's waits for the other thread were
    /// 103 / 124 / 250 ms per Fit with two ranges, 82 / 79 / 107 ms with eight. Dense products keep one part per thread:
    /// each part re-packs B, and two per thread made the second layer slower (31.5–32.2 / 54.8–55.8 µs forward / backward
    /// against 37.6 / 63.8 µs, <c>steps</c>, alternated).
    /// </summary>
    private const int SparseParts = 4;

    /// <summary>
    /// From this many multiply-adds a call splits in two when the step's background thread is free: it polls for work
    /// between the pieces of a training step, so the hand-off costs about a microsecond, not a thread-pool wake-up.
    /// </summary>
    internal const long MinMacsTwoWay = 1L << 18;

    /// <summary>
    /// C[m×n] = op(A)·op(B) (+ C when <paramref name="accumulate"/>), all row-major with leading
    /// dimensions <paramref name="lda"/>, <paramref name="ldb"/>, <paramref name="ldc"/>. op(A) is m×k:
    /// A is m×k (lda ≥ k) when <paramref name="transA"/> is <see cref="Transpose.No"/>, k×m (lda ≥ m)
    /// when <see cref="Transpose.Yes"/>. op(B) is k×n likewise. Runs on the fastest supported path.
    /// </summary>
    /// <param name="transA">Whether A is used transposed.</param>
    /// <param name="transB">Whether B is used transposed.</param>
    /// <param name="m">Rows of C and of op(A).</param>
    /// <param name="n">Columns of C and of op(B).</param>
    /// <param name="k">Columns of op(A), rows of op(B): the length of each dot product.</param>
    /// <param name="a">The A buffer.</param>
    /// <param name="lda">Distance between consecutive rows of the stored A.</param>
    /// <param name="b">The B buffer.</param>
    /// <param name="ldb">Distance between consecutive rows of the stored B.</param>
    /// <param name="c">The C buffer; elements between rows (columns n..ldc-1) are left untouched.</param>
    /// <param name="ldc">Distance between consecutive rows of C.</param>
    /// <param name="accumulate">True to add the product to C, false to overwrite C.</param>
    /// <param name="maxThreads">Upper bound on threads used; small products always use one. Results do not depend on it.</param>
    /// <exception cref="ArgumentException">A dimension is negative, a leading dimension is too small, a span is too short, or C overlaps A or B.</exception>
    public static void Multiply(Transpose transA, Transpose transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        bool accumulate = false, int maxThreads = 1)
        => Multiply(GemmPath.Auto, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, maxThreads);

    /// <summary>
    /// Array overload of <see cref="Multiply(Transpose, Transpose, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool, int)"/>:
    /// the matrices start at <paramref name="aOffset"/>, <paramref name="bOffset"/> and <paramref name="cOffset"/>.
    /// </summary>
    /// <param name="transA">Whether A is used transposed.</param>
    /// <param name="transB">Whether B is used transposed.</param>
    /// <param name="m">Rows of C and of op(A).</param>
    /// <param name="n">Columns of C and of op(B).</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="a">The array holding A.</param>
    /// <param name="aOffset">Index of A's first element.</param>
    /// <param name="lda">Distance between consecutive rows of the stored A.</param>
    /// <param name="b">The array holding B.</param>
    /// <param name="bOffset">Index of B's first element.</param>
    /// <param name="ldb">Distance between consecutive rows of the stored B.</param>
    /// <param name="c">The array holding C.</param>
    /// <param name="cOffset">Index of C's first element.</param>
    /// <param name="ldc">Distance between consecutive rows of C.</param>
    /// <param name="accumulate">True to add the product to C, false to overwrite C.</param>
    /// <param name="maxThreads">Upper bound on threads used.</param>
    public static void Multiply(Transpose transA, Transpose transB, int m, int n, int k,
        float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float[] c, int cOffset, int ldc,
        bool accumulate = false, int maxThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        Multiply(GemmPath.Auto, transA, transB, m, n, k, Slice(a, aOffset, nameof(aOffset)), lda,
            Slice(b, bOffset, nameof(bOffset)), ldb, Slice(c, cOffset, nameof(cOffset)), ldc, accumulate, maxThreads);
    }

    private static Span<float> Slice(float[] array, int offset, string name)
    {
        if ((uint)offset > (uint)array.Length)
        {
            throw new ArgumentException($"Offset {offset} is outside the array of length {array.Length}.", name);
        }

        return array.AsSpan(offset);
    }

    /// <summary>True when <paramref name="path"/> can run on this machine (<see cref="GemmPath.Auto"/> always can).</summary>
    /// <param name="path">The path to check.</param>
    /// <returns>Whether the hardware supports the path.</returns>
    internal static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Auto or GemmPath.Scalar => true,
        GemmPath.Vector128 => Vector128.IsHardwareAccelerated,
        GemmPath.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        GemmPath.Avx512 => Avx512F.IsSupported,
        _ => false,
    };

    /// <summary>The path <see cref="GemmPath.Auto"/> resolves to on this machine.</summary>
    internal static GemmPath BestPath { get; } =
        IsSupported(GemmPath.Avx512) ? GemmPath.Avx512 :
        IsSupported(GemmPath.Avx2) ? GemmPath.Avx2 :
        IsSupported(GemmPath.Vector128) ? GemmPath.Vector128 : GemmPath.Scalar;

    /// <summary>
    /// Same as the public <c>Multiply</c> but on a chosen <paramref name="path"/>, for tests and benchmarks.
    /// </summary>
    /// <param name="path">The instruction-set path; <see cref="GemmPath.Auto"/> for the best one.</param>
    /// <param name="transA">Whether A is used transposed.</param>
    /// <param name="transB">Whether B is used transposed.</param>
    /// <param name="m">Rows of C and of op(A).</param>
    /// <param name="n">Columns of C and of op(B).</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="a">The A buffer.</param>
    /// <param name="lda">Distance between consecutive rows of the stored A.</param>
    /// <param name="b">The B buffer.</param>
    /// <param name="ldb">Distance between consecutive rows of the stored B.</param>
    /// <param name="c">The C buffer.</param>
    /// <param name="ldc">Distance between consecutive rows of C.</param>
    /// <param name="accumulate">True to add the product to C, false to overwrite C.</param>
    /// <param name="maxThreads">Upper bound on threads used.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    internal static void Multiply(GemmPath path, Transpose transA, Transpose transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc,
        bool accumulate = false, int maxThreads = 1)
    {
        Validate(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, maxThreads);
        if (path == GemmPath.Auto)
        {
            path = BestPath;
        }
        else if (!IsSupported(path))
        {
            throw new PlatformNotSupportedException($"GEMM path {path} is not supported on this machine.");
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            if (k == 0)
            {
                if (!accumulate)
                {
                    for (int i = 0; i < m; i++)
                    {
                        new Span<float>(pc + (long)i * ldc, n).Clear();
                    }
                }

                return;
            }

            var args = new Args(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
            if (UseSmallRows(path, m))
            {
                if (!(CanUseSparse(path, args) && TryRunSparse(path, args, k)))
                {
                    RunSmallRows(args);
                }

                return;
            }

            Blocking blocking = GetBlocking(path);
            if (CanUseSparse(path, args) && TryRunSparse(path, args, blocking.Kc, maxThreads))
            {
                return;
            }

            if (UseNarrow(path, args))
            {
                RunNarrow(path, args, blocking.Kc);
                return;
            }

            if (UseDirect(path, args, maxThreads))
            {
                RunDirect(args, blocking.Kc);
                return;
            }

            int threads = ChooseThreads(blocking, m, n, k, maxThreads, out bool splitM);
            if (threads <= 1)
            {
                Run(blocking, args, 0, m, 0, n);
            }
            else
            {
                RunParallel(blocking, args, threads, splitM);
            }
        }
    }

    /// <summary>
    /// Runs a product cut into exactly <paramref name="parts"/> tile-aligned parts over rows
    /// (<paramref name="splitM"/>) or columns, whatever its size: lets tests check that results do not
    /// depend on the partition on machines with few cores.
    /// </summary>
    /// <param name="path">The instruction-set path.</param>
    /// <param name="transA">Whether A is used transposed.</param>
    /// <param name="transB">Whether B is used transposed.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="a">The A buffer.</param>
    /// <param name="lda">Leading dimension of A.</param>
    /// <param name="b">The B buffer.</param>
    /// <param name="ldb">Leading dimension of B.</param>
    /// <param name="c">The C buffer.</param>
    /// <param name="ldc">Leading dimension of C.</param>
    /// <param name="accumulate">True to add to C.</param>
    /// <param name="parts">Number of parts (and threads).</param>
    /// <param name="splitM">True to cut the rows of C, false its columns.</param>
    internal static void MultiplyPartitioned(GemmPath path, Transpose transA, Transpose transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, int parts, bool splitM)
    {
        Validate(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, parts);
        if (m == 0 || n == 0 || k == 0)
        {
            Multiply(path, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            var args = new Args(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate);
            RunParallel(GetBlocking(path), args, parts, splitM);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static void Validate(Transpose transA, Transpose transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, int maxThreads)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentException($"Matrix dimensions must be non-negative (m={m}, n={n}, k={k}).", m < 0 ? nameof(m) : n < 0 ? nameof(n) : nameof(k));
        }

        if (maxThreads < 1)
        {
            throw new ArgumentException($"maxThreads must be at least 1 (was {maxThreads}).", nameof(maxThreads));
        }

        if (transA is not (Transpose.No or Transpose.Yes) || transB is not (Transpose.No or Transpose.Yes))
        {
            throw new ArgumentException($"Unknown transpose value ({transA}, {transB}).", transA is not (Transpose.No or Transpose.Yes) ? nameof(transA) : nameof(transB));
        }

        CheckOperand("a", "A", a.Length, lda, transA == Transpose.No ? m : k, transA == Transpose.No ? k : m, transA, m, k);
        CheckOperand("b", "B", b.Length, ldb, transB == Transpose.No ? k : n, transB == Transpose.No ? n : k, transB, k, n);
        CheckOperand("c", "C", c.Length, ldc, m, n, Transpose.No, m, n);
        if (m > 0 && n > 0 && k > 0)
        {
            long cUsed = Required(m, n, ldc);
            ReadOnlySpan<float> cSpan = c[..(int)cUsed];
            if (cSpan.Overlaps(a[..(int)Required(transA == Transpose.No ? m : k, transA == Transpose.No ? k : m, lda)]))
            {
                throw new ArgumentException("C must not overlap A: the product is written while A is still being read.", "c");
            }

            if (cSpan.Overlaps(b[..(int)Required(transB == Transpose.No ? k : n, transB == Transpose.No ? n : k, ldb)]))
            {
                throw new ArgumentException("C must not overlap B: the product is written while B is still being read.", "c");
            }
        }
    }

    private static long Required(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : ((long)rows - 1) * ld + cols;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static void CheckOperand(string param, string name, int length, int ld, int rows, int cols, Transpose trans, int opRows, int opCols)
    {
        if (ld < Math.Max(1, cols))
        {
            throw new ArgumentException($"Leading dimension ld{param}={ld} is too small: {Shape()}, so ld{param} must be at least {Math.Max(1, cols)}.", "ld" + param);
        }

        long need = Required(rows, cols, ld);
        if (length < need)
        {
            throw new ArgumentException($"Span '{param}' is too short: {Shape()} with leading dimension {ld}, which needs {need} elements, but the span has {length}.", param);
        }

        string Shape() => trans == Transpose.No
            ? $"{name} is {rows}×{cols}"
            : $"{name} is stored {rows}×{cols} (used transposed as {opRows}×{opCols})";
    }

    /// <summary>The operands of one call, pinned.</summary>
    private readonly struct Args
    {
        public readonly Transpose TransA, TransB;
        public readonly int M, N, K, Lda, Ldb, Ldc;
        public readonly float* A, B, C;
        public readonly bool Accumulate;

        /// <summary>A given as lists of its non-zeros (<see cref="MultiplySparse"/>) instead of <see cref="A"/>: non-null start.</summary>
        public readonly int* ListStart, ListIndex;
        public readonly float* ListValue;

        public Args(Transpose transA, Transpose transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
        {
            TransA = transA; TransB = transB; M = m; N = n; K = k; A = a; Lda = lda; B = b; Ldb = ldb; C = c; Ldc = ldc; Accumulate = accumulate;
        }

        /// <summary>
        /// Lists product whose B was prepared as 128-column rows for <c>RunListsWide</c> (decided once per call, before the
        /// split: the threads must agree on B's layout).
        /// </summary>
        public readonly bool WideLists;

        public Args(in SparseLists a, int n, float* b, int ldb, float* c, int ldc, bool accumulate, bool wideLists = false)
            : this(Transpose.No, Transpose.No, a.Rows, n, a.Cols, null, a.Cols, b, ldb, c, ldc, accumulate)
        {
            ListStart = a.Start; ListIndex = a.Index; ListValue = a.Value; WideLists = wideLists;
        }
    }

    /// <summary>Register tile and cache-block sizes of one path, with its micro-kernel.</summary>
    internal readonly struct Blocking
    {
        /// <summary>Rows of the register tile.</summary>
        public readonly int Mr;

        /// <summary>Columns of the register tile.</summary>
        public readonly int Nr;

        /// <summary>Depth of a packed block: the k range summed by one micro-kernel call (fixes the summation order).</summary>
        public readonly int Kc;

        /// <summary>Rows of a packed A block (a multiple of <see cref="Mr"/>), sized for L2.</summary>
        public readonly int Mc;

        /// <summary>Columns of a packed B block (a multiple of <see cref="Nr"/>).</summary>
        public readonly int Nc;

        /// <summary>The micro-kernel.</summary>
        public readonly delegate*<int, float*, float*, float*, int, bool, void> Kernel;

        /// <summary>Creates a blocking.</summary>
        public Blocking(int mr, int nr, int kc, int mc, int nc, delegate*<int, float*, float*, float*, int, bool, void> kernel)
        {
            Mr = mr; Nr = nr; Kc = kc; Mc = mc / mr * mr; Nc = nc / nr * nr; Kernel = kernel;
        }
    }

    private static readonly Blocking[] Blockings =
    [
        default,
        new(4, 4, 256, 64, 1024, &GemmKernels.Scalar4x4),
        new(6, 8, 256, 96, 2048, &GemmKernels.Vector128_6x8),
        new(6, 16, 256, 96, 2048, &GemmKernels.Avx2_6x16),
        new(8, 32, 192, 128, 2048, &GemmKernels.Avx512_8x32),
    ];

    /// <summary>The blocking used by <paramref name="path"/> (a concrete path, not <see cref="GemmPath.Auto"/>).</summary>
    internal static Blocking GetBlocking(GemmPath path) => Blockings[(int)(path == GemmPath.Auto ? BestPath : path)];

    /// <summary>Overrides the cache-block sizes of a path (benchmark tuning only; changes the summation blocks, hence rounding).</summary>
    internal static void SetBlocking(GemmPath path, int kc, int mc, int nc)
    {
        Blocking old = GetBlocking(path);
        Blockings[(int)path] = new Blocking(old.Mr, old.Nr, kc, mc, nc, old.Kernel);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static int ChooseThreads(in Blocking blocking, int m, int n, int k, int maxThreads, out bool splitM)
    {
        int tilesM = (m + blocking.Mr - 1) / blocking.Mr;
        int tilesN = (n + blocking.Nr - 1) / blocking.Nr;
        // Split the larger side: the other operand is packed by every thread, so this minimizes duplicated packing.
        splitM = tilesM * blocking.Mr >= tilesN * blocking.Nr;
        long macs = (long)m * n * k;
        long byWork = ThreadsByWork(macs);
        int threads = (int)Math.Min(Math.Min(maxThreads, Environment.ProcessorCount), byWork);
        int tiles = splitM ? tilesM : tilesN;
        if (tiles < threads)
        {
            int other = splitM ? tilesN : tilesM;
            if (other > tiles)
            {
                splitM = !splitM;
                tiles = other;
            }
        }

        return Math.Min(threads, tiles);
    }

    /// <summary>Sequential blocked product for the C sub-block rows [i0, i1) × columns [j0, j1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void Run(in Blocking bl, in Args g, int i0, int i1, int j0, int j1)
    {
        int mr = bl.Mr, nr = bl.Nr;
        int kcMax = Math.Min(bl.Kc, g.K);
        int mcMax = Math.Min(bl.Mc, RoundUp(i1 - i0, mr));
        int ncMax = Math.Min(bl.Nc, RoundUp(j1 - j0, nr));
        float* packA = Buffers.A(kcMax * mcMax);
        float* packB = Buffers.B(kcMax * ncMax);
        float* tileRaw = stackalloc float[32 * 8 + 16];
        float* tile = (float*)(((nint)tileRaw + 63) & ~(nint)63);
        var kernel = bl.Kernel;
        int ldc = g.Ldc;

        for (int jc = j0; jc < j1; jc += bl.Nc)
        {
            int nc = Math.Min(bl.Nc, j1 - jc);
            for (int pc = 0; pc < g.K; pc += bl.Kc)
            {
                int kc = Math.Min(bl.Kc, g.K - pc);
                bool add = pc > 0 || g.Accumulate;
                PackB(g, pc, kc, jc, nc, nr, packB);
                for (int ic = i0; ic < i1; ic += bl.Mc)
                {
                    int mc = Math.Min(bl.Mc, i1 - ic);
                    PackA(g, ic, mc, pc, kc, mr, packA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nrr = Math.Min(nr, nc - jr);
                        float* bp = packB + (long)jr * kc;
                        float* cCol = g.C + jc + jr;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int mrr = Math.Min(mr, mc - ir);
                            float* ap = packA + (long)ir * kc;
                            float* cp = cCol + (long)(ic + ir) * ldc;
                            if (mrr == mr && nrr == nr)
                            {
                                kernel(kc, ap, bp, cp, ldc, add);
                            }
                            else
                            {
                                // Edge tile: same kernel into a scratch tile, then the same single add.
                                kernel(kc, ap, bp, tile, nr, false);
                                for (int r = 0; r < mrr; r++)
                                {
                                    float* dst = cp + (long)r * ldc;
                                    float* src = tile + r * nr;
                                    if (add)
                                    {
                                        for (int col = 0; col < nrr; col++)
                                        {
                                            dst[col] += src[col];
                                        }
                                    }
                                    else
                                    {
                                        for (int col = 0; col < nrr; col++)
                                        {
                                            dst[col] = src[col];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    /// <summary>
    /// Packs op(A)[ic..ic+mc, pc..pc+kc] into micro-panels of <paramref name="mr"/> rows: panel q holds
    /// rows ic+q·mr.. as kc consecutive groups of mr values (zero-padded past mc).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void PackA(in Args g, int ic, int mc, int pc, int kc, int mr, float* dst)
    {
        int lda = g.Lda;
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* d = dst + (long)ir * kc;
            if (g.TransA == Transpose.No)
            {
                for (int r = 0; r < rows; r++)
                {
                    float* src = g.A + (long)(ic + ir + r) * lda + pc;
                    float* dr = d + r;
                    for (int p = 0; p < kc; p++)
                    {
                        dr[(long)p * mr] = src[p];
                    }
                }

                for (int r = rows; r < mr; r++)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        d[(long)p * mr + r] = 0f;
                    }
                }
            }
            else
            {
                float* src = g.A + (long)pc * lda + ic + ir;
                for (int p = 0; p < kc; p++)
                {
                    float* s = src + (long)p * lda;
                    float* dp = d + (long)p * mr;
                    int r = 0;
                    for (; r < rows; r++)
                    {
                        dp[r] = s[r];
                    }

                    for (; r < mr; r++)
                    {
                        dp[r] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs op(B)[pc..pc+kc, jc..jc+nc] into micro-panels of <paramref name="nr"/> columns: panel q holds
    /// columns jc+q·nr.. as kc consecutive rows of nr values (zero-padded past nc).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void PackB(in Args g, int pc, int kc, int jc, int nc, int nr, float* dst)
    {
        int ldb = g.Ldb;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int cols = Math.Min(nr, nc - jr);
            float* d = dst + (long)jr * kc;
            if (g.TransB == Transpose.No)
            {
                float* src = g.B + (long)pc * ldb + jc + jr;
                for (int p = 0; p < kc; p++)
                {
                    float* s = src + (long)p * ldb;
                    float* dp = d + (long)p * nr;
                    new ReadOnlySpan<float>(s, cols).CopyTo(new Span<float>(dp, cols));
                    if (cols < nr)
                    {
                        new Span<float>(dp + cols, nr - cols).Clear();
                    }
                }
            }
            else if (nr >= 16 && cols == nr && Avx.IsSupported)
            {
                PackBTransposedAvx(g.B + (long)(jc + jr) * ldb + pc, ldb, kc, nr, d);
            }
            else
            {
                for (int col = 0; col < cols; col++)
                {
                    float* src = g.B + (long)(jc + jr + col) * ldb + pc;
                    float* dc = d + col;
                    for (int p = 0; p < kc; p++)
                    {
                        dc[(long)p * nr] = src[p];
                    }
                }

                if (cols < nr)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        new Span<float>(d + (long)p * nr + cols, nr - cols).Clear();
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs a full micro-panel of <paramref name="nr"/> (a multiple of 8) columns of op(B) = Bᵀ from
    /// <paramref name="src"/> (B rows, each <paramref name="kc"/> contiguous values) with 8×8 in-register
    /// transposes: eight read streams at a time instead of strided scalar writes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized at first call, no tier-0/OSR warm-up
    private static void PackBTransposedAvx(float* src, int ldb, int kc, int nr, float* d)
    {
        int p0 = 0;
        for (; p0 + 8 <= kc; p0 += 8)
        {
            for (int c0 = 0; c0 < nr; c0 += 8)
            {
                float* s = src + (long)c0 * ldb + p0;
                Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + ldb);
                Vector256<float> r2 = Avx.LoadVector256(s + 2L * ldb), r3 = Avx.LoadVector256(s + 3L * ldb);
                Vector256<float> r4 = Avx.LoadVector256(s + 4L * ldb), r5 = Avx.LoadVector256(s + 5L * ldb);
                Vector256<float> r6 = Avx.LoadVector256(s + 6L * ldb), r7 = Avx.LoadVector256(s + 7L * ldb);
                Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
                Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
                Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
                Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
                Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
                Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
                Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
                float* o = d + (long)p0 * nr + c0;
                Avx.Store(o, Avx.Permute2x128(u0, u4, 0x20));
                Avx.Store(o + nr, Avx.Permute2x128(u1, u5, 0x20));
                Avx.Store(o + 2 * nr, Avx.Permute2x128(u2, u6, 0x20));
                Avx.Store(o + 3 * nr, Avx.Permute2x128(u3, u7, 0x20));
                Avx.Store(o + 4 * nr, Avx.Permute2x128(u0, u4, 0x31));
                Avx.Store(o + 5 * nr, Avx.Permute2x128(u1, u5, 0x31));
                Avx.Store(o + 6 * nr, Avx.Permute2x128(u2, u6, 0x31));
                Avx.Store(o + 7 * nr, Avx.Permute2x128(u3, u7, 0x31));
            }
        }

        for (; p0 < kc; p0++)
        {
            float* o = d + (long)p0 * nr;
            for (int col = 0; col < nr; col++)
            {
                o[col] = src[(long)col * ldb + p0];
            }
        }
    }

    /// <summary>Per-thread packing buffers, 64-byte aligned, grown on demand and then reused (no allocation in steady state).</summary>
    private static class Buffers
    {
        [ThreadStatic] private static float[]? t_a;
        [ThreadStatic] private static float[]? t_b;
        [ThreadStatic] private static float[]? t_t;

        public static float* A(int length) => Get(ref t_a, length);

        public static float* B(int length) => Get(ref t_b, length);

        public static float* Transposed(int length) => Get(ref t_t, length);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        private static float* Get(ref float[]? array, int length)
        {
            if (array is null || array.Length < length + 16)
            {
                array = GC.AllocateUninitializedArray<float>(length + 16, pinned: true);
            }

            float* p = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            return (float*)(((nint)p + 63) & ~(nint)63);
        }
    }

    /// <summary>Runs the output partitions of one call on the calling thread plus pooled workers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static void RunParallel(in Blocking blocking, in Args args, int threads, bool splitM)
    {
        ParallelJob? job = ParallelJob.Rent();
        if (job is null)
        {
            Run(blocking, args, 0, args.M, 0, args.N);
            return;
        }

        job.Start(blocking, args, threads, splitM);
        RunJob(job, threads);
    }

    /// <summary>
    /// Runs a started job on the caller plus <paramref name="threads"/> − 1 others: a two-way job goes to the step's
    /// background thread when it is free (polling, so the hand-off takes about a microsecond), anything else to the
    /// thread pool. Either way the caller claims parts until none is left and waits only for parts already started.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static void RunJob(ParallelJob job, int threads)
    {
        if (threads == 2 && BackgroundJob.TryPost(job))
        {
            job.RunParts();
            BackgroundJob.Complete();
        }
        else
        {
            for (int w = 1; w < threads; w++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
            }

            job.RunParts();
        }

        job.Finish();
    }

    /// <summary>
    /// Threads worth using for <paramref name="macs"/> multiply-adds: one per <see cref="MinMacsPerThread"/> through the
    /// thread pool, or two from <see cref="MinMacsTwoWay"/> when the step's background thread is free.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static long ThreadsByWork(long macs)
    {
        long byPool = Math.Max(1, macs / MinMacsPerThread);
        return byPool < 2 && macs >= MinMacsTwoWay && !BackgroundJob.IsBusy ? 2 : byPool;
    }

    /// <summary>
    /// One multi-threaded call: the C rows (or columns) are cut into <c>threads</c> tile-aligned parts
    /// claimed dynamically by the caller and the queued workers. The caller waits only for the parts,
    /// not for workers that start too late to claim one (on a busy machine the caller may do them all);
    /// the job returns to a small pool when its last user leaves, so steady-state calls do not allocate.
    /// </summary>
    private sealed class ParallelJob : BackgroundWork, IThreadPoolWorkItem
    {
        private static readonly ParallelJob?[] s_pool = new ParallelJob?[8];
        private static int s_created;
        private readonly ManualResetEventSlim _done = new(false);
        private Blocking _blocking;
        private Args _args;
        private int _parts;
        private bool _splitM;
        private int _nextPart;
        private int _partsDone;
        private int _users;
        private int _sparseKc; // > 0: a zero-skipping product split over rows of C
        private float* _packedB; // its B panels, packed by the caller
        private bool _sparseZmm; // its panel executor: AVX-512 or AVX2
        private Exception? _error;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        public static ParallelJob? Rent()
        {
            for (int i = 0; i < s_pool.Length; i++)
            {
                ParallelJob? job = Interlocked.Exchange(ref s_pool[i], null);
                if (job is not null)
                {
                    return job;
                }
            }

            // At most PoolSize jobs ever exist: when all are still held by late workers (a busy machine),
            // the caller runs the product alone instead of allocating another.
            return Interlocked.Increment(ref s_created) <= s_pool.Length ? new ParallelJob() : null;
        }

        public void Start(in Blocking blocking, in Args args, int threads, bool splitM, int parts = 0)
        {
            _blocking = blocking;
            _args = args;
            _parts = parts > 0 ? parts : threads;
            _splitM = splitM;
            _nextPart = 0;
            _partsDone = 0;
            _users = threads; // the caller and threads - 1 queued workers
            _error = null;
            _sparseKc = 0;
            _done.Reset();
        }

        public void StartSparse(in Args args, int kc, int threads, float* packedB, bool zmm)
        {
            // SparseParts row ranges per thread (each at least 16 rows): the B panels are packed once and shared, so
            // small ranges cost only their lists.
            int parts = Math.Max(threads, Math.Min(SparseParts * threads, args.M / 16));
            Start(default, args, threads, splitM: true, parts);
            _sparseKc = kc;
            _packedB = packedB;
            _sparseZmm = zmm;
        }

        /// <inheritdoc/>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        public override void Run() => Execute();

        /// <inheritdoc/>
        public override void Help() => RunParts();

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        public void Execute()
        {
            RunParts();
            Leave();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        public void RunParts()
        {
            int part;
            while ((part = Interlocked.Increment(ref _nextPart) - 1) < _parts)
            {
                try
                {
                    RunPart(part);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                }
                finally
                {
                    if (Interlocked.Increment(ref _partsDone) == _parts)
                    {
                        _done.Set();
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        private void RunPart(int part)
        {
            if (_sparseKc > 0)
            {
                int from = (int)((long)_args.M * part / _parts), to = (int)((long)_args.M * (part + 1) / _parts);
                if (from < to)
                {
                    RunSparse(_args, _sparseKc, from, to, _packedB, _sparseZmm);
                }

                return;
            }

            int tile = _splitM ? _blocking.Mr : _blocking.Nr;
            int size = _splitM ? _args.M : _args.N;
            int tiles = (size + tile - 1) / tile;
            int start = (int)((long)tiles * part / _parts) * tile;
            int end = Math.Min(size, (int)((long)tiles * (part + 1) / _parts) * tile);
            if (start >= end)
            {
                return;
            }

            if (_splitM)
            {
                Gemm.Run(_blocking, _args, start, end, 0, _args.N);
            }
            else
            {
                Gemm.Run(_blocking, _args, 0, _args.M, start, end);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        public void Finish()
        {
            if (Volatile.Read(ref _partsDone) != _parts)
            {
                _done.Wait();
            }

            Exception? error = _error;
            Leave();
            if (error is not null)
            {
                throw new InvalidOperationException("A GEMM worker failed.", error);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        private void Leave()
        {
            if (Interlocked.Decrement(ref _users) != 0)
            {
                return;
            }

            for (int i = 0; i < s_pool.Length; i++)
            {
                if (Interlocked.CompareExchange(ref s_pool[i], this, null) is null)
                {
                    return;
                }
            }
        }
    }
}
