namespace MlNetExtensions.Benchmarks;

/// <summary>
/// One trainer's outcome on one set: the test metric ×100 (micro-accuracy, AUC or R²), accuracy ×100 for binary sets,
/// the <c>Fit</c> seconds, or the exception that stopped it.
/// </summary>
/// <param name="Trainer">Trainer name: <c>Mlp</c>, <c>LightGbm</c>, <c>FastTree</c> or <c>Sdca</c>.</param>
/// <param name="Seed">The MLP's seed; null for the baselines.</param>
/// <param name="Score">Test metric ×100; null when the trainer threw.</param>
/// <param name="Accuracy">Binary sets: test accuracy ×100; otherwise null.</param>
/// <param name="FitSeconds">Wall time of <c>Fit</c> on the cached training data; null when it threw before finishing.</param>
/// <param name="Error">The exception's type and the first line of its message; null on success.</param>
/// <param name="Cached">True when read from the baseline cache rather than measured in this run.</param>
internal sealed record TrainerResult(string Trainer, int? Seed, double? Score, double? Accuracy, double? FitSeconds, string? Error, bool Cached = false)
{
    /// <summary>Whether the trainer threw.</summary>
    public bool Threw => Error is not null;
}
