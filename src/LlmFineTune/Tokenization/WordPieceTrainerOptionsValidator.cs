using Microsoft.Extensions.Options;

namespace LlmFineTune.Tokenization;

/// <summary>Checks <see cref="WordPieceTrainerOptions"/>: every problem at once, each naming its option; run by DI at start-up and by <see cref="WordPieceTrainerOptions.Validate"/>.</summary>
internal sealed class WordPieceTrainerOptionsValidator : IValidateOptions<WordPieceTrainerOptions>
{
    public static WordPieceTrainerOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, WordPieceTrainerOptions o)
    {
        var errors = new ValidateOptionsResultBuilder();
        if (o.Tokenizer is null || o.AdditionalSpecialTokens is null)
        {
            errors.AddError("must not be null.", o.Tokenizer is null ? nameof(o.Tokenizer) : nameof(o.AdditionalSpecialTokens));
            return errors.Build();
        }
        var nested = WordPieceTokenizerOptionsValidator.Instance.Validate(name, o.Tokenizer).Failures ?? [];
        foreach (string failure in nested)
            errors.AddError(failure.Replace("Property ", $"Property {nameof(o.Tokenizer)}.", StringComparison.Ordinal));
        int specials = o.Tokenizer.SpecialTokens.Count + o.AdditionalSpecialTokens.Count;
        if (o.VocabularySize <= specials)
            errors.AddError($"must exceed the {specials} special tokens (was {o.VocabularySize}).", nameof(o.VocabularySize));
        if (o.MinFrequency < 1)
            errors.AddError($"must be at least 1 (was {o.MinFrequency}).", nameof(o.MinFrequency));
        if (o.LimitAlphabet is < 1)
            errors.AddError($"must be at least 1, or null for no limit (was {o.LimitAlphabet}).", nameof(o.LimitAlphabet));
        // The tokenizer's own tokens were checked above; together with the additional ones they must still be distinct words.
        if (!nested.Any())
            WordPieceTokenizerOptionsValidator.SpecialTokenErrors(errors, [.. o.Tokenizer.SpecialTokens, .. o.AdditionalSpecialTokens], nameof(o.AdditionalSpecialTokens));
        return errors.Build();
    }
}
