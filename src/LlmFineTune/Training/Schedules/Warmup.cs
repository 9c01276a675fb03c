namespace LlmFineTune.Training.Schedules;

/// <summary>The linear warm-up the schedules share: 0 → 1 over the first steps.</summary>
internal static class Warmup
{
    public static void Check(int warmupSteps)
    {
        if (warmupSteps < 0)
            throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, $"warmupSteps must be 0 or more (was {warmupSteps}).");
    }

    /// <summary>Whether <paramref name="step"/> is in the warm-up, and the multiplier there (as Hugging Face's schedules).</summary>
    public static bool IsWarmingUp(int step, int warmupSteps, out double multiplier)
    {
        multiplier = (double)step / Math.Max(1, warmupSteps);
        return step < warmupSteps;
    }

    /// <summary>Progress through the steps after the warm-up, in [0, 1].</summary>
    public static double Progress(int step, int totalSteps, int warmupSteps) =>
        Math.Clamp((double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps), 0, 1);
}
