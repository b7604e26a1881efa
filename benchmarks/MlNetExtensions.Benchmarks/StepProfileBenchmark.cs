using System.Diagnostics;
using System.Globalization;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers;
using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Losses;
using MlNetExtensions.Trainers.Network;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// <c>steps</c>: where one training step of the reference network goes (batch 128): forward per layer,
/// loss, backward per layer and the Adam step, each timed alone on random data (best of several batches).
/// </summary>
internal sealed class StepProfileBenchmark : IBenchmark
{
    /// <inheritdoc/>
    public string Name => "steps";

    /// <inheritdoc/>
    public string Description => "per-layer µs of one training step of the reference MLP (batch 128) [--threads T] [--hidden 128,64] [--batch B --inputs D --outputs K: random dense inputs] [--direct on|off]";

    /// <inheritdoc/>
    public int Run(string[] args)
    {
        int threads = Environment.ProcessorCount;
        int[] hidden = [128, 64];
        int batch = 128, d = 784, k = 10;
        for (int i = 0; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--batch": batch = int.Parse(args[i + 1], CultureInfo.InvariantCulture); continue;
                case "--inputs": d = int.Parse(args[i + 1], CultureInfo.InvariantCulture); continue;
                case "--outputs": k = int.Parse(args[i + 1], CultureInfo.InvariantCulture); continue;
                case "--direct": Trainers.DiagnosticSwitches.DirectKernels = args[i + 1] != "off"; continue;
            }

            if (args[i] == "--threads")
            {
                threads = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--hidden")
            {
                hidden = args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            }
        }

        var random = RandomStream.For(1, 2);
        var net = MultilayerPerceptron.Create(new NetworkSpec(d, hidden, k, Activation.Relu, false, 0, 0, 0, 0.9f),
            WeightInitializerFactory.Create(WeightInitialization.HeUniform, 1f, 15), ref random);
        net.MaxThreads = threads;
        net.Reserve(batch);
        var x = new float[batch * d];
        var mnist = BenchData.Load("mnist10k", "train");
        for (int r = 0; r < batch; r++)
        {
            if (d == mnist.Features[0].Length)
            {
                mnist.Features[r * 7].CopyTo(x, r * d);
            }
            else
            {
                for (int c = 0; c < d; c++) x[r * d + c] = (float)random.NextGaussian();
            }
        }

        var t = new float[batch * k];
        for (int r = 0; r < batch; r++)
        {
            t[r * k + (r % k)] = 1f;
        }

        var loss = new SoftmaxCrossEntropyLoss(k);
        var g = new float[batch * k];
        var adam = new Adam { LearningRate = 1e-3f, MaxThreads = threads };
        var parameters = net.Parameters;
        Console.WriteLine($"machine: {BenchData.Machine()}, threads {threads}, hidden {string.Join(",", hidden)}");
        Time("full step (fwd+loss+bwd+adam)", () =>
        {
            var rs = RandomStream.For(3, 4);
            var o = net.Forward(x, batch, true, ref rs);
            loss.Compute(o, t, ReadOnlySpan<float>.Empty, batch, g);
            net.Backward(x, g, batch);
            adam.Step(parameters);
        });
        PhaseProfile(net, x, t, loss, adam, batch);
        Time("forward", () =>
        {
            var rs = RandomStream.For(3, 4);
            net.Forward(x, batch, true, ref rs);
        });
        Time("loss", () =>
        {
            var rs = RandomStream.For(3, 4);
            loss.Compute(g, t, ReadOnlySpan<float>.Empty, batch, g.AsSpan());
        });
        Time("backward", () => net.Backward(x, g, batch));
        Time("adam step", () => adam.Step(parameters));
        var layerX = new float[batch * 1024];
        var layerY = new float[batch * 1024];
        var layerD = new float[batch * 1024];
        foreach (var layer in net.Layers)
        {
            var l = layer;
            Time($"  fwd {l.GetType().Name} {l.InputSize}->{l.OutputSize}", () =>
            {
                var rs = RandomStream.For(3, 4);
                l.Forward(layerX, layerY, batch, true, ref rs);
            });
            Time($"  bwd {l.GetType().Name} {l.InputSize}->{l.OutputSize} (with dx)", () => l.Backward(layerX, layerY, layerY, layerD, batch));
        }

        var w1 = new float[d * 128];
        var h = new float[batch * 128];
        var dw = new float[d * 128];
        for (int i = 0; i < w1.Length; i++)
        {
            w1[i] = random.NextSingle() - 0.5f;
        }

        foreach (bool sparse in new[] { false, true })
        {
            DiagnosticSwitches.SparseKernels = sparse;
            Time($"GEMM NN 128x128x784, MNIST A, sparse path {(sparse ? "on" : "off")}", () =>
                Trainers.Kernels.Gemm.Multiply(Trainers.Kernels.Transpose.No, Trainers.Kernels.Transpose.No, batch, 128, d, x, d, w1, 128, h, 128, maxThreads: threads));
            Time($"GEMM TN 784x128x128, MNIST A, sparse path {(sparse ? "on" : "off")}", () =>
                Trainers.Kernels.Gemm.Multiply(Trainers.Kernels.Transpose.Yes, Trainers.Kernels.Transpose.No, d, 128, batch, x, d, h, 128, dw, 128, maxThreads: threads));
            var w1Aligned = AlignedCopy(w1);
            Time($"GEMM NN 128x128x784, MNIST A, 64-byte-aligned W, sparse path {(sparse ? "on" : "off")}", () =>
                Trainers.Kernels.Gemm.Multiply(Trainers.Kernels.Transpose.No, Trainers.Kernels.Transpose.No, batch, 128, d, x, d, w1Aligned.Span, 128, h, 128, maxThreads: threads));
            Time($"GEMM NN 1x128x784, MNIST A, sparse path {(sparse ? "on" : "off")}", () =>
                Trainers.Kernels.Gemm.Multiply(Trainers.Kernels.Transpose.No, Trainers.Kernels.Transpose.No, 1, 128, d, x, d, w1, 128, h, 128, maxThreads: threads));
        }

        DiagnosticSwitches.SparseKernels = true;
        {
            // The first layer's two products from lists of non-zeros (as the training loop feeds them), with warm caches and
            // after sweeping 8 MB through them (as a real step leaves them: Adam alone streams 1.75 MB).
            var lists = ListsOf(x, d, batch);
            lists.BuildColumns();
            var sweep = new float[2 << 20];
            foreach (bool cold in new[] { false, true })
            {
                string how = cold ? "after an 8 MB sweep" : "warm";
                TimeEach($"GEMM NN 128x128x784 from row lists, {how}", () =>
                    Trainers.Kernels.Gemm.MultiplySparse(lists.ByRow, 128, w1, 128, h, 128, maxThreads: threads), cold ? sweep : null);
                var w1Aligned = AlignedCopy(w1);
                TimeEach($"GEMM NN 128x128x784 from row lists, 64-byte-aligned W, {how}", () =>
                    Trainers.Kernels.Gemm.MultiplySparse(lists.ByRow, 128, w1Aligned.Span, 128, h, 128, maxThreads: threads), cold ? sweep : null);
                DiagnosticSwitches.WideLists = false;
                TimeEach($"GEMM NN 128x128x784 from row lists, 32-column panels, {how}", () =>
                    Trainers.Kernels.Gemm.MultiplySparse(lists.ByRow, 128, w1, 128, h, 128, maxThreads: threads), cold ? sweep : null);
                DiagnosticSwitches.WideLists = true;
                TimeEach($"GEMM TN 784x128x128 from column lists, {how}", () =>
                    Trainers.Kernels.Gemm.MultiplySparse(lists.ByColumn, 128, h, 128, dw, 128, maxThreads: threads), cold ? sweep : null);
                TimeEach($"GEMM TN 784x128x128 scattered from row lists, {how}", () =>
                    Trainers.Kernels.Gemm.MultiplySparseTransposed(lists.ByRow, 128, h, 128, dw, 128, threads), cold ? sweep : null);
                TimeEach($"column lists built from row lists, {how}", () => lists.BuildColumns(), cold ? sweep : null);
                TimeEach($"GEMM NN 128x128x784 listing per call, {how}", () =>
                    Trainers.Kernels.Gemm.Multiply(Trainers.Kernels.Transpose.No, Trainers.Kernels.Transpose.No, batch, 128, d, x, d, w1, 128, h, 128, maxThreads: threads), cold ? sweep : null);
                TimeEach($"adam step, {how}", () => adam.Step(parameters), cold ? sweep : null);
            }
        }

        {
            // The first layer's three big passes in the order a step makes them, on the network's own arrays: forward from
            // lists (reads W), weight gradient (writes dW), Adam (reads dW, updates W and its moments). Each is timed inside
            // the sequence, so it sees the caches (and the other core's copies of the lines) the previous one left.
            var lists = ListsOf(x, d, batch);
            var w = net.Parameters[0];
            var dyh = new float[batch * 128];
            var rs1 = RandomStream.For(5, 6);
            for (int i = 0; i < dyh.Length; i++) dyh[i] = (float)rs1.NextGaussian() * 1e-3f;
            bool scatter = DiagnosticSwitches.ScatterWeightGradient;
            var seq = new double[3, 300];
            for (int rep = 0; rep < 320; rep++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Trainers.Kernels.Gemm.MultiplySparse(lists.ByRow, 128, w.Value, 128, h, 128, maxThreads: threads);
                long t1 = Stopwatch.GetTimestamp();
                if (scatter) Trainers.Kernels.Gemm.MultiplySparseTransposed(lists.ByRow, 128, dyh, 128, w.Gradient, 128, threads);
                else Trainers.Kernels.Gemm.MultiplySparse(lists.ByColumn, 128, dyh, 128, w.Gradient, 128, maxThreads: threads);
                long t2 = Stopwatch.GetTimestamp();
                adam.Step(parameters);
                long t3 = Stopwatch.GetTimestamp();
                if (rep < 20) continue;
                seq[0, rep - 20] = (t1 - t0) * 1e6 / Stopwatch.Frequency;
                seq[1, rep - 20] = (t2 - t1) * 1e6 / Stopwatch.Frequency;
                seq[2, rep - 20] = (t3 - t2) * 1e6 / Stopwatch.Frequency;
            }

            string[] names = ["forward from row lists", scatter ? "weight gradient scattered" : "weight gradient from column lists", "adam step"];
            for (int p = 0; p < 3; p++)
            {
                var v = Enumerable.Range(0, 300).Select(i => seq[p, i]).OrderBy(t => t).ToArray();
                Console.WriteLine($"in sequence: {names[p],-36} {v[150],9:F1} µs (p10 {v[30]:F1})");
            }
        }

        {
            // Density of the hidden activations the next layers read, and the sparse/dense crossover on layer 2's shapes.
            var rs0 = RandomStream.For(3, 4);
            net.Forward(x, batch, true, ref rs0);
            var h1 = new float[batch * hidden[0]];
            var act = net.Layers.First(l => l is ActivationLayer);
            var dense1 = (DenseLayer)net.Layers[0];
            dense1.Forward(x, h1, batch, true, ref rs0);
            act.Forward(h1, h1, batch, true, ref rs0);
            Console.WriteLine($"hidden-1 activation density (random init): {h1.Count(v => v != 0) / (double)h1.Length:F3}");
            var w2 = new float[hidden[0] * hidden[1]];
            var y2 = new float[batch * hidden[1]];
            var dw2 = new float[hidden[0] * hidden[1]];
            for (int i = 0; i < w2.Length; i++) w2[i] = random.NextSingle() - 0.5f;
            (double panelCap, double panelCapAvx2) = (DiagnosticSwitches.SparseMaxDensityPanels, DiagnosticSwitches.SparseMaxDensityPanelsAvx2);
            foreach (double density in new[] { 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8 })
            {
                var hd = new float[batch * hidden[0]];
                for (int i = 0; i < hd.Length; i++) hd[i] = random.NextDouble() < density ? random.NextSingle() : 0f;
                foreach (double cap in new[] { 0.0, 1.0 })
                {
                    DiagnosticSwitches.SparseMaxDensityPanels = DiagnosticSwitches.SparseMaxDensityPanelsAvx2 = cap;
                    Time($"GEMM NN {batch}x{hidden[1]}x{hidden[0]} density {density:F1} {(cap > 0 ? "sparse" : "dense")}", () =>
                        Trainers.Kernels.Gemm.Multiply(Trainers.Kernels.Transpose.No, Trainers.Kernels.Transpose.No, batch, hidden[1], hidden[0], hd, hidden[0], w2, hidden[1], y2, hidden[1], maxThreads: 1));
                    Time($"GEMM TN {hidden[0]}x{hidden[1]}x{batch} density {density:F1} {(cap > 0 ? "sparse" : "dense")}", () =>
                        Trainers.Kernels.Gemm.Multiply(Trainers.Kernels.Transpose.Yes, Trainers.Kernels.Transpose.No, hidden[0], hidden[1], batch, hd, hidden[0], y2, hidden[1], dw2, hidden[1], maxThreads: 1));
                }
            }

            (DiagnosticSwitches.SparseMaxDensityPanels, DiagnosticSwitches.SparseMaxDensityPanelsAvx2) = (panelCap, panelCapAvx2);
        }

        long a0 = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            var rs = RandomStream.For(3, 4);
            var o = net.Forward(x, batch, true, ref rs);
            loss.Compute(o, t, ReadOnlySpan<float>.Empty, batch, g);
            net.Backward(x, g, batch);
            adam.Step(parameters);
        }

