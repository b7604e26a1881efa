using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Trainers.Network;

/// <summary>
/// One stage of the network, working on a minibatch stored row-major as [batch × width].
/// Forward reads x and writes y; backward reads x, y and dL/dy and writes dL/dx (when asked) and the
/// gradients of the layer's own parameters. Layers keep whatever forward state backward needs
/// (masks, normalized inputs) in buffers sized for the largest batch.
/// </summary>
internal abstract class Layer
{
    /// <summary>Creates a layer mapping <paramref name="inputSize"/> values per example to <paramref name="outputSize"/>.</summary>
    protected Layer(int inputSize, int outputSize)
    {
        InputSize = inputSize;
        OutputSize = outputSize;
    }

    /// <summary>Values per example read.</summary>
    public int InputSize { get; }

    /// <summary>Values per example written.</summary>
    public int OutputSize { get; }

    /// <summary>Trainable parameters (empty for parameter-free layers).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => Array.Empty<Parameter>();

    /// <summary>Whether the layer acts only at training time (dropout, noise): at inference it is skipped.</summary>
    public virtual bool IsTrainingOnly => false;

    /// <summary>Computes y from x for <paramref name="batch"/> examples.</summary>
    /// <param name="x">Input, [batch × InputSize].</param>
    /// <param name="y">Output, [batch × OutputSize].</param>
    /// <param name="batch">Number of examples.</param>
    /// <param name="training">Training mode (batch statistics, dropout masks, noise) or inference mode.</param>
    /// <param name="random">The step's random stream (training mode only).</param>
    public abstract void Forward(ReadOnlySpan<float> x, Span<float> y, int batch, bool training, ref RandomStream random);

    /// <summary>
    /// Back-propagates: writes dL/dx into <paramref name="dx"/> (unless it is empty) and stores the parameter
    /// gradients (overwriting them) from the last training-mode <see cref="Forward"/>.
    /// </summary>
    public abstract void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch);

    /// <summary>Allocates per-batch buffers for batches of up to <paramref name="maxBatch"/> examples.</summary>
    public virtual void Reserve(int maxBatch) { }

    /// <summary>Drops the per-batch training buffers (masks, normalized inputs); <see cref="Reserve"/> allocates them again.</summary>
    public virtual void ReleaseTrainingBuffers() { }

    /// <summary>Number of threads the layer may use for its matrix products.</summary>
    public int MaxThreads { get; set; } = 1;
}
