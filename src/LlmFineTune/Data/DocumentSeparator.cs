namespace LlmFineTune.Data;

/// <summary>How a plain-text corpus file marks where one document ends.</summary>
public enum DocumentSeparator
{
    /// <summary>Documents are separated by one or more blank lines; a document may span lines.</summary>
    BlankLine,

    /// <summary>Every non-blank line is a document.</summary>
    Line,
}
