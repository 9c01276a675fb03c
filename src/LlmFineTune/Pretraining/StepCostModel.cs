namespace LlmFineTune.Pretraining;

/// <summary>
/// The time of a pretraining step as a fixed part (the optimizer's update of every weight) plus a part per padded token
/// (the forward and backward passes), fitted to timed steps by least squares with both parts kept non-negative.
/// </summary>
/// <remarks>
/// Unpacked batches are grouped by length, so their padded sizes (and step times) differ tenfold: the mean time of a few
/// steps mostly measures which lengths they happened to draw. The model predicts the mean step of the whole run instead.
/// </remarks>
internal readonly record struct StepCostModel(double FixedSeconds, double SecondsPerToken)
{
    /// <summary>Fits the model to timed steps.</summary>
    /// <param name="steps">Each step's padded tokens and seconds; at least one.</param>
    /// <exception cref="ArgumentException">No step was timed.</exception>
    public static StepCostModel Fit(IReadOnlyList<(double Tokens, double Seconds)> steps)
    {
        if (steps.Count == 0) throw new ArgumentException("No step was timed.", nameof(steps));
        double meanTokens = steps.Average(s => s.Tokens), meanSeconds = steps.Average(s => s.Seconds);
        double covariance = steps.Sum(s => (s.Tokens - meanTokens) * (s.Seconds - meanSeconds));
        double variance = steps.Sum(s => (s.Tokens - meanTokens) * (s.Tokens - meanTokens));
        double perToken = variance > 0 ? covariance / variance : 0;
        if (perToken <= 0)
            return new StepCostModel(meanSeconds, 0);   // equal sizes, or noise larger than the size effect: the plain mean
        double fixedPart = meanSeconds - perToken * meanTokens;
        return fixedPart >= 0 ? new StepCostModel(fixedPart, perToken)
            // a negative fixed part extrapolates badly to small batches: fit through the origin instead
            : new StepCostModel(0, steps.Sum(s => s.Tokens * s.Seconds) / steps.Sum(s => s.Tokens * s.Tokens));
    }

    /// <summary>The predicted seconds of a step of <paramref name="tokens"/> padded tokens.</summary>
    public double SecondsFor(double tokens) => FixedSeconds + SecondsPerToken * tokens;
}
