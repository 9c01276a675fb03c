namespace LlmFineTune.Training.Autotune;

/// <summary>How long and how <see cref="Autotuner"/> searches.</summary>
public sealed class AutotuneOptions
{
    /// <value>Wall-clock budget of the search; a trial still running when it ends is dropped (the first trial, the defaults, always finishes). Null searches until <see cref="MaxTrials"/>. Default 300 seconds (fastText's <c>-autotune-duration</c>).</value>
    public TimeSpan? Duration { get; set; } = TimeSpan.FromSeconds(300);

    /// <value>Most trials, the defaults included; with a fixed count and no <see cref="Duration"/> the search is reproducible to the bit. Null is no limit besides the duration. Default null.</value>
    public int? MaxTrials { get; set; }

    /// <value>Seed of the search (which settings are tried) and of every trial's training. Default 42.</value>
    public int Seed { get; set; } = 42;

    /// <value>The validation metric to optimise; null means <c>macroF1</c> for single-label and multi-label tasks, <c>loss</c> for regression. Default null.</value>
    public string? Metric { get; set; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Duration is { } d && d <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(Duration), d, "Duration must be positive, or null to search until MaxTrials.");
        if (MaxTrials is < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxTrials), MaxTrials, "MaxTrials must be at least 1, or null.");
        if (Duration is null && MaxTrials is null)
            throw new ArgumentException("Set Duration, MaxTrials or both; otherwise the search never ends.", nameof(Duration));
    }
}
