using System.Runtime.CompilerServices;
using MlNetExtensions.Trainers.Kernels;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Copies one minibatch's rows (features, targets, example weights) from the dataset into batch buffers, in the
/// shuffled order. As a <see cref="BackgroundWork"/> it gathers the <i>next</i> minibatch while the current step runs
/// (the random-row copy of 128 × 784 features is memory bound, ≈ 70 µs of a ≈ 440 µs step on one core): two buffer
/// slots alternate, and the copied values are the same whoever copies them.
/// </summary>
internal sealed class BatchGather : BackgroundWork
{
    private readonly float[][] _x = new float[2][], _t = new float[2][], _w = new float[2][];
    private DenseDataset? _set;
    private int[] _order = Array.Empty<int>();
    private int _start, _count, _slot;

    /// <summary>Buffers for batches of up to <paramref name="maxBatch"/> rows of <paramref name="d"/> features and <paramref name="t"/> targets.</summary>
    public BatchGather(int maxBatch, int d, int t)
    {
        for (int i = 0; i < 2; i++) { _x[i] = new float[maxBatch * d]; _t[i] = new float[maxBatch * t]; _w[i] = new float[maxBatch]; }
    }

    /// <summary>Features of the batch in <paramref name="slot"/>.</summary>
    public float[] Features(int slot) => _x[slot];

    /// <summary>Targets of the batch in <paramref name="slot"/>.</summary>
    public float[] Targets(int slot) => _t[slot];

    /// <summary>Example weights of the batch in <paramref name="slot"/> (1 where the dataset has none).</summary>
    public float[] Weights(int slot) => _w[slot];

    /// <summary>Sets the batch that <see cref="Run"/> gathers: rows order[start .. start + count) of <paramref name="set"/> into <paramref name="slot"/>.</summary>
    public void Prepare(DenseDataset set, int[] order, int start, int count, int slot)
    {
        _set = set; _order = order; _start = start; _count = count; _slot = slot;
        _nextChunk = 0;
    }

    /// <summary>Rows per piece claimed by <see cref="Run"/> and <see cref="Help"/>.</summary>
    private const int ChunkRows = 8;

    private int _nextChunk;

    /// <summary>Gathers the prepared batch: claims pieces of <see cref="ChunkRows"/> rows until none is left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call
    public override void Run()
    {
        int chunks = (_count + ChunkRows - 1) / ChunkRows;
        int c;
        while ((c = Interlocked.Increment(ref _nextChunk) - 1) < chunks)
        {
            Copy(c * ChunkRows, Math.Min(_count, (c + 1) * ChunkRows));
        }
    }

    /// <summary>The owner copies the pieces the background thread has not claimed yet.</summary>
    public override void Help() => Run();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call
    private void Copy(int from, int to)
    {
        var set = _set!;
        int d = set.FeatureCount, t = set.TargetCount, start = _start;
        float[] x = _x[_slot], tb = _t[_slot], wb = _w[_slot];
        var order = _order;
        var weights = set.Weights;
        for (int i = from; i < to; i++)
        {
            int r = order[start + i];
            set.Features.AsSpan(r * d, d).CopyTo(x.AsSpan(i * d, d));
            set.Targets.AsSpan(r * t, t).CopyTo(tb.AsSpan(i * t, t));
            wb[i] = weights?[r] ?? 1f;
        }
    }
}
