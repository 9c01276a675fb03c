using Microsoft.Extensions.Options;

namespace LlmFineTune.Tokenization;

/// <summary>Checks <see cref="HashingTokenizerOptions"/>: every problem at once, each naming its option; run by DI at start-up and by <see cref="HashingTokenizerOptions.Validate"/>.</summary>
internal sealed class HashingTokenizerOptionsValidator : IValidateOptions<HashingTokenizerOptions>
{
    public static HashingTokenizerOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, HashingTokenizerOptions o)
    {
        var errors = new ValidateOptionsResultBuilder();
        if (o.Buckets is < 1 or > 1 << 26)
            errors.AddError($"must be between 1 and 67,108,864 (was {o.Buckets}).", nameof(o.Buckets));
        if (o.WordNgrams is < 1 or > 5)
            errors.AddError($"must be between 1 and 5 (was {o.WordNgrams}).", nameof(o.WordNgrams));
        if (o.MinCharNgram < 0 || o.MaxCharNgram < o.MinCharNgram || o.MaxCharNgram > 8 || (o.MinCharNgram == 0) != (o.MaxCharNgram == 0))
            errors.AddError($"MinCharNgram..MaxCharNgram must both be 0 or satisfy 1 <= Min <= Max <= 8 (was {o.MinCharNgram}..{o.MaxCharNgram}).", nameof(o.MinCharNgram));
        return errors.Build();
    }
}
