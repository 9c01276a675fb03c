namespace LlmFineTune.Training.Schedules;

/// <summary>The base learning rate throughout, after an optional linear warm-up.</summary>
public sealed class ConstantSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="warmupSteps">Steps of linear warm-up from 0. Default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="warmupSteps"/> is negative.</exception>
    public ConstantSchedule(int warmupSteps = 0)
    {
        Warmup.Check(warmupSteps);
        WarmupSteps = warmupSteps;
    }

    /// <summary>Steps of linear warm-up.</summary>
    public int WarmupSteps { get; }

    /// <inheritdoc />
    public double Multiplier(int step, int totalSteps) =>
        Warmup.IsWarmingUp(step, WarmupSteps, out double warm) ? warm : 1.0;
}
