namespace LlmFineTune.Tokenization;

/// <summary>
/// Normalization and special tokens of a <see cref="WordPieceTokenizer"/>. The defaults are
/// bert-base-uncased's, so a standard uncased BERT <c>vocab.txt</c> gives BERT's ids.
/// </summary>
public sealed class WordPieceTokenizerOptions
{
    /// <value>Whether text is lower-cased before splitting. Default true (uncased models).</value>
    public bool Lowercase { get; set; } = true;

    /// <value>Whether accents (non-spacing marks) are removed; null follows <see cref="Lowercase"/>, as BERT does. Default null.</value>
    public bool? StripAccents { get; set; }

    /// <value>Whether each CJK ideograph becomes a word of its own, as in BERT. Default true.</value>
    public bool TokenizeChineseChars { get; set; } = true;

    /// <value>Words longer than this many characters become the unknown token, as in BERT. Default 100.</value>
    public int MaxInputCharsPerWord { get; set; } = 100;

    /// <value>Padding token. Default "[PAD]".</value>
    public string PadToken { get; set; } = "[PAD]";

    /// <value>Unknown-piece token. Default "[UNK]".</value>
    public string UnknownToken { get; set; } = "[UNK]";

    /// <value>Sequence start token. Default "[CLS]".</value>
    public string ClassificationToken { get; set; } = "[CLS]";

    /// <value>Sequence end token. Default "[SEP]".</value>
    public string SeparatorToken { get; set; } = "[SEP]";

    /// <value>Masked-LM token. Default "[MASK]".</value>
    public string MaskToken { get; set; } = "[MASK]";

    /// <summary>Whether accents are stripped once <see cref="StripAccents"/> is resolved.</summary>
    public bool StripsAccents => StripAccents ?? Lowercase;

    /// <summary>The five special tokens in the order a trained vocabulary starts with.</summary>
    public IReadOnlyList<string> SpecialTokens => [PadToken, UnknownToken, ClassificationToken, SeparatorToken, MaskToken];

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A token is empty or two special tokens are the same.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxInputCharsPerWord"/> is below 1.</exception>
    public void Validate()
    {
        if (MaxInputCharsPerWord < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxInputCharsPerWord), MaxInputCharsPerWord, "MaxInputCharsPerWord must be at least 1.");
        var tokens = SpecialTokens;
        if (tokens.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Special tokens must not be empty.", nameof(SpecialTokens));
        if (tokens.Distinct(StringComparer.Ordinal).Count() != tokens.Count)
            throw new ArgumentException($"Special tokens must be distinct (were {string.Join(", ", tokens)}).", nameof(SpecialTokens));
    }

    internal WordPieceTokenizerOptions Clone() => (WordPieceTokenizerOptions)MemberwiseClone();
}
