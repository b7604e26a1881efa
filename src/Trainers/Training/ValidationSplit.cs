namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// Which rows a validation fraction (<see cref="MlpTrainerOptionsBase.ValidationFraction"/>, or the automatic hold-out)
/// holds out: a shuffle of the row indices drawn from the run's seed, the first round(count·fraction) of them for
/// validation and the rest for training, each list in ascending row order. The same seed, count and fraction give the same
/// split on any machine and thread count; the preprocessing statistics and the automatic L2 penalty are learned from the
/// training rows alone.
/// </summary>
internal static class ValidationSplit
{
    /// <summary>The stream of the seeded generator that draws the split (kept apart from the other draws of a run).</summary>
    private const ulong Stream = 0x5917;

    /// <summary>The training and validation rows of <paramref name="count"/> rows for <paramref name="fraction"/> and <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction leaves no training row or no validation row.</exception>
    public static (int[] Train, int[] Validation) Rows(int count, float fraction, ulong seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        Randomness.RandomStream.For(seed, Stream).Shuffle(order.AsSpan());
        int nVal = (int)Math.Round(count * fraction);
        if (nVal < 1 || nVal >= count)
            throw new ArgumentOutOfRangeException(nameof(MlpTrainerOptionsBase.ValidationFraction),
                $"ValidationFraction {fraction} of {count} rows leaves no training or no validation rows.");
        var train = order[nVal..];
        var validation = order[..nVal];
        Array.Sort(train);
        Array.Sort(validation);
        return (train, validation);
    }
}
