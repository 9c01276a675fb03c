namespace LlmFineTune.Pretraining;

/// <summary>How a <see cref="LanguageModelPretrainingOptions.TimeBudget"/> became a step count.</summary>
/// <param name="Budget">The wall-clock budget of the training steps.</param>
/// <param name="TimedSteps">Steps timed (after <see cref="LanguageModelPretrainingOptions.CalibrationWarmupSteps"/> untimed warm-up steps).</param>
/// <param name="SecondsPerStep">
/// The predicted mean time of the run's steps: the timed steps' seconds fitted as a fixed part plus a part per padded token,
/// taken at <see cref="PaddedTokensPerStep"/>.
/// </param>
/// <param name="Steps">The steps that fit the budget: ⌊budget / seconds per step⌋, at least 1.</param>
public sealed record PretrainingCalibration(TimeSpan Budget, int TimedSteps, double SecondsPerStep, int Steps)
{
    /// <summary>The mean padded size (sequences × longest sequence) of the run's batches, which <see cref="SecondsPerStep"/> is predicted for; null when not known.</summary>
    public double? PaddedTokensPerStep { get; init; }

    /// <summary>The steps a budget buys at a measured time per step.</summary>
    /// <param name="budget">The wall-clock budget, positive.</param>
    /// <param name="secondsPerStep">Measured seconds per step, positive.</param>
    /// <returns>⌊budget / secondsPerStep⌋, at least 1 and at most <see cref="int.MaxValue"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    internal static int StepsWithin(TimeSpan budget, double secondsPerStep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(budget, TimeSpan.Zero);
        if (!(secondsPerStep > 0 && double.IsFinite(secondsPerStep)))
            throw new ArgumentOutOfRangeException(nameof(secondsPerStep), secondsPerStep, "The time per step must be a positive number of seconds.");
        return (int)Math.Clamp(Math.Floor(budget.TotalSeconds / secondsPerStep), 1, int.MaxValue);
    }
}
