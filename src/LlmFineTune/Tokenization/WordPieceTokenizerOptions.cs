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

    /// <summary>Checks every setting, as DI does at start-up.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is invalid; the message names each one.</exception>
    public void Validate() => Validation.OptionsValidation.ThrowIfInvalid(WordPieceTokenizerOptionsValidator.Instance, this);

    internal WordPieceTokenizerOptions Clone() => (WordPieceTokenizerOptions)MemberwiseClone();
}
