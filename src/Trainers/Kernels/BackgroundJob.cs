using System.Runtime.CompilerServices;
using System.Diagnostics;

namespace MlNetExtensions.Trainers.Kernels;

/// <summary>Work that <see cref="BackgroundJob"/> may run on its thread (an object reused by its owner: no allocation per post).</summary>
internal abstract class BackgroundWork
{
    /// <summary>Does the work (on the background thread or on the caller's).</summary>
    public abstract void Run();

    /// <summary>
    /// Called on the owner's thread by <see cref="BackgroundJob.Complete"/> while the background thread is still running the
    /// work: work cut into pieces claimed one at a time takes the pieces nobody has started, so the owner helps instead of
    /// waiting (and finishes alone if the background thread was descheduled). The default does nothing.
    /// </summary>
    public virtual void Help()
    {
    }
}

/// <summary>
/// The training step's second core: one persistent background thread that runs one piece of work at a time, either
/// <i>while the caller goes on</i> (the next minibatch's gather during the current step) or as the other half of a split
/// (half the rows of a matrix product, half of an optimizer update: <see cref="HelperThread"/>, <c>Gemm</c>).
/// The caller posts with <see cref="TryPost"/>, does its own work, then calls <see cref="Complete"/>: if the thread has
/// not started the work (the other core is busy), the caller runs it itself, so it never waits for a thread that has not
/// been scheduled; if the thread has started, the caller waits for the end. The work must give the same result whoever
/// runs it. One owner at a time: a second caller gets <c>false</c> from <see cref="TryPost"/> and runs its work itself.
/// <para>
/// After each piece of work the thread keeps polling for the next one for <see cref="HotMicroseconds"/> before it
/// sleeps: a training step posts a dozen pieces a few microseconds apart, and waking a sleeping thread costs more than
/// most of them (tens of microseconds on a virtual machine). Idle, it sleeps and costs nothing.
/// </para>
/// </summary>
internal static class BackgroundJob
{
    private const int Idle = 0, Posted = 1, Taken = 2, Done = 3;

    /// <summary>How long the thread polls for the next post after finishing one, before it sleeps.</summary>
    internal const int HotMicroseconds = 300;

    /// <summary>How long <see cref="Complete"/> polls for a started piece to finish before it blocks.</summary>
    private const int WaitSpinMicroseconds = 2000;

    private static readonly object StartLock = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static readonly ManualResetEventSlim Finished = new(false);
    private static readonly long HotTicks = Stopwatch.Frequency * HotMicroseconds / 1_000_000;
    private static readonly long WaitSpinTicks = Stopwatch.Frequency * WaitSpinMicroseconds / 1_000_000;
    private static Thread? s_thread;
    private static int s_state;
    private static int s_owner; // 1 between a successful TryPost and its Complete
    private static int s_sleeping; // 1 while the thread is (about to be) blocked on Wake
    private static BackgroundWork? s_work;
    private static Exception? s_error;

    /// <summary>True while an owner holds the thread (a post not yet completed).</summary>
    public static bool IsBusy => Volatile.Read(ref s_owner) != 0;

    /// <summary>Offers <paramref name="work"/> to the background thread. True: posted, call <see cref="Complete"/> before
    /// using its results (and before posting again). False: another caller holds the thread; run the work yourself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public static bool TryPost(BackgroundWork work)
    {
        EnsureStarted();
        if (Interlocked.CompareExchange(ref s_owner, 1, 0) != 0)
        {
            return false;
        }

        s_work = work;
        s_error = null;
        Finished.Reset();
        Interlocked.Exchange(ref s_state, Posted); // a full fence: the thread's s_sleeping write and this one are ordered
        if (Volatile.Read(ref s_sleeping) != 0)
        {
            Wake.Release();
        }

        return true;
    }

    /// <summary>Returns once the posted work is done: runs it on this thread if the background thread has not taken it.</summary>
    /// <exception cref="InvalidOperationException">The work failed on the background thread (the original exception is inside).</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public static void Complete()
    {
        if (Interlocked.CompareExchange(ref s_state, Taken, Posted) == Posted)
        {
            BackgroundWork work = s_work!;
            Release();
            work.Run(); // not started: do it here (after releasing the thread: the work may post pieces of its own)
            return;
        }

        Exception? helpError = null;
        if (Volatile.Read(ref s_state) != Done)
        {
            try
            {
                s_work!.Help();
            }
            catch (Exception e)
            {
                helpError = e; // still wait for the thread and release it below
            }

            long until = Stopwatch.GetTimestamp() + WaitSpinTicks;
            while (Volatile.Read(ref s_state) != Done && Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(16);
            }

            // A late Set of the previous job may leave the event signalled: the state, written before each Set, decides.
            while (Volatile.Read(ref s_state) != Done)
            {
                Finished.Wait();
                Finished.Reset();
            }
        }

        Exception? error = s_error;
        Release();
        if (helpError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(helpError);
        }

        if (error is not null)
        {
            throw new InvalidOperationException("Work on the background thread failed.", error);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    private static void Release()
    {
        s_work = null;
        s_error = null;
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
        var thread = new Thread(Loop) { IsBackground = true, Name = "MlNetExtensions step worker" };
        thread.Start();
        return thread;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // the thread's polling loop: fully optimized from the start
    private static void Loop()
    {
        while (true)
        {
            if (Volatile.Read(ref s_state) != Posted)
            {
                long until = Stopwatch.GetTimestamp() + HotTicks;
                while (Volatile.Read(ref s_state) != Posted && Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(8);
                }

                if (Volatile.Read(ref s_state) != Posted)
                {
                    Interlocked.Exchange(ref s_sleeping, 1);
                    if (Volatile.Read(ref s_state) != Posted)
                    {
                        Wake.Wait();
                    }

                    Volatile.Write(ref s_sleeping, 0);
                    continue;
                }
            }

            if (Interlocked.CompareExchange(ref s_state, Taken, Posted) != Posted)
            {
                continue; // the caller ran it itself
            }

            try
            {
                s_work!.Run();
            }
            catch (Exception e)
            {
                s_error = e; // handed to the owner by Complete: never let it end the process
            }
            finally
            {
                Volatile.Write(ref s_state, Done);
                Finished.Set();
            }
        }
    }
}
