using System.Runtime.CompilerServices;
using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers.Initialization;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Trainers.Network;

/// <summary>
/// A feed-forward network: a sequence of <see cref="Layer"/>s with the activation and gradient
/// buffers of training, and an allocation-free inference path that skips training-only layers.
/// Layout per hidden layer: [noise] [dropout] (inputs), then dense → [batch norm] → activation → [dropout];
/// the last dense layer outputs raw scores (logits).
/// </summary>
internal sealed class MultilayerPerceptron
{
    private float[][] _outputs = Array.Empty<float[]>();
    private float[][] _gradients = Array.Empty<float[]>();
    private int _reserved;

    /// <summary>Wraps an explicit list of layers (widths must chain).</summary>
    public MultilayerPerceptron(IReadOnlyList<Layer> layers)
    {
        if (layers.Count == 0) throw new ArgumentException("A network needs at least one layer.", nameof(layers));
        for (int i = 1; i < layers.Count; i++)
            if (layers[i].InputSize != layers[i - 1].OutputSize)
                throw new ArgumentException($"Layer {i} reads {layers[i].InputSize} values but layer {i - 1} writes {layers[i - 1].OutputSize}.");
        Layers = layers.ToArray();
        Parameters = Layers.SelectMany(l => l.Parameters).ToArray();
        InferenceLayers = Layers.Where(l => !l.IsTrainingOnly).ToArray();
        _firstTrainable = Array.FindIndex(Layers, l => l.Parameters.Count > 0);
    }

    /// <summary>All layers, training-only ones included.</summary>
    public Layer[] Layers { get; }

    /// <summary>The layers used at inference.</summary>
    public Layer[] InferenceLayers { get; }

    /// <summary>Every trainable parameter, in layer order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Features per example.</summary>
    public int InputSize => Layers[0].InputSize;

    /// <summary>Outputs per example.</summary>
    public int OutputSize => Layers[^1].OutputSize;

    /// <summary>Threads the matrix products may use.</summary>
    public int MaxThreads
    {
        set { foreach (var l in Layers) l.MaxThreads = value; }
    }

    /// <summary>Builds the network <paramref name="spec"/> describes, with weights drawn by <paramref name="initializer"/>.</summary>
    public static MultilayerPerceptron Create(NetworkSpec spec, WeightInitializer initializer, ref RandomStream random)
    {
        var layers = new List<Layer>();
        int width = spec.InputSize;
        if (spec.InputNoiseStdDev > 0) layers.Add(new GaussianNoiseLayer(width, spec.InputNoiseStdDev));
        if (spec.InputDropoutRate > 0) layers.Add(new DropoutLayer(width, spec.InputDropoutRate));
        for (int h = 0; h < spec.HiddenSizes.Length; h++)
        {
            int next = spec.HiddenSizes[h];
            var dense = new DenseLayer(width, next, $"hidden{h + 1}");
            initializer.Initialize(dense.Weights.Value, width, next, ref random);
            layers.Add(dense);
            if (spec.BatchNormalization) layers.Add(new BatchNormLayer(next, $"batchnorm{h + 1}", spec.BatchNormMomentum));
            layers.Add(new ActivationLayer(next, spec.Activation));
            if (spec.HiddenDropoutRate > 0) layers.Add(new DropoutLayer(next, spec.HiddenDropoutRate));
            width = next;
        }
        var output = new DenseLayer(width, spec.OutputSize, "output");
        initializer.Initialize(output.Weights.Value, width, spec.OutputSize, ref random);
        layers.Add(output);
        return new MultilayerPerceptron(layers);
    }

    /// <summary>Allocates training buffers for batches of up to <paramref name="maxBatch"/> examples.</summary>
    public void Reserve(int maxBatch)
    {
        // The lambdas below capture maxBatch: kept out of this method, whose closure would otherwise be
        // allocated on every call (24 B per training step), even when nothing needs growing.
        if (maxBatch > _reserved) Grow(maxBatch);
    }

    /// <summary>The first layer with parameters: the backward pass stops there.</summary>
    private readonly int _firstTrainable;

    private void Grow(int maxBatch)
    {
        _outputs = Layers.Select(l => new float[maxBatch * l.OutputSize]).ToArray();
        _gradients = Layers.Select(l => new float[maxBatch * l.OutputSize]).ToArray();
        foreach (var l in Layers) l.Reserve(maxBatch);
        _reserved = maxBatch;
    }

    /// <summary>
    /// Drops everything only training uses: the per-layer activation and gradient buffers, the layers' per-batch buffers and
    /// every parameter's gradient. What is left is what <see cref="Predict"/> reads (weights, biases, batch-normalization
    /// statistics); a later training pass allocates the rest again.
    /// </summary>
    public void ReleaseTrainingState()
    {
        _outputs = Array.Empty<float[]>();
        _gradients = Array.Empty<float[]>();
        _reserved = 0;
        foreach (var l in Layers) l.ReleaseTrainingBuffers();
        foreach (var p in Parameters) p.ReleaseGradient();
    }

    /// <summary>Bytes of training-only arrays the network holds (activation and gradient buffers, parameter gradients).</summary>
    internal long TrainingStateBytes =>
        4L * (_outputs.Sum(a => (long)a.Length) + _gradients.Sum(a => (long)a.Length) + Parameters.Where(p => p.HasGradient).Sum(p => (long)p.Length));

    /// <summary>Training-mode (or inference-mode, with all layers) forward pass; returns the outputs, [batch × OutputSize].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch, bool training, ref RandomStream random)
        => Forward(x, batch, training, ref random, -1, null);

