namespace LlmFineTune.Data;

/// <summary>How readers treat bytes that are not valid UTF-8.</summary>
public enum TextEncodingPolicy
{
    /// <summary>Invalid UTF-8 is an error of the record (the default).</summary>
    Strict,

    /// <summary>Invalid bytes become U+FFFD and the record is kept.</summary>
    Replace,
}
