namespace MlNetExtensions.Trainers.Kernels;

/// <summary>Whether a matrix operand of <see cref="Gemm.Multiply(Transpose, Transpose, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool, int)"/> is used as stored or transposed.</summary>
internal enum Transpose
{
    /// <summary>The operand is used as stored (row-major).</summary>
    No,

    /// <summary>The operand is used transposed: a row-major r×c buffer acts as a c×r matrix.</summary>
    Yes,
}