        Console.WriteLine($"allocated per step (this thread): {(GC.GetAllocatedBytesForCurrentThread() - a0) / 100} B");
        long fwdBytes = 0, lossBytes = 0, bwdBytes = 0, adamBytes = 0;
        for (int i = 0; i < 100; i++)
        {
            long b0 = GC.GetAllocatedBytesForCurrentThread();
            var rs = RandomStream.For(3, 4);
            var o = net.Forward(x, batch, true, ref rs);
            long b1 = GC.GetAllocatedBytesForCurrentThread();
            loss.Compute(o, t, ReadOnlySpan<float>.Empty, batch, g);
            long b2 = GC.GetAllocatedBytesForCurrentThread();
            net.Backward(x, g, batch);
            long b3 = GC.GetAllocatedBytesForCurrentThread();
            adam.Step(parameters);
            long b4 = GC.GetAllocatedBytesForCurrentThread();
            fwdBytes += b1 - b0; lossBytes += b2 - b1; bwdBytes += b3 - b2; adamBytes += b4 - b3;
        }

        Console.WriteLine($"  of which forward {fwdBytes / 100} B, loss {lossBytes / 100} B, backward {bwdBytes / 100} B, Adam {adamBytes / 100} B");
        {
            var rs = RandomStream.For(3, 4);
            ReadOnlySpan<float> input = x;
            long n0 = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                net.Forward(x, batch, true, ref rs);
            }

