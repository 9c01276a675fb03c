namespace LlmFineTune.Modeling;

/// <summary>A regression model's answer for one text.</summary>
/// <param name="Value">The predicted value.</param>
public sealed record RegressionPrediction(float Value);
