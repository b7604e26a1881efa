namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// How many feature slots of a dataset take more than one value over its rows. A slot with the same value in every row
/// (a constant column, a one-hot slot of a category the training rows lack, the indicator of a slot missing in every row)
/// carries nothing a bias does not; the automatic epochs (<see cref="AutomaticEpochs"/>) and the automatic penalty's width
/// term (<see cref="AutomaticL2"/>) count only the others as the data's inputs. The count is the same whether the rows are
/// held densely or as lists of their non-zeros.
/// </summary>
internal static class VaryingFeatures
{
    /// <summary>The slots of <paramref name="data"/> whose values are not all equal (0 with fewer than two rows).</summary>
    public static int Count(DenseDataset data)
    {
        int d = data.FeatureCount, n = data.Count;
        if (n < 2 || d == 0) return 0;
        var varies = new bool[d];
        if (data.DenseFeatures is null && data.Lists is { } lists)
        {
            // A slot's values are its listed ones, plus 0 in the rows that do not list it.
            var listed = new int[d];
            var first = new float[d];
            int entries = lists.Start[lists.Count];
            for (int q = 0; q < entries; q++)
            {
                int j = lists.ColumnOf(q);
                float v = lists.Value[q];
                if (listed[j]++ == 0) first[j] = v;
                else if (v != first[j]) varies[j] = true;
            }
            for (int j = 0; j < d; j++)
                if (listed[j] > 0 && listed[j] < n && first[j] != 0f) varies[j] = true;
        }
        else
        {
            var x = data.Features;
            for (int r = 1; r < n; r++)
            {
                var row = x.AsSpan(r * d, d);
                for (int j = 0; j < d; j++)
                    if (row[j] != x[j]) varies[j] = true;
            }
        }
        int count = 0;
        foreach (bool v in varies) if (v) count++;
        return count;
    }
}
