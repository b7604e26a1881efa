namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// One persistent background thread that can take the second half of an element-wise job (the
/// optimizer step over a large tensor). The caller posts the half, runs its own, then either finds
/// the helper done with the posted half or, if the helper has not started it (the other core is
/// busy), runs it itself: the caller never waits for a late thread, and since every element gets
/// the same arithmetic whichever thread computes it, results do not depend on who ran what.
/// A job is a function pointer plus a context pointer to the caller's stack, valid until
/// <see cref="RunSplit"/> returns. Allocation-free after start-up.
/// </summary>
internal static unsafe class HelperThread
{
    private const int Idle = 0, Posted = 1, Taken = 2, Done = 3;
    private static readonly object StartLock = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static readonly ManualResetEventSlim Finished = new(false);
    private static Thread? s_thread;
    private static int s_state;
    private static int s_owner; // 1 while a caller uses the helper: one job at a time, other callers run alone
    private static delegate*<void*, int, int, void> s_job;
    private static void* s_context;
    private static int s_from, s_to;

    /// <summary>Runs <paramref name="job"/>(context, from, to) over [0, length) split at <paramref name="split"/>: [split, length) may run on the helper.</summary>
    /// <param name="job">The element-wise job over a range.</param>
    /// <param name="context">The job's arguments (on the caller's stack).</param>
    /// <param name="split">First element of the part offered to the helper.</param>
    /// <param name="length">Elements in total.</param>
    public static void RunSplit(delegate*<void*, int, int, void> job, void* context, int split, int length)
    {
        EnsureStarted();
        if (Interlocked.CompareExchange(ref s_owner, 1, 0) != 0)
        {
            job(context, 0, length); // another caller (a parallel Fit) holds the helper: run it all here
            return;
        }

        s_job = job;
        s_context = context;
        s_from = split;
        s_to = length;
        Finished.Reset();
        Volatile.Write(ref s_state, Posted);
        Wake.Release();
        job(context, 0, split);
        if (Interlocked.CompareExchange(ref s_state, Taken, Posted) == Posted)
        {
            job(context, split, length); // the helper has not started: do it here
        }
        else
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref s_state) != Done && !spin.NextSpinWillYield)
            {
                spin.SpinOnce();
            }

            // A late Set of the previous job may leave the event signalled: the state, written before each Set, decides.
            while (Volatile.Read(ref s_state) != Done)
            {
                Finished.Wait();
                Finished.Reset();
            }
        }

        Volatile.Write(ref s_state, Idle);
        Volatile.Write(ref s_owner, 0);
    }

    internal static void EnsureStarted()
    {
        if (s_thread is not null)
        {
            return;
        }

        lock (StartLock)
        {
            s_thread ??= StartThread();
        }
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "MlNetExtensions helper" };
        thread.Start();
        return thread;
    }

    private static void Loop()
    {
        while (true)
        {
            Wake.Wait();
            if (Interlocked.CompareExchange(ref s_state, Taken, Posted) != Posted)
            {
                continue; // the caller ran the part itself
            }

            s_job(s_context, s_from, s_to);
            Volatile.Write(ref s_state, Done);
            Finished.Set();
        }
    }
}
