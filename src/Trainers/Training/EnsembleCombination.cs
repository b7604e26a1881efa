namespace MlNetExtensions.Trainers.Training;

/// <summary>
/// How an ensemble (<see cref="MlpTrainerOptionsBase.NumberOfModels"/> ≥ 2) turns its members' raw outputs into its own:
/// the averaged probabilities (or scores), given back in the members' form (a logit, log-probabilities, a score) so that
/// the prediction transformers read an ensemble as they read one network.
/// </summary>
internal enum EnsembleCombination
{
    /// <summary>Regression (single- or multi-output): the mean of the members' scores, per output.</summary>
    MeanScore = 0,

    /// <summary>
    /// Binary classification: the logit of the mean of the members' probabilities σ(zᵢ), so that σ of the ensemble's Score
    /// is that mean (to float rounding).
    /// </summary>
    MeanSigmoidProbability = 1,

    /// <summary>
    /// Multiclass classification: per class the log of the mean of the members' softmax probabilities, so that the softmax
    /// of the ensemble's outputs (its Score column) is that mean (to float rounding).
    /// </summary>
    MeanSoftmaxProbability = 2,
}

/// <summary>The arithmetic of <see cref="EnsembleCombination"/>, in double precision and safe from overflow for any finite outputs.</summary>
internal static class EnsembleCombiner
{
    /// <summary>
    /// Combines <paramref name="members"/> rows of member outputs (member m's outputs at [m·o, (m + 1)·o), o =
    /// <paramref name="output"/>'s length) into <paramref name="output"/>.
    /// </summary>
    public static void Combine(EnsembleCombination how, ReadOnlySpan<float> memberOutputs, int members, Span<float> output)
    {
        int o = output.Length;
        switch (how)
        {
            case EnsembleCombination.MeanScore:
                for (int j = 0; j < o; j++)
                {
                    double sum = 0;
                    for (int m = 0; m < members; m++) sum += memberOutputs[m * o + j];
                    output[j] = (float)(sum / members);
                }
                break;
            case EnsembleCombination.MeanSigmoidProbability:
            {
                // logit(mean σ(zᵢ)) = log Σ σ(zᵢ) − log Σ σ(−zᵢ), with log σ(z) = −softplus(−z): no 1 − p that rounds to 0.
                Span<double> logP = stackalloc double[members], logQ = stackalloc double[members];
                for (int j = 0; j < o; j++)
                {
                    for (int m = 0; m < members; m++)
                    {
                        double z = memberOutputs[m * o + j];
                        logP[m] = -Softplus(-z);
                        logQ[m] = -Softplus(z);
                    }
                    output[j] = (float)(LogSumExp(logP) - LogSumExp(logQ));
                }
                break;
            }
            case EnsembleCombination.MeanSoftmaxProbability:
            {
                // log mean softmax: per class log Σᵢ exp(zᵢc − LSE(zᵢ)) − log k.
                Span<double> logNorm = stackalloc double[members], terms = stackalloc double[members];
                Span<double> row = o <= 256 ? stackalloc double[o] : new double[o];
                for (int m = 0; m < members; m++)
                {
                    for (int j = 0; j < o; j++) row[j] = memberOutputs[m * o + j];
                    logNorm[m] = LogSumExp(row);
                }
                double logK = Math.Log(members);
                for (int j = 0; j < o; j++)
                {
                    for (int m = 0; m < members; m++) terms[m] = memberOutputs[m * o + j] - logNorm[m];
                    output[j] = (float)(LogSumExp(terms) - logK);
                }
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(how), how, "Unknown ensemble combination.");
        }
    }

    /// <summary>log(1 + eˣ) without overflow.</summary>
    private static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    /// <summary>log Σ exp(vᵢ) without overflow.</summary>
    private static double LogSumExp(ReadOnlySpan<double> values)
    {
        double max = double.NegativeInfinity;
        foreach (double v in values) max = Math.Max(max, v);
        if (double.IsNegativeInfinity(max)) return max;
        double sum = 0;
        foreach (double v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }
}
