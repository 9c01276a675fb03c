namespace LlmFineTune.Training;

/// <summary>
/// A training task that can measure itself (for example validation loss and accuracy, or
/// perplexity for pretraining). The trainer calls it at the evaluation interval, with the module in
/// eval mode, under no-grad and inside a dispose scope, and restores train mode afterwards.
/// </summary>
public interface IEvaluatingTask : ITrainingTask
{
    /// <summary>Measures the module now.</summary>
    /// <returns>Metrics by name (for example <c>loss</c>, <c>accuracy</c>, <c>perplexity</c>); <see cref="TrainerOptions.MetricForBestModel"/> picks one.</returns>
    IReadOnlyDictionary<string, double> Evaluate();
}
