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
        Value = Kernels.AlignedArray.Floats(size);
        Gradient = Kernels.AlignedArray.Floats(size);
        IsWeight = isWeight;
    }

    /// <summary>A readable name such as "dense1.weights", for messages and inspection.</summary>
    public string Name { get; }

    /// <summary>The current values.</summary>
    public float[] Value { get; }

    /// <summary>The gradient of the minibatch loss (penalties included) with respect to <see cref="Value"/>.</summary>
    public float[] Gradient { get; }

    /// <summary>
    /// True for connection weights, which L1/L2 penalties, weight decay and max-norm apply to;
    /// false for biases and batch-normalization scale and shift, which are never penalized.
    /// </summary>
    public bool IsWeight { get; }

    /// <summary>The number of values.</summary>
    public int Length => Value.Length;
}
