using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Initialization;

/// <summary>
/// Random orthogonal initialization scaled by a gain g (Saxe, McClelland and Ganguli 2014).
/// With W stored row-major as [fanIn × fanOut]: WᵀW = g²I when fanIn ≥ fanOut (orthonormal
/// columns), WWᵀ = g²I when fanIn &lt; fanOut (orthonormal rows).
/// </summary>
/// <remarks>
/// A Gaussian matrix A of the tall orientation (rows ≥ columns) is factored as A = QR by modified
/// Gram–Schmidt in double precision, with a second orthogonalization pass ("twice is enough") so
/// that Q is orthonormal to rounding even for badly conditioned draws. Gram–Schmidt produces R with a
/// positive diagonal, which is the sign correction that makes Q uniformly (Haar) distributed; a
/// Householder QR would have to multiply column j by sign(R_jj) explicitly. W is g·Q, transposed
/// for the wide orientation.
/// </remarks>
internal sealed class OrthogonalInitializer : WeightInitializer
{
    /// <summary>Creates the initializer with gain <paramref name="gain"/> &gt; 0.</summary>
    public OrthogonalInitializer(float gain = 1f) => Gain = gain;

    /// <summary>The gain g: the singular values of W are all g.</summary>
    public float Gain { get; }

    /// <inheritdoc/>
    public override void Initialize(Span<float> weights, int fanIn, int fanOut, ref RandomStream random)
    {
        WeightShape.Check(weights.Length, fanIn, fanOut);
        bool tall = fanIn >= fanOut;
        int rows = tall ? fanIn : fanOut;   // length of each vector to orthonormalize
        int columns = tall ? fanOut : fanIn; // how many vectors (columns ≤ rows)

        // q holds the vectors column by column: vector j is q[j*rows .. (j+1)*rows).
        var q = new double[rows * columns];
        for (int j = 0; j < columns; j++)
        {
            Span<double> qj = q.AsSpan(j * rows, rows);
            do
            {
                for (int i = 0; i < rows; i++) qj[i] = random.NextGaussian();
                for (int pass = 0; pass < 2; pass++)
                {
                    for (int k = 0; k < j; k++)
                    {
                        ReadOnlySpan<double> qk = q.AsSpan(k * rows, rows);
                        double projection = Dot(qk, qj); // r_kj = q_kᵀ a_j
                        for (int i = 0; i < rows; i++) qj[i] -= projection * qk[i]; // a_j ← a_j − r_kj q_k
                    }
                }
            }
            while (!TryNormalize(qj)); // a draw (numerically) in the span of the previous vectors is redrawn
        }

        double gain = Gain;
        for (int j = 0; j < columns; j++)
        {
            ReadOnlySpan<double> qj = q.AsSpan(j * rows, rows);
            for (int i = 0; i < rows; i++)
            {
                // tall: W[i, j] = g·Q[i, j]; wide: W = g·Qᵀ, so W[j, i] = g·Q[i, j].
                int index = tall ? i * fanOut + j : j * fanOut + i;
                weights[index] = (float)(gain * qj[i]);
            }
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static bool TryNormalize(Span<double> v)
    {
        double norm = Math.Sqrt(Dot(v, v)); // r_jj = ‖a_j‖ > 0
        if (!(norm > 1e-10)) return false;
        for (int i = 0; i < v.Length; i++) v[i] /= norm; // q_j = a_j / r_jj
        return true;
    }
}
