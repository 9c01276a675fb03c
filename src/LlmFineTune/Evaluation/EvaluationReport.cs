namespace LlmFineTune.Evaluation;

/// <summary>How well a classifier did on a labeled dataset.</summary>
/// <param name="Count">Examples evaluated.</param>
/// <param name="Accuracy">Fraction predicted correctly.</param>
public sealed record EvaluationReport(int Count, double Accuracy);
