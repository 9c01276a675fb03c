namespace LlmFineTune.Data;

/// <summary>
/// One labeled text. Exactly one kind of target is set, matching the dataset's <see cref="TaskKind"/>:
/// <see cref="Label"/> (single-label), <see cref="Labels"/> (multi-label) or <see cref="Value"/> (regression).
/// </summary>
public sealed record TextExample
{
    /// <summary>The text to classify.</summary>
    public required string Text { get; init; }

    /// <summary>The class name, for single-label tasks.</summary>
    public string? Label { get; init; }

    /// <summary>The class names that apply, for multi-label tasks (may be empty).</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>The numeric target, for regression tasks.</summary>
    public float? Value { get; init; }

    /// <summary>Where the example came from (for example <c>train.tsv:12</c>), used in error messages.</summary>
    public string? Source { get; init; }

    /// <summary>Creates a single-label example.</summary>
    /// <param name="text">The text.</param>
    /// <param name="label">Its class name.</param>
    /// <returns>The example.</returns>
    public static TextExample Labeled(string text, string label) => new() { Text = text, Label = label };
}
