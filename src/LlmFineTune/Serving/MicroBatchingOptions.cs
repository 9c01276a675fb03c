namespace LlmFineTune.Serving;

/// <summary>How <see cref="TextClassificationService"/> groups concurrent requests into batches.</summary>
public sealed class MicroBatchingOptions
{
    /// <value>Most texts in one forward pass. Default 32.</value>
    public int MaxBatchSize { get; set; } = 32;

    /// <value>Longest a request waits for others to join its batch. Default 2 ms; zero sends what is queued at once.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (MaxBatchSize is < 1 or > 4096)
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "MaxBatchSize must be between 1 and 4096.");
        if (MaxDelay < TimeSpan.Zero || MaxDelay > TimeSpan.FromSeconds(10))
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, "MaxDelay must be between 0 and 10 seconds.");
    }
}
