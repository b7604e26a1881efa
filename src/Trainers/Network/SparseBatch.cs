using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MlNetExtensions.Trainers.Kernels;

namespace MlNetExtensions.Trainers.Network;

/// <summary>
/// A minibatch of the network's input given as lists of its non-zeros: by row (the first layer's forward product x·W and,
/// scattered, its weight gradient xᵀ·dy) and, built on first use by a counting sort, by column. The arrays are pinned and grow only, so
/// a steady state allocates nothing; the lists describe exactly the dense minibatch they replace, and the products give
/// the same bits (see <see cref="Gemm.MultiplySparse"/>).
/// </summary>
internal sealed unsafe class SparseBatch
{
    private readonly int[] _rowStart, _colStart, _colNext;
    private int[] _rowIndex, _colRow;
    private float[] _rowValue, _colValue;

    /// <summary>An empty batch of up to <paramref name="maxRows"/> rows over <paramref name="cols"/> columns.</summary>
    public SparseBatch(int maxRows, int cols)
    {
        Cols = cols;
        _rowStart = Pinned<int>(maxRows + 1);
        _colStart = Pinned<int>(cols + 1);
        _colNext = Pinned<int>(cols);
        _rowIndex = _colRow = Pinned<int>(0);
        _rowValue = _colValue = Pinned<float>(0);
    }

    /// <summary>Rows in the batch.</summary>
    public int Rows { get; private set; }

    /// <summary>Columns (input features).</summary>
    public int Cols { get; }

    /// <summary>Where each row's entries begin (<see cref="Rows"/> + 1 positions, set by the caller; room for the largest batch).</summary>
    public int[] RowStart => _rowStart;

    /// <summary>Column index of each row entry.</summary>
    public int[] RowIndex => _rowIndex;

    /// <summary>Value of each row entry.</summary>
    public float[] RowValue => _rowValue;

    /// <summary>
    /// Starts a batch of <paramref name="rows"/> rows holding <paramref name="entries"/> non-zeros in all: grows the entry
    /// arrays when needed (never while another thread uses this batch; <see cref="RowStart"/> keeps its values). The caller
    /// fills <see cref="RowStart"/> and the rows' entries, then calls <see cref="BuildColumns"/>.
    /// </summary>
    public void Reset(int rows, int entries)
    {
        if (rows < 0 || rows + 1 > _rowStart.Length) throw new ArgumentOutOfRangeException(nameof(rows), $"A sparse batch holds 0 to {_rowStart.Length - 1} rows (asked for {rows}).");
        Rows = rows;
        _columnsBuilt = false;
        if (_rowIndex.Length < entries)
        {
            int size = Math.Max(entries, _rowIndex.Length * 5 / 4);
            _rowIndex = Pinned<int>(size); _rowValue = Pinned<float>(size);
            _colRow = Pinned<int>(size); _colValue = Pinned<float>(size);
        }
    }

    private bool _columnsBuilt;

    /// <summary>
    /// The lists by column (a counting sort of the row lists: rows ascending within each column). <see cref="ByColumn"/>
    /// calls it when the row lists changed since; the caller may call it earlier (on another thread, before the batch is used).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public void BuildColumns()
    {
        _columnsBuilt = true;
        int rows = Rows, cols = Cols;
        fixed (int* rs = _rowStart, ri = _rowIndex, cs = _colStart, next = _colNext, cr = _colRow)
        fixed (float* rv = _rowValue, cv = _colValue)
        {
            new Span<int>(cs, cols + 1).Clear();
            int total = rs[rows] - rs[0];
            int* entries = ri + rs[0];
            for (int q = 0; q < total; q++) cs[entries[q] + 1]++;
            for (int c = 0; c < cols; c++) cs[c + 1] += cs[c];
            new Span<int>(cs, cols).CopyTo(new Span<int>(next, cols));
            for (int r = 0; r < rows; r++)
            {
                for (int q = rs[r], end = rs[r + 1]; q < end; q++)
                {
                    int at = next[ri[q]]++;
                    cr[at] = r;
                    cv[at] = rv[q];
                }
            }
        }
    }

    /// <summary>The row lists (m = <see cref="Rows"/>, k = <see cref="Cols"/>).</summary>
    public SparseLists ByRow => new(Rows, Cols, Address(_rowStart), Address(_rowIndex), Address(_rowValue));

    /// <summary>The column lists, i.e. the row lists of xᵀ (m = <see cref="Cols"/>, k = <see cref="Rows"/>).</summary>
    public SparseLists ByColumn
    {
        get
        {
            if (!_columnsBuilt) BuildColumns();
            return new(Cols, Rows, Address(_colStart), Address(_colRow), Address(_colValue));
        }
    }

    /// <summary>The dense rows these lists describe, [Rows × Cols] (tests and diagnostics).</summary>
    public float[] ToDense()
    {
        var x = new float[Rows * Cols];
        for (int r = 0; r < Rows; r++)
            for (int q = _rowStart[r]; q < _rowStart[r + 1]; q++) x[r * Cols + _rowIndex[q]] = _rowValue[q];
        return x;
    }

    private static T[] Pinned<T>(int length) where T : unmanaged => GC.AllocateUninitializedArray<T>(length, pinned: true);

    private static T* Address<T>(T[] pinned) where T : unmanaged => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
}
