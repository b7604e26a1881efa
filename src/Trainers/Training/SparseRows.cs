using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MlNetExtensions.Trainers.Kernels;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// A dataset's feature rows as lists of their non-zeros (compressed sparse rows), built once when the rows are mostly
/// zeros (raw pixels, counts, one-hot columns): each minibatch then copies only its rows' non-zeros (about a fifth of the
/// bytes on MNIST) and the first layer skips listing them per step. Rows listed by the reader are held only as lists
/// (the dense rows are built from them if another path asks: <see cref="DenseDataset.Features"/>); lists built from
/// dense rows (<see cref="TryBuild"/>) sit beside them.
/// </summary>
internal sealed unsafe class SparseRows
{
    /// <summary>
    /// Rows are kept as lists when at most this fraction of their values is non-zero. The lists take 6 bytes per non-zero
    /// (a 16-bit index and the value; 8 with more than 65,536 features) against the dense rows' 4 per value, so at 0.3 they
    /// take at most 45 % of the dense rows' memory: in place of them when the reader lists the rows (MNIST: 19 % non-zeros,
    /// 7.2 MB instead of 25 MB), besides them when built from dense rows.
    /// </summary>
    internal const double MaxDensity = 0.3;

    private SparseRows(int[] start, ushort[]? index16, int[]? index32, float[] value, int count, int featureCount)
    {
        Start = start; Index16 = index16; Index32 = index32; Value = value; Count = count; FeatureCount = featureCount;
    }

    /// <summary>Where each row's entries begin, <see cref="Count"/> + 1 positions.</summary>
    public int[] Start { get; }

    /// <summary>Column (feature) index of each entry, ascending within a row, when there are at most 65,536 features.</summary>
    public ushort[]? Index16 { get; }

    /// <summary>The same with more features (then <see cref="Index16"/> is null).</summary>
    public int[]? Index32 { get; }

    /// <summary>The column (feature) index of entry <paramref name="q"/>, from whichever of the index arrays is held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ColumnOf(int q) => Index32 is { } wide ? wide[q] : Index16![q];

