namespace LlmFineTune.Serving;

/// <summary>How <see cref="TextClassificationService"/> groups concurrent requests into batches, and how many it lets wait.</summary>
public sealed class MicroBatchingOptions
{
    /// <value>Most texts in one forward pass. Default 32.</value>
    public int MaxBatchSize { get; set; } = 32;

    /// <value>
    /// Longest a batch waits for others to join it. Default 2 ms; zero sends what is queued at once. The model always runs
    /// as soon as it is free on everything queued by then; only a batch smaller than recent ones waits, and for no longer
    /// than a recent forward pass took (not at all when that is under a millisecond), so a lone caller is never held back
    /// and a busy service fills its batches from the requests that arrived during the previous pass.
    /// </value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <value>
    /// Most requests waiting for a forward pass; one more is refused with <see cref="ClassifierOverloadedException"/>
    /// (a host answers 429). Default 1024.
    /// </value>
    public int QueueCapacity { get; set; } = 1024;

    /// <value>
    /// Longest a request may take from arrival to answer before it fails with <see cref="TimeoutException"/> and leaves the
    /// queue. Default 30 seconds; <see cref="Timeout.InfiniteTimeSpan"/> waits as long as the caller's token allows.
    /// </value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks every setting, as DI does at start-up.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is invalid; the message names each one.</exception>
    public void Validate() => Validation.OptionsValidation.ThrowIfInvalid(MicroBatchingOptionsValidator.Instance, this);
}
