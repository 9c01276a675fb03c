namespace LlmFineTune.Pretraining;

/// <summary>How a <see cref="LanguageModelPretrainingOptions.TimeBudget"/> became a step count.</summary>
/// <param name="Budget">The wall-clock budget of the training steps.</param>
/// <param name="TimedSteps">Steps timed (after one untimed warm-up step).</param>
/// <param name="SecondsPerStep">The mean time of a timed step.</param>
/// <param name="Steps">The steps that fit the budget: ⌊budget / seconds per step⌋, at least 1.</param>
public sealed record PretrainingCalibration(TimeSpan Budget, int TimedSteps, double SecondsPerStep, int Steps)
{
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
