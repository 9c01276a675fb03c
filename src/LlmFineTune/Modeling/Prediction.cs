namespace LlmFineTune.Modeling;

/// <summary>A classifier's answer for one text.</summary>
/// <param name="Label">The most likely class (for multi-label, the top class; see <see cref="Scores"/>).</param>
/// <param name="Score">The score of <paramref name="Label"/>.</param>
/// <param name="Scores">Every class's score, in label-id order.</param>
public sealed record Prediction(string Label, float Score, IReadOnlyDictionary<string, float> Scores);