    /// <summary>
    /// <see cref="Forward(ReadOnlySpan{float}, int, bool, ref RandomStream)"/> that runs <paramref name="afterLayer"/> once layer
    /// <paramref name="hookLayer"/> is done (the training loop posts the next minibatch's gather there).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch, bool training, ref RandomStream random, int hookLayer, Action? afterLayer)
        => Forward(x, null, batch, training, ref random, hookLayer, afterLayer);

    /// <summary>Whether the first layer can read its input as a <see cref="SparseBatch"/> (it is a dense layer).</summary>
    public bool AcceptsSparseInput => Layers[0] is DenseLayer;

    /// <summary>
    /// The forward pass with the input minibatch given either densely (<paramref name="x"/>) or, when
    /// <paramref name="sparseX"/> is not null, as lists of its non-zeros (then x is not read; see <see cref="AcceptsSparseInput"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, SparseBatch? sparseX, int batch, bool training, ref RandomStream random, int hookLayer, Action? afterLayer)
    {
        Reserve(batch);
        ReadOnlySpan<float> input = x;
        for (int i = 0; i < Layers.Length; i++)
        {
            var y = _outputs[i].AsSpan(0, batch * Layers[i].OutputSize);
            if (i == 0 && sparseX is not null)
            {
                if (Layers[0] is not DenseLayer first) throw new InvalidOperationException("Only a dense first layer reads sparse input.");
                first.ForwardSparse(sparseX, y, batch);
            }
            else Layers[i].Forward(input, y, batch, training, ref random);
            input = y;
            if (i == hookLayer) afterLayer?.Invoke();
        }
        return input;
    }

    /// <summary>
    /// Back-propagates ∂L/∂outputs (of the last <see cref="Forward(ReadOnlySpan{float}, int, bool, ref RandomStream)"/>) and leaves every parameter's gradient
    /// in <see cref="Parameter.Gradient"/>. The gradient with respect to the network's input is not computed.
    /// <paramref name="beforeLayer"/>, when given, runs just before layer <paramref name="hookLayer"/>'s backward pass (the
    /// training loop collects the next minibatch's gather there, so that the wide layers below can use both cores).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> outputGradient, int batch, int hookLayer = -1, Action? beforeLayer = null)
        => Backward(x, null, outputGradient, batch, hookLayer, beforeLayer);

    /// <summary>
    /// <see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, int, int, Action?)"/> after a forward pass on
    /// <paramref name="sparseX"/> (when not null, the first layer's gradients come from its lists and x is not read).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public void Backward(ReadOnlySpan<float> x, SparseBatch? sparseX, ReadOnlySpan<float> outputGradient, int batch, int hookLayer = -1, Action? beforeLayer = null)
        => Backward(x, sparseX, outputGradient, batch, hookLayer, beforeLayer, Span<float>.Empty);

    /// <summary>
    /// <see cref="Backward(ReadOnlySpan{float}, SparseBatch?, ReadOnlySpan{float}, int, int, Action?)"/> that also writes
    /// ∂L/∂x, the gradient with respect to the network's input, into <paramref name="inputGradient"/> ([batch × InputSize])
    /// when it is not empty (dense input only: the first layer's input gradient needs x itself).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public void Backward(ReadOnlySpan<float> x, SparseBatch? sparseX, ReadOnlySpan<float> outputGradient, int batch, int hookLayer, Action? beforeLayer, Span<float> inputGradient)
    {
        bool wantInput = !inputGradient.IsEmpty;
        if (wantInput && sparseX is not null) throw new InvalidOperationException("The input gradient needs the minibatch as dense rows, not lists of non-zeros.");
        outputGradient[..(batch * OutputSize)].CopyTo(_gradients[^1]);
        // Without the input gradient, the first layer with parameters needs no input gradient, nor does anything before it.
        int firstTrainable = wantInput ? 0 : _firstTrainable;
        for (int i = Layers.Length - 1; i >= 0 && i >= firstTrainable; i--)
        {
            var layer = Layers[i];
            ReadOnlySpan<float> input = i == 0 ? x : _outputs[i - 1].AsSpan(0, batch * layer.InputSize);
            Span<float> dx = i > firstTrainable ? _gradients[i - 1].AsSpan(0, batch * layer.InputSize)
                : wantInput ? inputGradient[..(batch * layer.InputSize)] : Span<float>.Empty;
            if (i == hookLayer) beforeLayer?.Invoke();
            if (i == 0 && sparseX is not null)
            {
                ((DenseLayer)layer).BackwardSparse(sparseX, _gradients[0].AsSpan(0, batch * layer.OutputSize), batch);
                continue;
            }
            layer.Backward(input, _outputs[i].AsSpan(0, batch * layer.OutputSize), _gradients[i].AsSpan(0, batch * layer.OutputSize), dx, batch);
        }
    }

    /// <summary>The widest layer output, for sizing inference scratch buffers.</summary>
    public int MaxWidth => Math.Max(InputSize, Layers.Max(l => l.OutputSize));

    /// <summary>
    /// Inference on <paramref name="batch"/> rows of <paramref name="x"/> into <paramref name="output"/>, using two scratch
    /// buffers of at least batch × <see cref="MaxWidth"/> values (one set per thread). Thread-safe for distinct scratch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per-step code: fully optimized at first call (no tier-0 epoch 1)
    public void Predict(ReadOnlySpan<float> x, Span<float> output, int batch, Span<float> scratchA, Span<float> scratchB)
    {
        var dummy = default(RandomStream);
        ReadOnlySpan<float> input = x;
        var layers = InferenceLayers;
        for (int i = 0; i < layers.Length; i++)
        {
            var target = i == layers.Length - 1 ? output : ((i & 1) == 0 ? scratchA : scratchB);
            var y = target[..(batch * layers[i].OutputSize)];
            layers[i].Forward(input, y, batch, training: false, ref dummy);
            input = y;
        }
    }
}
