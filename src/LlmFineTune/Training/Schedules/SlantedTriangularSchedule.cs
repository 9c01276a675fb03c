namespace LlmFineTune.Training.Schedules;

/// <summary>ULMFiT's slanted triangular learning rate: a short linear rise, then a long linear decay.</summary>
/// <remarks>
/// Howard and Ruder (2018), eq. 3: cut = ⌊T·cut_frac⌋; p = t / cut for t &lt; cut, else
/// 1 − (t − cut) / (cut·(1/cut_frac − 1)); multiplier = (1 + p·(ratio − 1)) / ratio.
/// </remarks>
public sealed class SlantedTriangularSchedule : ILearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="cutFraction">Fraction of the steps spent rising, in (0, 1). Default 0.1.</param>
    /// <param name="ratio">How much smaller the lowest rate is than the peak; at least 1. Default 32.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public SlantedTriangularSchedule(double cutFraction = 0.1, double ratio = 32)
    {
        if (!(cutFraction > 0 && cutFraction < 1)) throw new ArgumentOutOfRangeException(nameof(cutFraction), cutFraction, "cutFraction must be in (0, 1).");
        if (!(ratio >= 1) || double.IsInfinity(ratio)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "ratio must be a finite number of at least 1.");
        CutFraction = cutFraction;
        Ratio = ratio;
    }

    /// <summary>Fraction of the steps spent rising.</summary>
    public double CutFraction { get; }

    /// <summary>Peak rate divided by the lowest rate.</summary>
    public double Ratio { get; }

    /// <inheritdoc />
    public double Multiplier(int step, int totalSteps)
    {
        // A run shorter than 1/cutFraction steps has no rising part; treat the cut as one step.
        double cut = Math.Max(1, Math.Floor(totalSteps * CutFraction));
        double p = step < cut ? step / cut : 1 - (step - cut) / (cut * (1 / CutFraction - 1));
        return (1 + Math.Max(0, p) * (Ratio - 1)) / Ratio;
    }
}
