namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// The instruction-set path a <see cref="Gemm"/> call runs on. <see cref="Auto"/> picks the fastest
/// path the machine supports; the others force one path, which tests and benchmarks use to check
/// each path against the reference. Forcing a path the hardware lacks throws <see cref="PlatformNotSupportedException"/>.
/// </summary>
internal enum GemmPath
{
    /// <summary>The fastest supported path: <see cref="Avx512"/>, else <see cref="Avx2"/>, else <see cref="Vector128"/>, else <see cref="Scalar"/>.</summary>
    Auto,

    /// <summary>Portable scalar 4×4 micro-kernel (no SIMD).</summary>
    Scalar,

    /// <summary>Portable 128-bit SIMD 6×8 micro-kernel (<see cref="System.Runtime.Intrinsics.Vector128{T}"/>; SSE or NEON).</summary>
    Vector128,

    /// <summary>AVX2 + FMA 6×16 micro-kernel (256-bit).</summary>
    Avx2,

    /// <summary>AVX-512F 8×32 micro-kernel (512-bit).</summary>
    Avx512,
}
