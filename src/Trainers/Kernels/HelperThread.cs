using System.Runtime.CompilerServices;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// Splits an element-wise job (the optimizer step over a large tensor) between the caller and the step's background
/// thread (<see cref="BackgroundJob"/>): the caller posts the second half, runs its own, then either finds the thread
/// done with the posted half or, if the thread has not started it (the other core is busy, or another caller holds it),
/// runs it itself. The caller never waits for a late thread, and since every element gets the same arithmetic whichever
/// thread computes it, results do not depend on who ran what. A job is a function pointer plus a context pointer to the
/// caller's stack, valid until <see cref="RunSplit"/> returns. Allocation-free after start-up.
/// </summary>
internal static unsafe class HelperThread
{
    [ThreadStatic] private static SplitWork? t_work;

    /// <summary>Runs <paramref name="job"/>(context, from, to) over [0, length) split at <paramref name="split"/>: [split, length) may run on the helper.</summary>
    /// <param name="job">The element-wise job over a range.</param>
    /// <param name="context">The job's arguments (on the caller's stack).</param>
    /// <param name="split">First element of the part offered to the helper.</param>
    /// <param name="length">Elements in total.</param>
[MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public static void RunSplit(delegate*<void*, int, int, void> job, void* context, int split, int length)
    {
        var work = t_work ??= new SplitWork();
        work.Set(job, context, split, length);
        if (!BackgroundJob.TryPost(work))
        {
            job(context, 0, length); // another caller (a parallel Fit, a pending gather) holds the thread: run it all here
            return;
        }

        job(context, 0, split);
        BackgroundJob.Complete();
    }

    /// <summary>Starts the background thread (the JIT warm-up does it before the first step).</summary>
    internal static void EnsureStarted() => BackgroundJob.EnsureStarted();

    /// <summary>The posted half: a job over [from, to) of one caller (one instance per calling thread).</summary>
    private sealed class SplitWork : BackgroundWork
    {
        private delegate*<void*, int, int, void> _job;
        private void* _context;
        private int _from, _to;

[MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        public void Set(delegate*<void*, int, int, void> job, void* context, int from, int to)
        {
            _job = job;
            _context = context;
            _from = from;
            _to = to;
        }

[MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
        public override void Run() => _job(_context, _from, _to);
    }
}
