using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using static TorchSharp.torch;

namespace LlmFineTune.Training;

/// <summary>
/// The evaluation hook for fine-tuning: validation loss (example-weighted) plus the <see cref="Evaluator"/>'s
/// metrics, both from one pass over the validation set. The trainer calls it in eval mode under no-grad.
/// </summary>
/// <remarks>
/// Every metric the report has is offered under its <see cref="EvaluationReport.GetMetric"/> name
/// (accuracy, macroF1, logLoss, mse, …), so any of them can drive early stopping. Bootstrap
/// intervals are skipped: they cost seconds and nothing in the loop reads them. Scores are the head's
/// without a temperature: the trainer resets it to 1 before training.
/// </remarks>
internal sealed class ClassifierValidation(TextClassifier model, ITextDataset validation, TrainerOptions options)
{
    // built once per run: the batcher measures every text's length, and the evaluator's settings never change
    private readonly DatasetBatcher batcher = new(validation, model.Collator, model.Labels, options.BatchSize, bucketByLength: true, options.PrefetchBatches);
    private readonly EvaluationOptions evaluation = new() { BatchSize = options.BatchSize, BootstrapSamples = 0, KeepExamples = false };

    public IReadOnlyDictionary<string, double> Evaluate()
    {
        double lossSum = 0;
        var accumulator = new BatchAccumulator(model, evaluation);
        foreach (var batch in batcher.Batches(epoch: 1, seed: 0))
        {
            using var scope = NewDisposeScope();
            using var owned = batch;
            var logits = model.Network.call(owned.InputIds, owned.AttentionMask);
            lossSum += model.Head.Loss(logits, owned).item<float>() * owned.Count;
            accumulator.Add(model.Head.Scores(logits), owned);
        }
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["loss"] = lossSum / validation.Count };
        var report = accumulator.ToReport();
        foreach (string name in report.AvailableMetrics)
            metrics.TryAdd(name, report.GetMetric(name));
        return metrics;
    }
}
