namespace LlmFineTune.Data;

/// <summary>How <see cref="TextCorpus"/> reads plain-text files.</summary>
public sealed class TextCorpusOptions
{
    /// <value>Where documents end. Default <see cref="DocumentSeparator.BlankLine"/> (the layout of the shared corpora).</value>
    public DocumentSeparator Separator { get; set; } = DocumentSeparator.BlankLine;

    /// <value>What invalid UTF-8 is. Default <see cref="TextEncodingPolicy.Strict"/>: an error naming file:line.</value>
    public TextEncodingPolicy Encoding { get; set; } = TextEncodingPolicy.Strict;

    /// <value>
    /// Longest document in characters; a longer one is an error (a one-document-per-line file read
    /// with blank-line separation would otherwise become one huge document). Default 16 Mi.
    /// </value>
    public int MaxDocumentChars { get; set; } = 16 << 20;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (MaxDocumentChars < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxDocumentChars), MaxDocumentChars, "MaxDocumentChars must be at least 1.");
        if (!Enum.IsDefined(Separator))
            throw new ArgumentOutOfRangeException(nameof(Separator), Separator, "Separator must be BlankLine or Line.");
    }
}
