using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Network;

/// <summary>
/// Inverted dropout: at training time each unit of each example is kept with probability p
/// (a fresh mask per example per step) and the kept units are scaled by 1/p, so the expected
/// activation is unchanged and inference needs no rescaling: at inference the layer is the identity.
/// </summary>
internal sealed class DropoutLayer : Layer
{
    /// <summary>Creates dropout with keep probability 1 − <paramref name="rate"/>.</summary>
    public DropoutLayer(int size, float rate) : base(size, size)
    {
        if (!(rate >= 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
        Rate = rate;
    }

    private float[] _mask = Array.Empty<float>();

    /// <summary>Probability of dropping a unit.</summary>
    public float Rate { get; }

    /// <summary>The scaled mask of the last training forward pass: 0 or 1/p per unit (for tests).</summary>
    public ReadOnlySpan<float> LastMask => _mask;

    /// <summary>When set, the mask is not drawn but taken from here (tests use it to fix the mask).</summary>
    public float[]? FixedMask { get; set; }

    /// <inheritdoc/>
    public override bool IsTrainingOnly => true;

    /// <inheritdoc/>
    public override void Reserve(int maxBatch)
    {
        if (_mask.Length < maxBatch * InputSize) _mask = new float[maxBatch * InputSize];
    }

    /// <inheritdoc/>
    public override void ReleaseTrainingBuffers() => _mask = Array.Empty<float>();

    /// <inheritdoc/>
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int batch, bool training, ref RandomStream random)
    {
        int count = batch * InputSize;
        if (!training || Rate == 0f)
        {
            x[..count].CopyTo(y);
            if (training) { Reserve(batch); _mask.AsSpan(0, count).Fill(1f); }
            return;
        }
        Reserve(batch);
        float keep = 1f - Rate, scale = 1f / keep;
        if (FixedMask is { } fixedMask) fixedMask.AsSpan(0, count).CopyTo(_mask);
        else for (int i = 0; i < count; i++) _mask[i] = random.NextSingle() < keep ? scale : 0f;
        System.Numerics.Tensors.TensorPrimitives.Multiply(x[..count], _mask.AsSpan(0, count), y[..count]);
    }

    /// <inheritdoc/>
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        if (dx.IsEmpty) return;
        int count = batch * InputSize;
        System.Numerics.Tensors.TensorPrimitives.Multiply(dy[..count], _mask.AsSpan(0, count), dx[..count]);
    }
}
