namespace MlNetExtensions.Transforms.Kernels;

/// <summary>Accumulates the 3 × 3 covariance of RGB pixel values (in [0, 1]) and decomposes it.</summary>
internal sealed class RgbCovariance
{
    private readonly double[] _sum = new double[3];
    private readonly double[] _cross = new double[9];

    /// <summary>Number of pixels accumulated.</summary>
    public long Count { get; private set; }

    /// <summary>Adds every pixel of an RGB image.</summary>
    public void Add(PixelBuffer image)
    {
        var r = image.Plane(0); var g = image.Plane(1); var b = image.Plane(2);
        double sr = 0, sg = 0, sb = 0, rr = 0, rg = 0, rb = 0, gg = 0, gb = 0, bb = 0;
        for (int i = 0; i < r.Length; i++)
        {
            double x = r[i], y = g[i], z = b[i];
            sr += x; sg += y; sb += z;
            rr += x * x; rg += x * y; rb += x * z; gg += y * y; gb += y * z; bb += z * z;
        }
        _sum[0] += sr; _sum[1] += sg; _sum[2] += sb;
        _cross[0] += rr; _cross[1] += rg; _cross[2] += rb; _cross[4] += gg; _cross[5] += gb; _cross[8] += bb;
        Count += r.Length;
    }

    /// <summary>The sample covariance (divided by N − 1), row-major 3 × 3.</summary>
    public double[] Covariance()
    {
        if (Count < 2) throw new InvalidOperationException("At least two pixels are needed to compute an RGB covariance.");
        var cov = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = i; j < 3; j++)
            {
                double v = (_cross[i * 3 + j] - _sum[i] * _sum[j] / Count) / (Count - 1);
                cov[i * 3 + j] = cov[j * 3 + i] = v;
            }
        return cov;
    }

    /// <summary>
    /// Eigen-decomposes a symmetric 3 × 3 matrix (cyclic Jacobi). Returns eigenvalues in decreasing order and the
    /// matching unit eigenvectors as rows (<c>vectors[k*3 + c]</c> is component c of the k-th eigenvector).
    /// </summary>
    public static (double[] Values, double[] Vectors) Eigen(double[] matrix)
    {
        var a = (double[])matrix.Clone();
        var v = new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }; // columns are eigenvectors
        for (int sweep = 0; sweep < 50; sweep++)
        {
            double off = a[1] * a[1] + a[2] * a[2] + a[5] * a[5];
            if (off < 1e-30) break;
            for (int p = 0; p < 2; p++)
                for (int q = p + 1; q < 3; q++)
                {
                    double apq = a[p * 3 + q];
                    if (Math.Abs(apq) < 1e-300) continue;
                    double theta = (a[q * 3 + q] - a[p * 3 + p]) / (2 * apq);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < 3; k++) // A ← A·J
                    {
                        double akp = a[k * 3 + p], akq = a[k * 3 + q];
                        a[k * 3 + p] = c * akp - s * akq; a[k * 3 + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < 3; k++) // A ← Jᵀ·A
                    {
                        double apk = a[p * 3 + k], aqk = a[q * 3 + k];
                        a[p * 3 + k] = c * apk - s * aqk; a[q * 3 + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < 3; k++) // V ← V·J
                    {
                        double vkp = v[k * 3 + p], vkq = v[k * 3 + q];
                        v[k * 3 + p] = c * vkp - s * vkq; v[k * 3 + q] = s * vkp + c * vkq;
                    }
                }
        }
        var order = new[] { 0, 1, 2 }.OrderByDescending(i => a[i * 3 + i]).ToArray();
        var values = new double[3];
        var vectors = new double[9];
        for (int k = 0; k < 3; k++)
        {
            int i = order[k];
            values[k] = a[i * 3 + i];
            for (int c = 0; c < 3; c++) vectors[k * 3 + c] = v[c * 3 + i];
        }
        return (values, vectors);
    }
}
