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

    /// <summary>Checks every setting, as DI does at start-up.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is invalid; the message names each one.</exception>
    public void Validate() => Validation.OptionsValidation.ThrowIfInvalid(WordPieceTrainerOptionsValidator.Instance, this);
}
