using Microsoft.Extensions.Options;

namespace LlmFineTune.Tokenization;

/// <summary>Checks <see cref="WordPieceTokenizerOptions"/>: every problem at once, each naming its option; run by DI at start-up and by <see cref="WordPieceTokenizerOptions.Validate"/>.</summary>
internal sealed class WordPieceTokenizerOptionsValidator : IValidateOptions<WordPieceTokenizerOptions>
{
    public static WordPieceTokenizerOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, WordPieceTokenizerOptions o)
    {
        var errors = new ValidateOptionsResultBuilder();
        if (o.MaxInputCharsPerWord < 1)
            errors.AddError($"must be at least 1 (was {o.MaxInputCharsPerWord}).", nameof(o.MaxInputCharsPerWord));
        SpecialTokenErrors(errors, o.SpecialTokens, nameof(o.SpecialTokens));
        return errors.Build();
    }

    /// <summary>Special tokens must be non-empty words without white space, and distinct.</summary>
    internal static void SpecialTokenErrors(ValidateOptionsResultBuilder errors, IReadOnlyList<string> tokens, string option)
    {
        if (tokens.Any(t => string.IsNullOrWhiteSpace(t) || t.Any(char.IsWhiteSpace)))
            errors.AddError("special tokens must be non-empty and contain no white space.", option);
        if (tokens.Distinct(StringComparer.Ordinal).Count() != tokens.Count)
            errors.AddError($"special tokens must be distinct (were {string.Join(", ", tokens)}).", option);
    }
}