            Console.WriteLine($"  network forward alone: {(GC.GetAllocatedBytesForCurrentThread() - n0) / 100} B per call");
            n0 = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                net.Reserve(batch);
            }

            Console.WriteLine($"  Reserve alone: {(GC.GetAllocatedBytesForCurrentThread() - n0) / 100} B per call");
            n0 = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                net.Forward(x, batch, false, ref rs);
            }

            Console.WriteLine($"  inference-mode forward: {(GC.GetAllocatedBytesForCurrentThread() - n0) / 100} B per call");
            var xs = x.AsSpan(0, 2 * d).ToArray();
            n0 = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                net.Forward(xs, 2, true, ref rs);
            }

            Console.WriteLine($"  2-row forward: {(GC.GetAllocatedBytesForCurrentThread() - n0) / 100} B per call");
            var outBuffers = net.Layers.Select(l => new float[batch * l.OutputSize]).ToArray();
            for (int li = 0; li < net.Layers.Length; li++)
            {
                var l = net.Layers[li];
                l.Forward(input, outBuffers[li], batch, true, ref rs);
                long b0 = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 100; i++)
                {
                    l.Forward(input, outBuffers[li], batch, true, ref rs);
                }

                long bytes = (GC.GetAllocatedBytesForCurrentThread() - b0) / 100;
                if (bytes != 0)
                {
                    Console.WriteLine($"  forward of layer {li} ({l.GetType().Name}) allocates {bytes} B per call");
                }

                input = outBuffers[li];
            }
        }
        return 0;
    }

    /// <summary>The minibatch <paramref name="x"/> (batch × d) as the training loop feeds it to the first layer: lists of its non-zeros.</summary>
    private static SparseBatch ListsOf(float[] x, int d, int batch)
    {
        var set = new Trainers.Training.DenseDataset(x, d, new float[batch], 1, null, batch);
        var rows = Trainers.Training.SparseRows.TryBuild(set, 1.0)!;
        var lists = new SparseBatch(batch, d);
        lists.Reset(batch, rows.Start[batch]);
        Array.Copy(rows.Start, lists.RowStart, batch + 1);
        rows.CopyIndices(0, lists.RowIndex.AsSpan(0, rows.Start[batch]));
        Array.Copy(rows.Value, lists.RowValue, rows.Start[batch]);
        return lists;
    }

    private static Memory<float> AlignedCopy(float[] source)
    {
        var array = GC.AllocateArray<float>(source.Length + 16, pinned: true);
        int offset;
        unsafe
        {
            fixed (float* p = array)
            {
                offset = (int)((64 - ((nint)p & 63)) & 63) / sizeof(float);
            }
        }

        source.CopyTo(array, offset);
        return array.AsMemory(offset, source.Length);
    }

    /// <summary>
    /// Median µs of each phase over 600 consecutive real steps (layer by layer on the network's own data flow), so the
    /// phases are seen with the caches and threads as the training loop leaves them.
    /// </summary>
    private static void PhaseProfile(MultilayerPerceptron net, float[] x, float[] t, SoftmaxCrossEntropyLoss loss, Adam adam, int batch)
    {
        var layers = net.Layers;
        int count = layers.Length;
        var outputs = layers.Select(l => new float[batch * l.OutputSize]).ToArray();
        var grads = layers.Select(l => new float[batch * l.OutputSize]).ToArray();
        const int steps = 600;
        var times = new long[steps, 2 * count + 2];
        var parameters = net.Parameters;
        for (int s = 0; s < steps; s++)
        {
            var rs = RandomStream.For(3, 4);
            ReadOnlySpan<float> input = x;
            for (int i = 0; i < count; i++)
            {
                long a = Stopwatch.GetTimestamp();
                layers[i].Forward(input, outputs[i].AsSpan(0, batch * layers[i].OutputSize), batch, true, ref rs);
                times[s, i] = Stopwatch.GetTimestamp() - a;
                input = outputs[i];
            }

            long l0 = Stopwatch.GetTimestamp();
            loss.Compute(outputs[count - 1], t, ReadOnlySpan<float>.Empty, batch, grads[count - 1]);
            times[s, 2 * count] = Stopwatch.GetTimestamp() - l0;
            for (int i = count - 1; i >= 0; i--)
            {
                ReadOnlySpan<float> inp = i == 0 ? x : outputs[i - 1].AsSpan(0, batch * layers[i].InputSize);
                Span<float> dx = i > 0 ? grads[i - 1].AsSpan(0, batch * layers[i].InputSize) : Span<float>.Empty;
                long a = Stopwatch.GetTimestamp();
                layers[i].Backward(inp, outputs[i].AsSpan(0, batch * layers[i].OutputSize), grads[i], dx, batch);
                times[s, count + i] = Stopwatch.GetTimestamp() - a;
            }

            long o0 = Stopwatch.GetTimestamp();
            adam.Step(parameters);
            times[s, 2 * count + 1] = Stopwatch.GetTimestamp() - o0;
        }

        double Median(int column, int from = 100)
        {
            var v = new double[steps - from];
            for (int s = from; s < steps; s++) v[s - from] = times[s, column] * 1e6 / Stopwatch.Frequency;
            Array.Sort(v);
            return v[v.Length / 2];
        }

        double total = 0;
        Console.WriteLine($"phase medians over {steps - 100} consecutive steps (after 100):");
        for (int i = 0; i < count; i++) { double m = Median(i); total += m; Console.WriteLine($"  fwd {layers[i].GetType().Name} {layers[i].InputSize}->{layers[i].OutputSize,-28} {m,8:F1} µs"); }
        { double m = Median(2 * count); total += m; Console.WriteLine($"  loss {"",-49} {m,8:F1} µs"); }
        for (int i = count - 1; i >= 0; i--) { double m = Median(count + i); total += m; Console.WriteLine($"  bwd {layers[i].GetType().Name} {layers[i].InputSize}->{layers[i].OutputSize,-28} {m,8:F1} µs"); }
        { double m = Median(2 * count + 1); total += m; Console.WriteLine($"  adam {"",-49} {m,8:F1} µs"); }
        Console.WriteLine($"  sum of medians {"",-39} {total,8:F1} µs");
    }

    /// <summary>Median µs of 200 single calls, each after writing <paramref name="sweep"/> through the caches (when given, untimed).</summary>
    private static void TimeEach(string label, Action action, float[]? sweep)
    {
        for (int i = 0; i < 20; i++)
        {
            action();
        }

        var times = new double[200];
        for (int rep = 0; rep < times.Length; rep++)
        {
            if (sweep is not null)
            {
                for (int i = 0; i < sweep.Length; i += 16)
                {
                    sweep[i] += 1f;
                }
            }

            long t0 = Stopwatch.GetTimestamp();
            action();
            times[rep] = (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency;
        }

        Array.Sort(times);
        Console.WriteLine($"{label,-48} {times[times.Length / 2],9:F1} µs (p10 {times[times.Length / 10]:F1})");
    }

    private static void Time(string label, Action action)
    {
        for (int i = 0; i < 20; i++)
        {
            action();
        }

        double best = double.MaxValue;
        for (int rep = 0; rep < 15; rep++)
        {
            const int n = 20;
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++)
            {
                action();
            }

            best = Math.Min(best, (Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency / n);
        }

        Console.WriteLine($"{label,-48} {best,9:F1} µs");
    }
}
