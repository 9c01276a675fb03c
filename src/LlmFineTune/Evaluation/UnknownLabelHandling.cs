namespace LlmFineTune.Evaluation;

/// <summary>What <see cref="Evaluator"/> does with a test example whose label the model does not know.</summary>
public enum UnknownLabelHandling
{
    /// <summary>Stop with an error that names the example's source and the label.</summary>
    Throw,

    /// <summary>Leave the example out and count it in <see cref="EvaluationReport.Skipped"/>.</summary>
    Skip,
}
