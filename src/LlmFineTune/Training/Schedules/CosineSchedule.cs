namespace LlmFineTune.Training.Schedules;

/// <summary>Linear warm-up, then a half cosine from the base rate down to 0 at the last step.</summary>
/// <remarks>m(s) = s / w for s &lt; w, else ½(1 + cos(π·p)) with p = (s − w) / (T − w).</remarks>
public sealed class CosineSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="warmupSteps">Steps of linear warm-up. Default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="warmupSteps"/> is negative.</exception>
    public CosineSchedule(int warmupSteps = 0)
    {
        Warmup.Check(warmupSteps);
        WarmupSteps = warmupSteps;
    }

    /// <summary>Steps of linear warm-up.</summary>
    public int WarmupSteps { get; }

    /// <inheritdoc />
    public double Multiplier(int step, int totalSteps) =>
        Warmup.IsWarmingUp(step, WarmupSteps, out double warm) ? warm : 0.5 * (1 + Math.Cos(Math.PI * Warmup.Progress(step, totalSteps, WarmupSteps)));
}
