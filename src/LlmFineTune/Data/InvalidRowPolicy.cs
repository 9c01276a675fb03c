namespace LlmFineTune.Data;

/// <summary>What a loader does with an invalid record.</summary>
public enum InvalidRowPolicy
{
    /// <summary>Throw a <see cref="InvalidDataException"/> naming the file and line (the default).</summary>
    Throw,

    /// <summary>Skip the record and count it in the <see cref="LoadReport"/>.</summary>
    Skip,
}
