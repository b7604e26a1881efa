using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Compiles the training step's methods (those marked <see cref="MethodImplOptions.AggressiveOptimization"/>: kernels,
/// layers, optimizer, loop) on a background thread while the caller reads the training data, so that epoch 1 does not
/// wait for the JIT; it also starts the step's helper threads and the thread pool. Once per process; nothing changes but when the code is compiled (the same machine code either way).
/// <see cref="DiagnosticSwitches.JitWarmup"/> turns it off (for comparison).
/// </summary>
internal static class JitWarmup
{
    private static int s_started;

    /// <summary>Starts the warm-up once per process when more than one thread may be used; returns whether it started now.</summary>
    public static bool StartOnce(int maxThreads)
    {
        if (!DiagnosticSwitches.JitWarmup || maxThreads <= 1 || Environment.ProcessorCount <= 1) return false;
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

    /// <summary>
    /// Compiles every non-generic method marked AggressiveOptimization in the training namespaces of <paramref name="assembly"/>
    /// that this machine's training step can call; returns how many. The loop itself (<c>RunPhase</c>, ≈ 25 ms of JIT, needed
    /// as soon as the data is read) goes first; the data reader, which the caller compiles itself before anything else, and
    /// kernels of instruction-set paths this machine does not take (≈ 20 ms) are left out.
    /// </summary>
    internal static int PrepareAll(Assembly assembly)
    {
        int count = 0;
        foreach (var method in Plan(assembly))
        {
            try
            {
                RuntimeHelpers.PrepareMethod(method.MethodHandle);
                count++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
            {
                Debug.WriteLine($"JIT warm-up skipped {method.DeclaringType}.{method.Name}: {e.Message}");
            }
        }
        return count;
    }

    /// <summary>The methods <see cref="PrepareAll"/> compiles, in its order.</summary>
    internal static List<MethodInfo> Plan(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var methods = new List<MethodInfo>();
        foreach (var type in assembly.GetTypes())
        {
            if (type.ContainsGenericParameters || type.Namespace is not { } ns || !ns.StartsWith("MlNetExtensions.Trainers", StringComparison.Ordinal)) continue;
            foreach (var method in type.GetMethods(all))
            {
                if (method.IsAbstract || method.ContainsGenericParameters
                    || (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) == 0
                    || !UsedOnThisMachine(type, method)) continue;
                methods.Add(method);
            }
        }
        // The first step's path from its end backwards, then the rest in declaration order (stable sort).
        return methods.Select((m, i) => (m, i)).OrderBy(p => Priority(p.m)).ThenBy(p => p.i).Select(p => p.m).ToList();
    }

    /// <summary>
    /// The methods the first training step calls, in the order it calls them (the end-of-epoch check last). The warm-up
    /// compiles this path <i>backwards</i>: the caller reaches the loop before the warm-up is done, compiles the first methods
    /// of the step itself, and meets the warm-up somewhere in the middle, so the two compile in parallel instead of one
    /// waiting for the other. Compiled front to back, the first step of epoch 1 waited 29–42 ms (four cold runs) against
    /// 11–29 ms in declaration order.
    /// </summary>
    private static readonly string[] FirstStepPath =
    [
        "SparseRows.TryBuild", "BatchGather.Prepare", "SparseBatch.BuildColumns",
        "BatchGather.Run", "BatchGather.Copy", "MultilayerPerceptron.Forward", "DenseLayer.ForwardSparse", "Gemm.MultiplySparse",
        "Gemm.RunLists", "Gemm.AlignRows", "Gemm.RunListsWide", "Gemm.RunListsWideAvx2", "DenseLayer.Forward",
        "Gemm.Multiply", "Gemm.Validate", "Gemm.CheckOperand", "Gemm.TryRunSparse", "Gemm.SampleDensity", "Gemm.CountNonZero",
        "Gemm.RunSparseSplit", "Gemm.ThreadsByWork", "Gemm.PackPanels", "ParallelJob.Rent", "Gemm.RunJob", "BackgroundJob.TryPost", "ParallelJob.RunParts",
        "ParallelJob.RunPart", "Gemm.RunSparse", "Gemm.RunSparseRows", "Gemm.ListNonZeros", "Gemm.RunPanels", "Gemm.RunListsPanels",
        "Gemm.RunListsPanelsAvx2", "Scratch.Ints", "Scratch.Floats", "BackgroundJob.Complete", "BackgroundJob.Release",
        "ParallelJob.Finish", "ParallelJob.Leave", "ParallelJob.Execute", "ParallelJob.Run", "ActivationLayer.Forward",
        "ActivationLayer.Apply", "ActivationLayer.ReluForward", "PrefetchState.PostGather", "Gemm.ChooseThreads", "Gemm.RunParallel",
        "Gemm.Run", "Gemm.PackA", "Gemm.PackB", "GemmKernels.Avx512_8x32", "GemmKernels.Avx2_6x16", "Gemm.RunNarrow",
        "Gemm.RunNarrowAvx2", "SoftmaxCrossEntropyLoss.Compute", "MultilayerPerceptron.Backward", "DenseLayer.BackwardSparse", "Gemm.MultiplySparseTransposed", "Gemm.ScatterRange", "Gemm.ScatterBlock", "DenseLayer.Backward",
        "DenseLayer.SumRows", "Gemm.PackBTransposedAvx", "ActivationLayer.Backward", "ActivationLayer.ReluBackward",
        "PrefetchState.CompleteGather", "Gemm.RunSparseColumns", "Gemm.SparseAxpy", "Penalties.AddPenaltyGradients",
        "Optimizer.Step", "Optimizer.StateOf", "Adam.Update", "HelperThread.RunSplit", "SplitWork.Set", "SplitWork.Run",
        "Adam.UpdateRange", "MlpTrainingLoop.ParametersFinite",
    ];

    private static int Priority(MethodInfo method)
    {
        int i = Array.IndexOf(FirstStepPath, $"{method.DeclaringType?.Name}.{method.Name}");
        return i < 0 ? FirstStepPath.Length : FirstStepPath.Length - 1 - i;
    }

    /// <summary>False for methods the training step cannot reach here: the reader (compiled by the caller while it reads) and
    /// the kernels of instruction-set paths other than the one <c>Gemm</c> picks on this machine.</summary>
    private static bool UsedOnThisMachine(Type type, MethodInfo method)
    {
        if (type == typeof(TrainingDataReader)) return false;
        bool avx512 = System.Runtime.Intrinsics.X86.Avx512F.IsSupported;
        bool avx2 = System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported;
        return method.Name switch
        {
            "Avx512_8x32" or "RunNarrow" or "RunListsPanels" or "RunListsWide" => avx512,
            "Avx2_6x16" or "RunListsPanelsAvx2" or "RunNarrowAvx2" or "RunListsWideAvx2" => !avx512 && avx2,
            "Vector128_6x8" or "Scalar4x4" => !avx2,
            _ => true,
        };
    }
}
