using System.Runtime.CompilerServices;
using MlNetExtensions.Trainers.Kernels;
using MlNetExtensions.Trainers.Network;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Copies one minibatch's rows (features, targets, example weights) from the dataset into batch buffers, in the
/// shuffled order. As a <see cref="BackgroundWork"/> it gathers the <i>next</i> minibatch while the current step runs
/// (the random-row copy of 128 × 784 features is memory bound, ≈ 70 µs of a ≈ 440 µs step on one core): two buffer
/// slots alternate, and the copied values are the same whoever copies them. When the dataset's rows are also kept as
/// lists of non-zeros (<see cref="SparseRows"/>), the features are gathered as a <see cref="SparseBatch"/> instead: the
/// rows' lists, then, where the weight gradient reads them (AVX2; AVX-512 scatters the row lists), the batch's column
/// lists, sorted by whoever copies the last piece.
/// </summary>
internal sealed class BatchGather : BackgroundWork
{
    private readonly float[][] _x = new float[2][], _t = new float[2][], _w = new float[2][];
    private readonly SparseBatch?[] _sparse = new SparseBatch?[2];
    private readonly int _maxBatch, _d;
    private DenseDataset? _set;
    private SparseRows? _rows;
    private int[] _order = Array.Empty<int>();
    private int _start, _count, _slot;

    /// <summary>Buffers for batches of up to <paramref name="maxBatch"/> rows of <paramref name="d"/> features and <paramref name="t"/> targets.</summary>
    public BatchGather(int maxBatch, int d, int t)
    {
        _maxBatch = maxBatch; _d = d;
        for (int i = 0; i < 2; i++) { _t[i] = new float[maxBatch * t]; _w[i] = new float[maxBatch]; }
    }

    /// <summary>Features of the batch in <paramref name="slot"/> (dense gathers).</summary>
    public float[] Features(int slot) => _x[slot] ??= new float[_maxBatch * _d];

    /// <summary>The features of the batch in <paramref name="slot"/> as lists (gathers from <see cref="SparseRows"/>).</summary>
    public SparseBatch Sparse(int slot) => _sparse[slot] ??= new SparseBatch(_maxBatch, _d);

    /// <summary>Targets of the batch in <paramref name="slot"/>.</summary>
    public float[] Targets(int slot) => _t[slot];

    /// <summary>Example weights of the batch in <paramref name="slot"/> (1 where the dataset has none).</summary>
    public float[] Weights(int slot) => _w[slot];

    /// <summary>
    /// Sets the batch that <see cref="Run"/> gathers: rows order[start .. start + count) of <paramref name="set"/> into
    /// <paramref name="slot"/>, from <paramref name="rows"/> (the same rows as lists) when given. Runs on the owner's thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call
    public void Prepare(DenseDataset set, SparseRows? rows, int[] order, int start, int count, int slot)
    {
        _set = set; _rows = rows; _order = order; _start = start; _count = count; _slot = slot;
        _nextChunk = 0;
        _chunksDone = 0;
        if (rows is null)
        {
            Features(slot);
            return;
        }
        // Each row's place in the batch lists, so that pieces can be copied in any order by either thread.
        var batch = Sparse(slot);
        int[] rowStart = rows.Start, at = batch.RowStart;
        if (count + 1 > at.Length) throw new ArgumentOutOfRangeException(nameof(count), $"A batch holds at most {at.Length - 1} rows (asked for {count}).");
        at[0] = 0;
        for (int i = 0; i < count; i++) { int r = order[start + i]; at[i + 1] = at[i] + rowStart[r + 1] - rowStart[r]; }
        batch.Reset(count, at[count]);
    }

    /// <summary>Rows per piece claimed by <see cref="Run"/> and <see cref="Help"/>.</summary>
    private const int ChunkRows = 8;

    private int _nextChunk, _chunksDone;

    /// <summary>Gathers the prepared batch: claims pieces of <see cref="ChunkRows"/> rows until none is left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call
    public override void Run()
    {
        int chunks = (_count + ChunkRows - 1) / ChunkRows;
        int c;
        while ((c = Interlocked.Increment(ref _nextChunk) - 1) < chunks)
        {
            Copy(c * ChunkRows, Math.Min(_count, (c + 1) * ChunkRows));
            // When the first layer's weight gradient reads the column lists (on AVX2; AVX-512 scatters the row lists),
            // whoever copies the last piece (every other piece is then written: the increments are full fences) sorts the
            // batch's entries by column.
            if (Interlocked.Increment(ref _chunksDone) == chunks && _rows is not null && !DiagnosticSwitches.ScatterWeightGradient) _sparse[_slot]!.BuildColumns();
        }
    }

    /// <summary>The owner copies the pieces the background thread has not claimed yet.</summary>
    public override void Help() => Run();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call
    private void Copy(int from, int to)
    {
        var set = _set!;
        int d = set.FeatureCount, t = set.TargetCount, start = _start;
        float[] tb = _t[_slot], wb = _w[_slot];
        var order = _order;
        var weights = set.Weights;
        var rows = _rows;
        if (rows is null)
        {
            float[] x = _x[_slot]!;
            for (int i = from; i < to; i++) set.Features.AsSpan(order[start + i] * d, d).CopyTo(x.AsSpan(i * d, d));
        }
        else
        {
            var batch = _sparse[_slot]!;
            int[] at = batch.RowStart, index = batch.RowIndex, rowStart = rows.Start;
            float[] value = batch.RowValue;
            for (int i = from; i < to; i++)
            {
                int r = order[start + i], q = rowStart[r], length = rowStart[r + 1] - q;
                rows.CopyIndices(q, index.AsSpan(at[i], length));
                rows.Value.AsSpan(q, length).CopyTo(value.AsSpan(at[i], length));
            }
        }
        for (int i = from; i < to; i++)
        {
            int r = order[start + i];
            set.Targets.AsSpan(r * t, t).CopyTo(tb.AsSpan(i * t, t));
            wb[i] = weights?[r] ?? 1f;
        }
    }
}
