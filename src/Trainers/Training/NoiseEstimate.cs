using MlNetExtensions.Trainers.Kernels;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// The Delta test (Pi and Peterson, 1994): an estimate of the share of a regression target's variance that no function of
/// the inputs can explain. If y = f(x) + ε with f smooth and ε independent noise of variance σ², a row and its nearest
/// neighbour in input space have nearly the same f, so ½·E[(y − y_nn)²] ≈ σ². Divided by the target's variance it is a
/// fraction in [0, ~1]: near 0 for a clean target (a smooth function of the inputs), near 1 for one the inputs barely
/// inform. With few rows or many inputs the neighbours are far apart and f's own variation adds to it, so it reads high
/// rather than low: an upper estimate of the noise.
/// </summary>
internal static class NoiseEstimate
{
    /// <summary>
    /// Most rows compared (evenly spaced through the data beyond that): the distances cost rows² × inputs, the same order
    /// as one epoch of the first layer at 1,000 rows.
    /// </summary>
    public const int MaxRows = 1000;

    /// <summary>
    /// Most multiply-adds of the distances (rows² × inputs): 1,000 rows up to 400 inputs, fewer rows beyond (71 at 79,000
    /// text slots before the memory bound of <see cref="MaxSampleValues"/>: 50), so that wide inputs cost milliseconds rather than seconds and the sampled rows stay small.
    /// </summary>
    public const double MaxWork = 4e8;

    /// <summary>Most values of the dense copy of the sampled rows (16 MB): bounds the memory for very wide rows held as lists.</summary>
    public const double MaxSampleValues = 4e6;

    /// <summary>The rows compared for <paramref name="rows"/> rows of <paramref name="inputs"/> inputs (at least 3 when there are).</summary>
    public static int RowsCompared(int rows, int inputs)
    {
        double d = Math.Max(1, inputs);
        double byWork = Math.Sqrt(MaxWork / d), byMemory = MaxSampleValues / d;
        return Math.Min(rows, Math.Max(3, (int)Math.Min(MaxRows, Math.Min(byWork, byMemory))));
    }

    /// <summary>
    /// ½·mean over rows of (y − y_nn)² divided by the variance of y, per target column of <paramref name="data"/>, and
    /// averaged over the columns, on <see cref="RowsCompared"/> rows; 0 for fewer than 3 rows or a constant target.
    /// Example weights are not used. The distances are Euclidean in the
    /// features as given (the trainer passes them after its input preprocessing); ties go to the lower row.
    /// </summary>
    /// <param name="data">The rows, after the trainer's input preprocessing.</param>
    /// <param name="maxThreads">Threads of the matrix product (the result does not depend on it). Default 1.</param>
    public static double DeltaFraction(DenseDataset data, int maxThreads = 1)
    {
        int n = data.Count, d = data.FeatureCount, t = data.TargetCount;
        if (n < 3 || t == 0) return 0;
        int m = RowsCompared(n, d);
        var rows = new int[m];
        for (int i = 0; i < m; i++) rows[i] = (int)((long)i * n / m);

        var x = SampleRows(data, rows);
        // Centred on the sampled rows' column means, so that columns with a large offset and a small spread (raw years or
        // prices when NormalizeFeatures is off) do not cancel their digits in ‖x_j‖² − 2·x_i·x_j.
        var means = new double[d];
        for (int i = 0; i < m; i++) for (int k = 0; k < d; k++) means[k] += x[(long)i * d + k];
        for (int k = 0; k < d; k++) means[k] /= m;
        for (int i = 0; i < m; i++) for (int k = 0; k < d; k++) x[(long)i * d + k] = (float)(x[(long)i * d + k] - means[k]);
        var gram = new float[(long)m * m];
        if (d > 0) Gemm.Multiply(Transpose.No, Transpose.Yes, m, m, d, x, d, x, d, gram, m, maxThreads: maxThreads);
        // The nearest row j ≠ i minimizes ‖x_j‖² − 2·x_i·x_j (‖x_i‖² is the same for every j); ties go to the lower row.
        var norms = new float[m];
        for (int j = 0; j < m; j++) norms[j] = gram[(long)j * m + j];
        // A plain loop (no fused multiply-add, strict comparison): the scan itself is the same on every CPU; the products
        // come from Gemm, whose blocking differs between its AVX-512 and AVX2 paths, so near ties may differ between CPUs.
        var nearest = new int[m];
        for (int i = 0; i < m; i++)
        {
            var row = gram.AsSpan(i * m, m);
            float best = float.PositiveInfinity;
            int arg = i == 0 ? 1 : 0;
            for (int j = 0; j < row.Length; j++)
            {
                float score = norms[j] - 2f * row[j];
                if (score < best && j != i) { best = score; arg = j; }
            }
            nearest[i] = arg;
        }

        double sum = 0;
        int columns = 0;
        for (int c = 0; c < t; c++)
        {
            double mean = 0;
            for (int i = 0; i < m; i++) mean += data.Targets[(long)rows[i] * t + c];
            mean /= m;
            double variance = 0, half = 0;
            for (int i = 0; i < m; i++)
            {
                double y = data.Targets[(long)rows[i] * t + c];
                double yn = data.Targets[(long)rows[nearest[i]] * t + c];
                variance += (y - mean) * (y - mean);
                half += 0.5 * (y - yn) * (y - yn);
            }
            if (!(variance > 0)) continue;
            sum += half / variance;
            columns++;
        }
        return columns == 0 ? 0 : sum / columns;
    }

    /// <summary>The rows named, densely (from the lists when the dataset is held only as lists of its non-zeros).</summary>
    private static float[] SampleRows(DenseDataset data, int[] rows)
    {
        int d = data.FeatureCount;
        var x = new float[(long)rows.Length * d];
        if (data.DenseFeatures is { } dense)
        {
            for (int i = 0; i < rows.Length; i++) Array.Copy(dense, (long)rows[i] * d, x, (long)i * d, d);
            return x;
        }
        var lists = data.Lists!;
        var index = new int[d];
        for (int i = 0; i < rows.Length; i++)
        {
            int from = lists.Start[rows[i]], count = lists.Start[rows[i] + 1] - from;
            lists.CopyIndices(from, index.AsSpan(0, count));
            for (int e = 0; e < count; e++) x[(long)i * d + index[e]] = lists.Value[from + e];
        }
        return x;
    }
}
