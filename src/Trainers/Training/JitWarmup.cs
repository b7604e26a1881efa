using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Compiles the training step's methods (those marked <see cref="MethodImplOptions.AggressiveOptimization"/>: kernels,
/// layers, optimizer, loop) on a background thread while the caller reads the training data, so that epoch 1 does not
/// wait for the JIT; it also starts the step's helper threads and the thread pool. Once per process; nothing changes but when the code is compiled (the same machine code either way).
/// <c>MLNETEXT_JIT_WARMUP=0</c> turns it off (for comparison).
/// </summary>
internal static class JitWarmup
{
    private static int s_started;

    /// <summary>Whether the warm-up is enabled (<c>MLNETEXT_JIT_WARMUP</c> is not "0").</summary>
    internal static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("MLNETEXT_JIT_WARMUP") != "0";

    /// <summary>Starts the warm-up once per process when more than one thread may be used; returns whether it started now.</summary>
    public static bool StartOnce(int maxThreads)
    {
        if (!Enabled || maxThreads <= 1 || Environment.ProcessorCount <= 1) return false;
        if (Interlocked.Exchange(ref s_started, 1) != 0) return false;
        var thread = new Thread(() =>
        {
            // The step's helper threads and the thread pool (the GEMM's parallel parts) start now rather than in batch 1.
            Kernels.BackgroundJob.EnsureStarted();
            ThreadPool.UnsafeQueueUserWorkItem(static _ => { }, (object?)null);
            PrepareAll(typeof(JitWarmup).Assembly);
        }) { IsBackground = true, Name = "MlNetExtensions JIT warm-up" };
        thread.Start();
        return true;
    }

    /// <summary>Compiles every non-generic method marked AggressiveOptimization in the training namespaces of <paramref name="assembly"/>; returns how many.</summary>
    internal static int PrepareAll(Assembly assembly)
    {
        int count = 0;
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            if (type.ContainsGenericParameters || type.Namespace is not { } ns || !ns.StartsWith("MlNetExtensions.Trainers", StringComparison.Ordinal)) continue;
            foreach (var method in type.GetMethods(all))
            {
                if (method.IsAbstract || method.ContainsGenericParameters
                    || (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) == 0) continue;
                try
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                    count++;
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
                {
                    Debug.WriteLine($"JIT warm-up skipped {type}.{method.Name}: {e.Message}");
                }
            }
        }
        return count;
    }
}
