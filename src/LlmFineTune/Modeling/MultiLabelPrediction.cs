namespace LlmFineTune.Modeling;

/// <summary>A multi-label classifier's answer for one text.</summary>
/// <param name="Labels">The labels whose score is above their threshold, in label-id order (may be empty).</param>
/// <param name="Scores">Every label's probability, in label-id order.</param>
public sealed record MultiLabelPrediction(IReadOnlyList<string> Labels, IReadOnlyDictionary<string, float> Scores);
