namespace MlNetExtensions.Trainers;

/// <summary>How connection weights are drawn before training (biases start at zero).</summary>
public enum WeightInitialization
{
    /// <summary>The lecture's heuristic: W ~ U(−1/√m, 1/√m), m = fan-in.</summary>
    UniformFanIn,
    /// <summary>
    /// Xavier/Glorot normalized initialization: W ~ U(−√(6/(m+n)), √(6/(m+n))). (The lecture's slide prints
    /// the bound as 6/√(m+n); Glorot and Bengio's paper, and this code, use √(6/(m+n)).) The automatic choice for tanh,
    /// sigmoid and identity.
    /// </summary>
    XavierUniform,
    /// <summary>He/Kaiming normal for ReLU: W ~ N(0, 2/m).</summary>
    HeNormal,
    /// <summary>He/Kaiming uniform for ReLU: W ~ U(−√(6/m), √(6/m)). The automatic choice for ReLU and leaky ReLU.</summary>
    HeUniform,
    /// <summary>
    /// A random orthogonal matrix scaled by a gain g = <c>InitializationGain</c> (Saxe et al.): WᵀW = g²I (or WWᵀ when
    /// fan-in &lt; fan-out).
    /// </summary>
    Orthogonal,
    /// <summary>
    /// Sparse initialization (Martens): each unit gets exactly k = min(<c>SparseConnections</c>, fan-in) non-zero incoming
    /// weights, N(0, g²) with g = <c>InitializationGain</c>; the rest are zero.
    /// </summary>
    Sparse,
}
