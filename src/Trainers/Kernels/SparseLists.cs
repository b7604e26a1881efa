namespace MlNetExtensions.Trainers.Kernels;

/// <summary>
/// A sparse matrix as lists of its non-zeros, row by row (compressed sparse rows): row i's entries are
/// <c>Index[Start[i] .. Start[i + 1])</c>, column indices in ascending order, with their values in <c>Value</c> at the same
/// positions. The pointers address pinned arrays owned by the caller (nothing is copied).
/// </summary>
internal readonly unsafe struct SparseLists
{
    /// <summary>Wraps lists of <paramref name="rows"/> rows over <paramref name="cols"/> columns.</summary>
    /// <param name="rows">Rows of the matrix.</param>
    /// <param name="cols">Columns of the matrix (every index is below it).</param>
    /// <param name="start">rows + 1 positions: row i's entries are [start[i], start[i + 1]).</param>
    /// <param name="index">Column index of each entry, ascending within a row.</param>
    /// <param name="value">Value of each entry.</param>
    public SparseLists(int rows, int cols, int* start, int* index, float* value)
    {
        Rows = rows; Cols = cols; Start = start; Index = index; Value = value;
    }

    /// <summary>Rows of the matrix.</summary>
    public int Rows { get; }

    /// <summary>Columns of the matrix.</summary>
    public int Cols { get; }

    /// <summary>Where each row's entries begin (<see cref="Rows"/> + 1 positions).</summary>
    public int* Start { get; }

    /// <summary>Column index of each entry.</summary>
    public int* Index { get; }

    /// <summary>Value of each entry.</summary>
    public float* Value { get; }

    /// <summary>Number of entries listed.</summary>
    public int Count => Rows == 0 ? 0 : Start[Rows] - Start[0];
}
