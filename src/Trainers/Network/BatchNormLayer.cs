using MlNetExtensions.Randomness;
using MlNetExtensions.Trainers.Optimization;

namespace MlNetExtensions.Trainers.Network;

/// <summary>
/// Batch normalization (Ioffe and Szegedy 2015). Training: each unit is normalized with the
/// minibatch's mean μ and (biased) variance σ², x̂ = (x − μ)/√(σ² + ϵ), then y = γx̂ + β with learned γ
/// (start 1) and β (start 0); running averages of μ and of the unbiased variance are kept,
/// μ_run ← m·μ_run + (1 − m)·μ. Inference: the running averages stand in for the batch statistics,
/// so a single example can be scored. Training on a batch of one example is an error (its variance is 0).
/// </summary>
internal sealed class BatchNormLayer : Layer
{
    /// <summary>Creates the layer for <paramref name="size"/> units.</summary>
    public BatchNormLayer(int size, string name, float momentum = 0.9f, float epsilon = 1e-5f) : base(size, size)
    {
        Gamma = new Parameter(name + ".gamma", size, isWeight: false);
        Beta = new Parameter(name + ".beta", size, isWeight: false);
        Gamma.Value.Fill(1f);
        RunningMean = new float[size];
        RunningVariance = new float[size];
        RunningVariance.AsSpan().Fill(1f);
        Momentum = momentum;
        Epsilon = epsilon;
        _parameters = new[] { Gamma, Beta };
        _mean = new float[size];
        _inverseStd = new float[size];
    }

    private readonly Parameter[] _parameters;
    private readonly float[] _mean, _inverseStd;
    private float[] _normalized = Array.Empty<float>();
    private float[]? _inferenceInverseStd;

    /// <summary>Scale γ.</summary>
    public Parameter Gamma { get; }

    /// <summary>Shift β.</summary>
    public Parameter Beta { get; }

    /// <summary>Running average of the batch means, used at inference.</summary>
    public float[] RunningMean { get; }

    /// <summary>Running average of the (unbiased) batch variances, used at inference.</summary>
    public float[] RunningVariance { get; }

    /// <summary>
    /// Whether a training-mode forward pass folds the batch's statistics into the running ones (true, except while a pass
    /// over examples that are not training data runs, such as adversarial training's perturbed batch).
    /// </summary>
    public bool UpdatesRunningStatistics { get; set; } = true;

    /// <summary>Weight m of the old running average in each update.</summary>
    public float Momentum { get; }

    /// <summary>ϵ added to the variance for numerical stability.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Forgets the cached inference scale after the running statistics were overwritten.</summary>
    public void InvalidateInferenceCache() => _inferenceInverseStd = null;

    /// <inheritdoc/>
    public override void Reserve(int maxBatch)
    {
        if (_normalized.Length < maxBatch * InputSize) _normalized = new float[maxBatch * InputSize];
    }

    /// <inheritdoc/>
    public override void ReleaseTrainingBuffers() => _normalized = Array.Empty<float>();

    /// <inheritdoc/>
    public override void Forward(ReadOnlySpan<float> x, Span<float> y, int batch, bool training, ref RandomStream random)
    {
        // (A training pass always normalizes with the batch's own statistics; see UpdatesRunningStatistics for the running ones.)
        int d = InputSize;
        var gamma = Gamma.Value; var beta = Beta.Value;
        if (!training)
        {
            // Computed once after training changed the running statistics; safe to share between threads.
            var inverseStd = _inferenceInverseStd ??= RunningVariance.Select(v => 1f / MathF.Sqrt(v + Epsilon)).ToArray();
            for (int r = 0; r < batch; r++)
            {
                int o = r * d;
                for (int j = 0; j < d; j++)
                    y[o + j] = gamma[j] * (x[o + j] - RunningMean[j]) * inverseStd[j] + beta[j];
            }
            return;
        }
        _inferenceInverseStd = null;
        if (batch < 2)
            throw new InvalidOperationException(
                "Batch normalization needs at least 2 examples per training minibatch; increase BatchSize or turn batch normalization off.");
        Reserve(batch);
        Array.Clear(_mean);
        var variance = _inverseStd; // reused: holds the variance, then 1/√(σ² + ϵ)
        Array.Clear(variance);
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < d; j++) _mean[j] += x[r * d + j];
        float invB = 1f / batch;
        for (int j = 0; j < d; j++) _mean[j] *= invB;
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < d; j++) { float c = x[r * d + j] - _mean[j]; variance[j] += c * c; }
        float unbias = batch / (float)(batch - 1);
        for (int j = 0; j < d; j++)
        {
            float v = variance[j] * invB;
            if (UpdatesRunningStatistics)
            {
                RunningMean[j] = Momentum * RunningMean[j] + (1 - Momentum) * _mean[j];
                RunningVariance[j] = Momentum * RunningVariance[j] + (1 - Momentum) * v * unbias;
            }
            _inverseStd[j] = 1f / MathF.Sqrt(v + Epsilon);
        }
        for (int r = 0; r < batch; r++)
        {
            int o = r * d;
            for (int j = 0; j < d; j++)
            {
                float xh = (x[o + j] - _mean[j]) * _inverseStd[j];
                _normalized[o + j] = xh;
                y[o + j] = gamma[j] * xh + beta[j];
            }
        }
    }

    /// <inheritdoc/>
    public override void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        // dγ = Σ dy·x̂, dβ = Σ dy; dx̂ = γ·dy;
        // dx = (1/B)·(1/√(σ²+ϵ))·(B·dx̂ − Σ dx̂ − x̂·Σ(dx̂·x̂)).
        int d = InputSize;
        var dGamma = Gamma.Gradient; var dBeta = Beta.Gradient; var gamma = Gamma.Value;
        dGamma.Clear(); dBeta.Clear();
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < d; j++)
            {
                float g = dy[r * d + j];
                dBeta[j] += g;
                dGamma[j] += g * _normalized[r * d + j];
            }
        if (dx.IsEmpty) return;
        float invB = 1f / batch;
        for (int r = 0; r < batch; r++)
            for (int j = 0; j < d; j++)
            {
                // Σ dx̂ = γ·dβ and Σ dx̂·x̂ = γ·dγ.
                float dxh = gamma[j] * dy[r * d + j];
                dx[r * d + j] = _inverseStd[j] * (dxh - invB * gamma[j] * dBeta[j] - _normalized[r * d + j] * invB * gamma[j] * dGamma[j]);
            }
    }
}
