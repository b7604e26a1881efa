using System.Runtime.CompilerServices;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Splits an element-wise job (the optimizer step over a large tensor) between the caller and the step's background
/// thread (<see cref="BackgroundJob"/>): the range is cut into pieces that both claim one at a time, so the faster thread
/// does more of them and the caller finishes alone if the background thread is busy or descheduled; it never waits for
/// a thread that has not started. Every element gets the same arithmetic whichever thread computes it, so results do
/// not depend on who ran what. A job is a function pointer plus a context pointer to the caller's stack, valid until
/// <see cref="RunSplit"/> returns. Allocation-free after start-up.
/// </summary>
internal static unsafe class HelperThread
{
    /// <summary>Pieces per job: enough for the faster thread to take over a slow one's share, few enough to cost nothing.</summary>
    private const int Pieces = 8;

    [ThreadStatic] private static SplitWork? t_work;

    /// <summary>
    /// Runs <paramref name="job"/>(context, from, to) over [0, <paramref name="length"/>) on the caller and, when it is free,
    /// the background thread, in pieces whose bounds are multiples of <paramref name="align"/>.
    /// </summary>
    /// <param name="job">The element-wise job over a range.</param>
    /// <param name="context">The job's arguments (on the caller's stack).</param>
    /// <param name="length">Elements in total.</param>
    /// <param name="align">Piece bounds are multiples of this (the job's vector width), except the end.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public static void RunSplit(delegate*<void*, int, int, void> job, void* context, int length, int align = 16)
    {
        var work = t_work ??= new SplitWork();
        int piece = Math.Max(align, (length / Pieces + align - 1) / align * align);
        work.Set(job, context, length, piece);
        if (!BackgroundJob.TryPost(work))
        {
            job(context, 0, length); // another caller (a parallel Fit, a pending gather) holds the thread: run it all here
            return;
        }

        work.Run();
        BackgroundJob.Complete();
    }

    /// <summary>Starts the background thread (the JIT warm-up does it before the first step).</summary>
    internal static void EnsureStarted() => BackgroundJob.EnsureStarted();

    /// <summary>The posted job: pieces of [0, length) claimed by whichever thread comes (one instance per calling thread).</summary>
    private sealed class SplitWork : BackgroundWork
    {
        private delegate*<void*, int, int, void> _job;
        private void* _context;
        private int _length, _piece, _next;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        public void Set(delegate*<void*, int, int, void> job, void* context, int length, int piece)
        {
            _job = job;
            _context = context;
            _length = length;
            _piece = piece;
            _next = 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        public override void Run()
        {
            int from;
            while ((from = Interlocked.Add(ref _next, _piece) - _piece) < _length)
            {
                _job(_context, from, Math.Min(_length, from + _piece));
            }
        }

        /// <inheritdoc/>
        public override void Help() => Run();
    }
}
