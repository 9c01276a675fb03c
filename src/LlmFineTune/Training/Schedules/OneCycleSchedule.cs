namespace LlmFineTune.Training.Schedules;

/// <summary>The one-cycle policy (Smith 2018) as PyTorch's <c>OneCycleLR</c>: cosine rise from peak/div to the peak, then cosine fall to peak/(div·final_div).</summary>
/// <remarks>
/// With s₁ = pct·T − 1 and s₂ = T − 1: for s ≤ s₁, m = cos_anneal(1/div, 1, s/s₁); else
/// m = cos_anneal(1, 1/(div·final_div), (s − s₁)/(s₂ − s₁)); where cos_anneal(a, b, p) = b + (a − b)(1 + cos(π·p))/2.
/// </remarks>
public sealed class OneCycleSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="percentStart">Fraction of the steps spent rising, in (0, 1). Default 0.3.</param>
    /// <param name="divFactor">Peak rate divided by the starting rate; at least 1. Default 25.</param>
    /// <param name="finalDivFactor">Starting rate divided by the final rate; at least 1. Default 1e4.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public OneCycleSchedule(double percentStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4)
    {
        if (!(percentStart > 0 && percentStart < 1)) throw new ArgumentOutOfRangeException(nameof(percentStart), percentStart, "percentStart must be in (0, 1).");
        if (!(divFactor >= 1) || double.IsInfinity(divFactor)) throw new ArgumentOutOfRangeException(nameof(divFactor), divFactor, "divFactor must be a finite number of at least 1.");
        if (!(finalDivFactor >= 1) || double.IsInfinity(finalDivFactor)) throw new ArgumentOutOfRangeException(nameof(finalDivFactor), finalDivFactor, "finalDivFactor must be a finite number of at least 1.");
        PercentStart = percentStart;
        DivFactor = divFactor;
        FinalDivFactor = finalDivFactor;
    }

    /// <summary>Fraction of the steps spent rising.</summary>
    public double PercentStart { get; }

    /// <summary>Peak rate divided by the starting rate.</summary>
    public double DivFactor { get; }

    /// <summary>Starting rate divided by the final rate.</summary>
    public double FinalDivFactor { get; }

    /// <inheritdoc />
    public double Multiplier(int step, int totalSteps)
    {
        double start = 1 / DivFactor;
        double end = start / FinalDivFactor;
        double riseEnd = PercentStart * totalSteps - 1;
        double last = totalSteps - 1;
        if (step <= riseEnd)
            return CosineAnneal(start, 1, riseEnd <= 0 ? 1 : step / riseEnd);
        return CosineAnneal(1, end, last <= riseEnd ? 1 : Math.Min(1, (step - riseEnd) / (last - riseEnd)));
    }

    private static double CosineAnneal(double from, double to, double progress) =>
        to + (from - to) * (1 + Math.Cos(Math.PI * progress)) / 2;
}
