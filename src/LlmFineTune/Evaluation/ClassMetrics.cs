namespace LlmFineTune.Evaluation;

/// <summary>One class's (or, for multi-label tasks, one label's) figures.</summary>
/// <param name="Label">The class name.</param>
/// <param name="Precision">Correct predictions of this class over all predictions of it; 0 when it was never predicted.</param>
/// <param name="Recall">Correct predictions of this class over its examples; 0 when it has none.</param>
/// <param name="F1">Harmonic mean of precision and recall; 0 when both are 0.</param>
/// <param name="Support">Test examples that carry this class.</param>
/// <param name="Predicted">Test examples the model assigned to this class.</param>
/// <param name="RocAuc">Area under the one-vs-rest ROC curve; NaN when the test set has no positives or no negatives for this class.</param>
/// <param name="Threshold">The decision threshold (multi-label tasks only).</param>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, long Support, long Predicted, double RocAuc, double? Threshold = null);
