using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Initialization;

/// <summary>
/// Sparse initialization (Martens 2010, "Deep learning via Hessian-free optimization"): each output
/// unit j (column j of the row-major [fanIn × fanOut] matrix) gets exactly k = min(k, fanIn) non-zero
/// incoming weights, at k distinct random rows, each drawn from N(0, 1) and multiplied by the gain;
/// all other weights are zero.
/// </summary>
/// <remarks>
/// Unlike dense schemes, the scale of a unit's input does not shrink as the fan-in grows, and
/// units start out different from each other without the weights being tiny.
/// </remarks>
internal sealed class SparseInitializer : WeightInitializer
{
    /// <summary>Martens's default number of non-zero incoming weights per unit.</summary>
    public const int DefaultConnections = 15;

    /// <summary>Creates the initializer with <paramref name="connections"/> ≥ 1 non-zero weights per unit and scale <paramref name="gain"/>.</summary>
    public SparseInitializer(int connections = DefaultConnections, float gain = 1f)
    {
        Connections = connections;
        Gain = gain;
    }

    /// <summary>The number k of non-zero incoming weights per output unit (capped at the fan-in).</summary>
    public int Connections { get; }

    /// <summary>The scale of the non-zero weights: they are drawn from N(0, gain²).</summary>
    public float Gain { get; }

    /// <inheritdoc/>
    public override void Initialize(Span<float> weights, int fanIn, int fanOut, ref RandomStream random)
    {
        WeightShape.Check(weights.Length, fanIn, fanOut);
        weights.Clear();
        int k = Math.Min(Connections, fanIn);

        // A permutation of the rows; its first k entries after a partial Fisher–Yates shuffle are
        // k distinct random rows. It stays a permutation, so it is reused from column to column.
        var rows = new int[fanIn];
        for (int i = 0; i < fanIn; i++) rows[i] = i;

        for (int j = 0; j < fanOut; j++)
        {
            for (int c = 0; c < k; c++)
            {
                int pick = c + random.NextInt(fanIn - c);
                (rows[c], rows[pick]) = (rows[pick], rows[c]);
                weights[rows[c] * fanOut + j] = random.NextGaussian(0f, Gain); // W[row, j] ~ N(0, g²)
            }
        }
    }
}
