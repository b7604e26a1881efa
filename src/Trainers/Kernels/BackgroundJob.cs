namespace MlNetExtensions.Trainers.Kernels;

/// <summary>Work that <see cref="BackgroundJob"/> may run on its thread (an object reused by its owner: no allocation per post).</summary>
internal abstract class BackgroundWork
{
    /// <summary>Does the work (on the background thread or on the caller's).</summary>
    public abstract void Run();
}

/// <summary>
/// One persistent background thread that can run a piece of work <i>while the caller goes on</i> (the next minibatch's
/// gather during the current step). The caller posts the work with <see cref="TryPost"/>, does its own, then calls
/// <see cref="Complete"/>: if the thread has not started the work (the other core is busy), the caller runs it there
/// itself, so it never waits for a thread that has not been scheduled; if the thread has started, the caller waits for
/// the end. The work must give the same result whoever runs it. One owner at a time: a second caller gets
/// <c>false</c> from <see cref="TryPost"/> and runs its work itself.
/// </summary>
internal static class BackgroundJob
{
    private const int Idle = 0, Posted = 1, Taken = 2, Done = 3;
    private static readonly object StartLock = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static readonly ManualResetEventSlim Finished = new(false);
    private static Thread? s_thread;
    private static int s_state;
    private static int s_owner; // 1 between a successful TryPost and its Complete
    private static BackgroundWork? s_work;

    /// <summary>Offers <paramref name="work"/> to the background thread. True: posted, call <see cref="Complete"/> before
    /// using its results (and before posting again). False: another caller holds the thread; run the work yourself.</summary>
    public static bool TryPost(BackgroundWork work)
    {
        EnsureStarted();
        if (Interlocked.CompareExchange(ref s_owner, 1, 0) != 0) return false;
        s_work = work;
        Finished.Reset();
        Volatile.Write(ref s_state, Posted);
        Wake.Release();
        return true;
    }

    /// <summary>Returns once the posted work is done: runs it on this thread if the background thread has not taken it.</summary>
    public static void Complete()
    {
        if (Interlocked.CompareExchange(ref s_state, Taken, Posted) == Posted)
        {
            s_work!.Run(); // not started: do it here
        }
        else
        {
            var spin = new SpinWait();
            while (Volatile.Read(ref s_state) != Done && !spin.NextSpinWillYield) spin.SpinOnce();
            // A late Set of the previous job may leave the event signalled: the state, written before each Set, decides.
            while (Volatile.Read(ref s_state) != Done)
            {
                Finished.Wait();
                Finished.Reset();
            }
        }
        s_work = null;
        Volatile.Write(ref s_state, Idle);
        Volatile.Write(ref s_owner, 0);
    }

    internal static void EnsureStarted()
    {
        if (s_thread is not null) return;
        lock (StartLock) s_thread ??= StartThread();
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "MlNetExtensions background job" };
        thread.Start();
        return thread;
    }

    private static void Loop()
    {
        while (true)
        {
            Wake.Wait();
            if (Interlocked.CompareExchange(ref s_state, Taken, Posted) != Posted) continue; // the caller ran it itself
            try { s_work!.Run(); }
            finally
            {
                Volatile.Write(ref s_state, Done);
                Finished.Set();
            }
        }
    }
}
