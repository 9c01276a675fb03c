namespace LlmFineTune.Data;

/// <summary>A labeled text dataset: examples plus the label set that gives each class its id.</summary>
/// <remarks>Implement it to feed examples from your own store; <see cref="TextDataset"/> builds the common ones.</remarks>
public interface ITextDataset : IReadOnlyList<TextExample>
{
    /// <summary>The kind of target every example carries.</summary>
    TaskKind Kind { get; }

    /// <summary>The classes and their ids (empty for regression).</summary>
    LabelMap LabelMap { get; }
}
