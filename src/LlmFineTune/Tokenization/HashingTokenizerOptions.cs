namespace LlmFineTune.Tokenization;

/// <summary>Settings of the <see cref="HashingTokenizer"/>.</summary>
public sealed class HashingTokenizerOptions
{
    /// <value>Hash buckets; the vocabulary size is this plus one (id 0 pads). Default 262,144.</value>
    public int Buckets { get; set; } = 1 << 18;

    /// <value>Longest word n-gram to emit (1 = words only, 2 = words and bigrams). Default 2.</value>
    public int WordNgrams { get; set; } = 2;

    /// <value>Shortest character n-gram of a word (with &lt; and &gt; marking its ends), or 0 for none. Default 0.</value>
    public int MinCharNgram { get; set; }

    /// <value>Longest character n-gram. Default 0.</value>
    public int MaxCharNgram { get; set; }

    /// <value>Whether to lower-case text first. Default true.</value>
    public bool Lowercase { get; set; } = true;

    /// <summary>Checks every setting, as DI does at start-up.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is invalid; the message names each one.</exception>
    public void Validate() => Validation.OptionsValidation.ThrowIfInvalid(HashingTokenizerOptionsValidator.Instance, this);
}
