namespace LlmFineTune.Tokenization;

/// <summary>Settings of <see cref="WordPieceTrainer"/>.</summary>
public sealed class WordPieceTrainerOptions
{
    /// <value>Size of the vocabulary to learn, special tokens and alphabet included. Default 30,000.</value>
    public int VocabularySize { get; set; } = 30_000;

    /// <value>A pair of pieces must occur at least this often (counting word frequencies) to be merged. Default 2.</value>
    public int MinFrequency { get; set; } = 2;

    /// <value>Most distinct characters to keep (the most frequent); rarer characters become [UNK]. Null keeps all. Default 1,000.</value>
    public int? LimitAlphabet { get; set; } = 1000;

    /// <value>Extra special tokens placed after the five standard ones (e.g. "[unused0]"). Default none.</value>
    public IList<string> AdditionalSpecialTokens { get; set; } = [];

    /// <value>Normalization and the five special tokens; the trained tokenizer uses the same. Default bert-base-uncased's.</value>
    public WordPieceTokenizerOptions Tokenizer { get; set; } = new();

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range.</exception>
    /// <exception cref="ArgumentException">A special token is empty or repeated.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Tokenizer, nameof(Tokenizer));
        ArgumentNullException.ThrowIfNull(AdditionalSpecialTokens, nameof(AdditionalSpecialTokens));
        Tokenizer.Validate();
        int specials = Tokenizer.SpecialTokens.Count + AdditionalSpecialTokens.Count;
        if (VocabularySize <= specials)
            throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize, $"VocabularySize must exceed the {specials} special tokens.");
        if (MinFrequency < 1)
            throw new ArgumentOutOfRangeException(nameof(MinFrequency), MinFrequency, "MinFrequency must be at least 1.");
        if (LimitAlphabet is < 1)
            throw new ArgumentOutOfRangeException(nameof(LimitAlphabet), LimitAlphabet, "LimitAlphabet must be at least 1, or null for no limit.");
        var all = Tokenizer.SpecialTokens.Concat(AdditionalSpecialTokens).ToArray();
        if (all.Any(t => string.IsNullOrWhiteSpace(t) || t.Any(char.IsWhiteSpace)))
            throw new ArgumentException("Special tokens must be non-empty and contain no white space.", nameof(AdditionalSpecialTokens));
        if (all.Distinct(StringComparer.Ordinal).Count() != all.Length)
            throw new ArgumentException($"Special tokens must be distinct (were {string.Join(", ", all)}).", nameof(AdditionalSpecialTokens));
    }
}
