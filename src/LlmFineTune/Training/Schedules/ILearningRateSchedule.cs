namespace LlmFineTune.Training.Schedules;

/// <summary>
/// A learning-rate schedule: a pure function from the optimizer step to a multiplier of each
/// parameter group's base learning rate. Pure, so that a resumed run needs only the step.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The multiplier for one optimizer step.</summary>
    /// <param name="step">The step about to be taken, from 0.</param>
    /// <param name="totalSteps">The steps the run will take (at least 1).</param>
    /// <returns>A finite, non-negative multiplier (1 = the base learning rate).</returns>
    double Multiplier(int step, int totalSteps);
}
