namespace LlmFineTune.Data;

/// <summary>Why a record of a data file is invalid (and, when the caller allows it, skipped).</summary>
public enum SkipReason
{
    /// <summary>The bytes are not valid UTF-8.</summary>
    InvalidEncoding,

    /// <summary>A required column or field is absent.</summary>
    MissingField,

    /// <summary>The text is empty or only white space.</summary>
    EmptyText,

    /// <summary>A row has a different number of fields than the header.</summary>
    RaggedRow,

    /// <summary>A label is empty or not in the label map the caller enforces.</summary>
    UnknownLabel,

    /// <summary>A regression target is not a finite number.</summary>
    InvalidValue,

    /// <summary>The record is not well-formed (bad JSON, an unclosed quote, a line too long).</summary>
    Malformed,
}
