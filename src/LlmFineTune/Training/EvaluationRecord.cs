namespace LlmFineTune.Training;

/// <summary>One evaluation during training.</summary>
/// <param name="Step">Optimizer steps taken when it ran.</param>
/// <param name="Epoch">The epoch it ran in.</param>
/// <param name="Metrics">The metrics by name.</param>
public sealed record EvaluationRecord(int Step, int Epoch, IReadOnlyDictionary<string, double> Metrics);
