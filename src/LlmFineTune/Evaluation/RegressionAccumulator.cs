using LlmFineTune.Data;

namespace LlmFineTune.Evaluation;

/// <summary>Accumulates regression metrics batch by batch; keeps one (target, prediction) float pair per example.</summary>
internal sealed class RegressionAccumulator
{
    private readonly List<float> targets = [];
    private readonly List<float> predictions = [];

    public int Count => targets.Count;

    /// <summary>Adds a batch of predictions and their true values.</summary>
    public void Add(ReadOnlySpan<float> batchPredictions, ReadOnlySpan<float> batchTargets)
    {
        if (batchPredictions.Length != batchTargets.Length)
            throw new ArgumentException($"Expected one prediction per target ({batchTargets.Length}), got {batchPredictions.Length}. Is the head a single-output regression head?", nameof(batchPredictions));
        foreach (float t in batchTargets) targets.Add(t);
        foreach (float p in batchPredictions) predictions.Add(p);
    }

    public EvaluationReport ToReport(EvaluationOptions options, int skipped)
    {
        var examples = new ExamplePredictions { TargetValue = targets.ToArray(), PredictedValue = predictions.ToArray() };
        return new EvaluationReport
        {
            Task = TaskKind.Regression,
            Count = Count,
            Skipped = skipped,
            Accuracy = double.NaN,
            Mse = HeadlineMetrics.Compute(TaskKind.Regression, MetricNames.Mse, examples, 0),
            Mae = HeadlineMetrics.Compute(TaskKind.Regression, MetricNames.Mae, examples, 0),
            R2 = HeadlineMetrics.Compute(TaskKind.Regression, MetricNames.R2, examples, 0),
            Examples = options.KeepExamples ? examples : null,
        }.WithIntervals(examples, 0, options);
    }
}
