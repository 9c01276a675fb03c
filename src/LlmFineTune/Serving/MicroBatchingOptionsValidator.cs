using Microsoft.Extensions.Options;

namespace LlmFineTune.Serving;

/// <summary>Checks <see cref="MicroBatchingOptions"/>: every problem at once, each naming its option; run by DI at start-up and by <see cref="MicroBatchingOptions.Validate"/>.</summary>
internal sealed class MicroBatchingOptionsValidator : IValidateOptions<MicroBatchingOptions>
{
    public static MicroBatchingOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, MicroBatchingOptions o)
    {
        var errors = new ValidateOptionsResultBuilder();
        if (o.MaxBatchSize is < 1 or > 4096)
            errors.AddError($"must be between 1 and 4096 (was {o.MaxBatchSize}).", nameof(o.MaxBatchSize));
        if (o.MaxDelay < TimeSpan.Zero || o.MaxDelay > TimeSpan.FromSeconds(10))
            errors.AddError($"must be between 0 and 10 seconds (was {o.MaxDelay}).", nameof(o.MaxDelay));
        if (o.QueueCapacity is < 1 or > 1_000_000)
            errors.AddError($"must be between 1 and 1000000 (was {o.QueueCapacity}).", nameof(o.QueueCapacity));
        if (o.RequestTimeout != Timeout.InfiniteTimeSpan && (o.RequestTimeout <= TimeSpan.Zero || o.RequestTimeout > TimeSpan.FromDays(1)))
            errors.AddError($"must be positive and at most one day, or Timeout.InfiniteTimeSpan (was {o.RequestTimeout}).", nameof(o.RequestTimeout));
        return errors.Build();
    }
}
