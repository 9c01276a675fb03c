namespace LlmFineTune.Training.Schedules;

/// <summary>Linear warm-up from 0 to the base rate, then linear decay to 0 at the last step (BERT's schedule).</summary>
/// <remarks>m(s) = s / w for s &lt; w, else max(0, (T − s) / (T − w)).</remarks>
public sealed class LinearSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="warmupSteps">Steps of linear warm-up. Default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="warmupSteps"/> is negative.</exception>
    public LinearSchedule(int warmupSteps = 0)
    {
        Warmup.Check(warmupSteps);
        WarmupSteps = warmupSteps;
    }

    /// <summary>Steps of linear warm-up.</summary>
    public int WarmupSteps { get; }

    /// <inheritdoc />
    public double Multiplier(int step, int totalSteps) =>
        Warmup.IsWarmingUp(step, WarmupSteps, out double warm) ? warm : 1.0 - Warmup.Progress(step, totalSteps, WarmupSteps);
}
