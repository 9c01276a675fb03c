namespace LlmFineTune.Serving;

/// <summary>Marks a classifier name registered with <c>AddTextClassifier</c>, so that the loader finds every one.</summary>
internal sealed record ServedClassifier(string Name);