    /// <summary>Copies the column indices of entries [<paramref name="from"/>, from + destination.Length) into <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call
    public void CopyIndices(int from, Span<int> destination)
    {
        if (Index32 is { } wide)
        {
            wide.AsSpan(from, destination.Length).CopyTo(destination);
            return;
        }
        ReadOnlySpan<ushort> narrow = Index16.AsSpan(from, destination.Length);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref ushort src = ref MemoryMarshal.GetReference(narrow);
            ref int dst = ref MemoryMarshal.GetReference(destination);
            for (; i + 16 <= narrow.Length; i += 16)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref src, (nuint)i));
                lo.AsInt32().StoreUnsafe(ref dst, (nuint)i);
                hi.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 8));
            }
        }
        for (; i < narrow.Length; i++) destination[i] = narrow[i];
    }

    /// <summary>Value of each entry.</summary>
    public float[] Value { get; }

    /// <summary>Writes the rows densely, row-major [<see cref="Count"/> × <see cref="FeatureCount"/>], into <paramref name="dense"/>.</summary>
    public void CopyTo(Span<float> dense) => CopyRows(Start, Index16, Index32, Value, Count, FeatureCount, dense);

    private static void CopyRows(int[] start, ushort[]? index16, int[]? index32, float[] value, int rows, int d, Span<float> dense)
    {
        if (dense.Length < (long)rows * d) throw new ArgumentException($"{rows} rows of {d} values do not fit {dense.Length} values.", nameof(dense));
        dense.Slice(0, rows * d).Clear(); // (rows·d ≤ dense.Length, an int)
        for (int r = 0; r < rows; r++)
        {
            var row = dense.Slice(r * d, d);
            for (int q = start[r]; q < start[r + 1]; q++) row[index32 is null ? index16![q] : index32[q]] = value[q];
        }
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>
    /// Lists rows one at a time as a reader accepts them (the row is then in the cache: far cheaper than a second pass over
    /// the dense rows), and gives up, freeing what it holds, as soon as the rows prove denser than <see cref="MaxDensity"/>.
    /// The entry arrays grow towards the expected total extrapolated from the rows so far (about 10 % spare at the end).
    /// </summary>
    internal sealed class Builder
    {
        private readonly int _d, _expectedRows;
        private int[] _start;
        private ushort[]? _index16;
        private int[]? _index32;
        private float[] _value = Array.Empty<float>();
        private readonly int[] _rowIndex;
        private readonly float[] _rowValue;
        private long _total;
        private int _rows;

        /// <summary>A builder for rows of <paramref name="featureCount"/> values, about <paramref name="expectedRows"/> of them.</summary>
        public Builder(int featureCount, int expectedRows)
        {
            _d = featureCount; _expectedRows = Math.Max(1, expectedRows);
            _start = new int[_expectedRows + 1];
            _rowIndex = new int[featureCount + 16];
            _rowValue = new float[featureCount + 16];
            Active = featureCount > 0;
        }

        /// <summary>False once the rows proved too dense (then <see cref="Finish"/> returns null).</summary>
        public bool Active { get; private set; }

        /// <summary>
        /// Writes the rows listed so far densely into <paramref name="dense"/> and frees the lists: a reader that kept its rows
        /// only as lists switches to dense rows when they prove too dense. Call once, after <see cref="Active"/> turned false.
        /// </summary>
        public void MoveToDense(Span<float> dense)
        {
            if (Active) throw new InvalidOperationException("The builder is still listing rows.");
            CopyRows(_start, _index16, _index32, _value, _rows, _d, dense);
            _start = new int[1]; _index16 = null; _index32 = null; _value = Array.Empty<float>(); _rows = 0;
        }

        /// <summary>Lists the next row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per row during a single read: no time to tier up
        public void Add(ReadOnlySpan<float> row)
        {
            if (!Active) return;
            int count;
            fixed (float* x = row)
            fixed (int* ri = _rowIndex)
            fixed (float* rv = _rowValue)
            {
                count = Gemm.ListNonZeros(x, _d, 0, ri, rv);
            }
            long total = _total + count;
            if ((_rows >= 64 && total > MaxDensity * (_rows + 1.0) * _d) || total > int.MaxValue - 64)
            {
                Active = false; // dense rows (or too many entries): the lists would cost more than they save (freed by MoveToDense)
                return;
            }
            if (_rows + 1 >= _start.Length) Array.Resize(ref _start, Math.Max(_start.Length * 2, _rows + 2));
            if (total > _value.Length)
            {
                // Room for the first 64 rows at most, then for the expected total at the density seen so far plus 5 %
                // (a quarter more each time that proves short).
                long want = _rows < 64 ? 64L * _d
                    : Math.Max(Math.Max(total, _value.Length * 5L / 4), (long)(total / (_rows + 1.0) * Math.Max(_expectedRows, _rows + 1) * 1.05));
                int size = (int)Math.Min(int.MaxValue - 64, want);
                Array.Resize(ref _value, size);
                if (_d <= ushort.MaxValue + 1) Array.Resize(ref _index16, size);
                else Array.Resize(ref _index32, size);
            }
            int at = (int)_total;
            _rowValue.AsSpan(0, count).CopyTo(_value.AsSpan(at, count));
            if (_index32 is not null) _rowIndex.AsSpan(0, count).CopyTo(_index32.AsSpan(at, count));
            else
            {
                var to = _index16.AsSpan(at, count);
                for (int q = 0; q < count; q++) to[q] = (ushort)_rowIndex[q];
            }
            _total = total;
            _rows++;
            _start[_rows] = (int)total;
        }

        /// <summary>The lists of the rows added, or null when the builder gave up.</summary>
        public SparseRows? Finish() => Active ? new SparseRows(_start, _index16, _index32, _value, _rows, _d) : null;
    }

    /// <summary>Features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Fraction of the values that are non-zero.</summary>
    public double Density => Count == 0 || FeatureCount == 0 ? 0 : Start[Count] / ((double)Count * FeatureCount);

    /// <summary>
    /// The lists of <paramref name="set"/>'s features, or null when more than <paramref name="maxDensity"/> of its values are
    /// non-zero, when it is empty, or when the lists would not fit 32-bit positions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // one pass over the whole dataset: not worth running at tier 0
    public static SparseRows? TryBuild(DenseDataset set, double maxDensity = MaxDensity)
    {
        int n = set.Count, d = set.FeatureCount;
        if (n == 0 || d == 0) return null;
        var start = new int[n + 1];
        long total = 0;
        fixed (float* x = set.Features)
        {
            // A first look at up to 256 rows spread over the set gives up early on dense data.
            int step = Math.Max(1, n / 256);
            long sampled = 0, sampledRows = 0;
            for (int r = 0; r < n; r += step, sampledRows++) sampled += Gemm.CountNonZero(x + (long)r * d, d);
            if (sampled > maxDensity * 1.25 * sampledRows * d) return null;
            for (int r = 0; r < n; r++)
            {
                start[r] = (int)Math.Min(total, int.MaxValue);
                total += Gemm.CountNonZero(x + (long)r * d, d);
            }
            if (total > maxDensity * n * (double)d || total > int.MaxValue - 64) return null;
            start[n] = (int)total;
            // The listing writes whole vectors: up to 16 slots past a row's last entry (overwritten by the next row).
            bool narrow = d <= ushort.MaxValue + 1;
            var index32 = narrow ? null : GC.AllocateUninitializedArray<int>((int)total + 16);
            var index16 = narrow ? GC.AllocateUninitializedArray<ushort>((int)total) : null;
            var value = GC.AllocateUninitializedArray<float>((int)total + 16);
            var rowIndex = narrow ? new int[d + 16] : null;
            fixed (int* pi = index32, ri = rowIndex)
            fixed (float* pv = value)
            {
                for (int r = 0; r < n; r++)
                {
                    if (!narrow)
                    {
                        Gemm.ListNonZeros(x + (long)r * d, d, 0, pi + start[r], pv + start[r]);
                        continue;
                    }
                    int count = Gemm.ListNonZeros(x + (long)r * d, d, 0, ri, pv + start[r]);
                    var to = index16.AsSpan(start[r], count);
                    for (int q = 0; q < count; q++) to[q] = (ushort)ri[q];
                }
            }
            return new SparseRows(start, index16, index32, value, n, d);
        }
    }
}
