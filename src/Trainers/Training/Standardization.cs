using System.Runtime.CompilerServices;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Per-column z-scoring learned from training data: x' = (x − μ)·s with s = 1/σ (s = 1 for a constant column).
/// Stored in the model and applied before the network, so raw, unscaled features train well.
/// </summary>
internal static class Standardization
{
    /// <summary>Mean and 1/standard deviation of each of the <paramref name="columns"/> columns of <paramref name="values"/> ([rows × columns]).</summary>
    public static (float[] Shift, float[] Scale) Fit(ReadOnlySpan<float> values, int rows, int columns)
    {
        var mean = new double[columns];
        var sq = new double[columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) mean[c] += values[r * columns + c];
        for (int c = 0; c < columns; c++) mean[c] /= Math.Max(rows, 1);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) { double v = values[r * columns + c] - mean[c]; sq[c] += v * v; }
        var shift = new float[columns];
        var scale = new float[columns];
        for (int c = 0; c < columns; c++)
        {
            double sd = Math.Sqrt(sq[c] / Math.Max(rows, 1));
            shift[c] = (float)mean[c];
            scale[c] = sd > 1e-12 ? (float)(1.0 / sd) : 1f;
        }
        return (shift, scale);
    }

    /// <summary>The identity transform for <paramref name="columns"/> columns.</summary>
    public static (float[] Shift, float[] Scale) Identity(int columns)
    {
        var scale = new float[columns];
        scale.AsSpan().Fill(1f);
        return (new float[columns], scale);
    }

    /// <summary>Whether (x − shift)·scale = x for every x: all shifts 0 and all scales 1.</summary>
    public static bool IsIdentity(float[] shift, float[] scale) => !shift.AsSpan().ContainsAnyExcept(0f) && !scale.AsSpan().ContainsAnyExcept(1f);

    /// <summary>Applies x ← (x − shift)·scale in place to [rows × columns] values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(Span<float> values, int rows, float[] shift, float[] scale)
    {
        // (x − 0)·1 = x for every float (−0 and NaN included): the identity needs no pass over the data.
        if (IsIdentity(shift, scale)) return;
        int columns = shift.Length;
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * columns, columns);
            for (int c = 0; c < columns; c++) row[c] = (row[c] - shift[c]) * scale[c];
        }
    }
}
