namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// One trainable tensor of the network, flattened: its values and the gradient of the loss with
/// respect to them, filled by back-propagation before each optimizer step.
/// </summary>
internal sealed class Parameter
{
    /// <summary>Creates a parameter of <paramref name="size"/> zeros.</summary>
    public Parameter(string name, int size, bool isWeight)
    {
        Name = name;
        _value = new Kernels.AlignedFloats(size);
        IsWeight = isWeight;
    }

    /// <summary>A readable name such as "dense1.weights", for messages and inspection.</summary>
    public string Name { get; }

    private readonly Kernels.AlignedFloats _value;
    private Kernels.AlignedFloats? _gradient;

    /// <summary>The current values (64-byte aligned, see <see cref="Kernels.AlignedFloats"/>).</summary>
    public Span<float> Value => _value.Span;

    /// <summary>The current values, for iterators and other places a span cannot go.</summary>
    public Memory<float> ValueMemory => _value.Memory;

    /// <summary>
    /// The gradient of the minibatch loss (penalties included) with respect to <see cref="Value"/>. Allocated (zeros) at first
    /// use, so a network only scored (a loaded or trained model) holds no gradients; see <see cref="ReleaseGradient"/>.
    /// </summary>
    public Span<float> Gradient => (_gradient ??= new Kernels.AlignedFloats(_value.Length)).Span;

    /// <summary>Whether <see cref="Gradient"/> is allocated.</summary>
    public bool HasGradient => _gradient is not null;

    /// <summary>Drops the gradient array (training is over); the next use of <see cref="Gradient"/> allocates zeros again.</summary>
    public void ReleaseGradient() => _gradient = null;

    /// <summary>
    /// True for connection weights, which L1/L2 penalties, weight decay and max-norm apply to;
    /// false for biases and batch-normalization scale and shift, which are never penalized.
    /// </summary>
    public bool IsWeight { get; }

    /// <summary>The number of values.</summary>
    public int Length => _value.Length;
}
