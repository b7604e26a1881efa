using MlNetExtensions.Trainers.Kernels;
using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Tests.Performance;

/// <summary>
/// The next minibatch is gathered on a background thread during the current step: the gathered rows must be the
/// dataset's rows in the shuffled order whoever copies them, and the background job must hand work back to a caller
/// when the thread has not started it.
/// </summary>
public class BatchPrefetchTests
{
    private sealed class CountingWork : BackgroundWork
    {
        public int Runs;
        public int Thread;
        public override void Run() { Interlocked.Increment(ref Runs); Thread = Environment.CurrentManagedThreadId; }
    }

    // Other tests train in parallel and may hold the background thread between two of their batches: wait for it.
    private static void Post(BackgroundWork work)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!BackgroundJob.TryPost(work))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the background thread stayed owned");
            Thread.Yield();
        }
    }

    [Fact]
    public void PostedWorkRunsExactlyOnceAndASecondOwnerIsRefused()
    {
        for (int i = 0; i < 200; i++)
        {
            var work = new CountingWork();
            Post(work);
            Assert.False(BackgroundJob.TryPost(new CountingWork())); // one owner at a time
            if (i % 2 == 0) Thread.SpinWait(i * 10);
            BackgroundJob.Complete();
            Assert.Equal(1, work.Runs);
        }
    }

    private sealed class FailingWork : BackgroundWork
    {
        public override void Run() => throw new FormatException("boom");
    }

    [Fact]
    public void AFailureOnTheBackgroundThreadReachesTheOwnerAndTheThreadGoesOn()
    {
        for (int i = 0; i < 20; i++)
        {
            Post(new FailingWork());
            if (i % 2 == 0) Thread.Sleep(2); // taken by the thread (or, on a busy machine, run by Complete itself)
            var error = Assert.ThrowsAny<Exception>(BackgroundJob.Complete);
            Assert.True(error is FormatException || error.InnerException is FormatException, error.ToString());
            var work = new CountingWork();
            Post(work);
            BackgroundJob.Complete();
            Assert.Equal(1, work.Runs);
        }
    }

    [Fact]
    public void TheThreadSleepsWhenIdleAndWakesForTheNextPost()
    {
        for (int i = 0; i < 3; i++)
        {
            Thread.Sleep(BackgroundJob.HotMicroseconds / 1000 + 20); // past the polling window: the thread blocks
            var work = new CountingWork();
            Post(work);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (Volatile.Read(ref work.Runs) == 0 && clock.ElapsedMilliseconds < 5000) Thread.Yield();
            BackgroundJob.Complete();
            Assert.Equal(1, work.Runs);
            Assert.NotEqual(Environment.CurrentManagedThreadId, work.Thread); // woken, not run by Complete after a lost wake-up
        }
    }

    [Fact]
    public void GatherCopiesTheRowsInOrderIntoTheSlot()
    {
        int n = 50, d = 7, t = 3;
        var f = new float[n * d];
        var tg = new float[n * t];
        var w = new float[n];
        for (int i = 0; i < f.Length; i++) f[i] = i * 0.5f;
        for (int i = 0; i < tg.Length; i++) tg[i] = -i;
        for (int i = 0; i < n; i++) w[i] = i + 0.25f;
        var order = Enumerable.Range(0, n).Reverse().ToArray();
        foreach (var weights in new[] { w, null })
        {
            var set = new DenseDataset(f, d, tg, t, weights, n);
            var gather = new BatchGather(16, d, t);
            for (int slot = 0; slot < 2; slot++)
            {
                gather.Prepare(set, null, order, 10 + slot, 13, slot);
                if (slot == 0) gather.Run();
                else { Post(gather); BackgroundJob.Complete(); }
                for (int i = 0; i < 13; i++)
                {
                    int r = order[10 + slot + i];
                    Assert.Equal(f.AsSpan(r * d, d).ToArray(), gather.Features(slot).AsSpan(i * d, d).ToArray());
                    Assert.Equal(tg.AsSpan(r * t, t).ToArray(), gather.Targets(slot).AsSpan(i * t, t).ToArray());
                    Assert.Equal(weights?[r] ?? 1f, gather.Weights(slot)[i]);
                }
            }
        }
    }
}
