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

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Buckets is < 1 or > 1 << 26)
            throw new ArgumentOutOfRangeException(nameof(Buckets), Buckets, "Buckets must be between 1 and 67,108,864.");
        if (WordNgrams is < 1 or > 5)
            throw new ArgumentOutOfRangeException(nameof(WordNgrams), WordNgrams, "WordNgrams must be between 1 and 5.");
        if (MinCharNgram < 0 || MaxCharNgram < MinCharNgram || MaxCharNgram > 8 || (MinCharNgram == 0) != (MaxCharNgram == 0))
            throw new ArgumentOutOfRangeException(nameof(MinCharNgram), $"MinCharNgram..MaxCharNgram must both be 0 or satisfy 1 <= Min <= Max <= 8 (was {MinCharNgram}..{MaxCharNgram}).");
    }
}
