using MlNetExtensions.Randomness;

namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// The bootstrap samples of bagging: member i of an ensemble trained with seed s draws n row numbers from [0, n) with
/// replacement, draw j being <c>RandomStream.For(s, Stream, i).NextInt(n)</c> in turn; the rows it never draws are its
/// out-of-bag rows (about n/e of them). Each member also trains with its own seed, <see cref="MemberSeed"/>.
/// </summary>
internal static class Bootstrap
{
    /// <summary>The stream of the bootstrap draws (apart from the validation split's and the training loop's).</summary>
    internal static readonly ulong Stream = RandomStream.Salt("Bagging.Bootstrap");

    /// <summary>The stream the member seeds come from.</summary>
    private static readonly ulong SeedStream = RandomStream.Salt("Bagging.MemberSeed");

    /// <summary>Member <paramref name="member"/>'s sample of <paramref name="rows"/> row numbers, in the order drawn.</summary>
    public static int[] Sample(ulong seed, int member, int rows)
    {
        var random = RandomStream.For(seed, Stream, (ulong)member);
        var sample = new int[rows];
        for (int j = 0; j < rows; j++) sample[j] = random.NextInt(rows);
        return sample;
    }

    /// <summary>The row numbers of [0, <paramref name="rows"/>) that <paramref name="sample"/> does not hold, ascending.</summary>
    public static int[] OutOfBag(ReadOnlySpan<int> sample, int rows)
    {
        var drawn = new bool[rows];
        foreach (int r in sample) drawn[r] = true;
        var outOfBag = new List<int>();
        for (int r = 0; r < rows; r++) if (!drawn[r]) outOfBag.Add(r);
        return outOfBag.ToArray();
    }

    /// <summary>
    /// The seed member <paramref name="member"/> trains with (initialization, shuffling, dropout, noise): 32 bits, like the
    /// seed of a single network (<see cref="MlpTrainerOptionsBase.Seed"/> read as unsigned), so that a single network trained
    /// with that seed on the member's sample (and the same preprocessing) is the member.
    /// </summary>
    public static ulong MemberSeed(ulong seed, int member) => (uint)RandomStream.For(seed, SeedStream, (ulong)member).NextUInt64();
}
