using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using static TorchSharp.torch;

namespace LlmFineTune.Training;

/// <summary>
/// The evaluation hook for fine-tuning: validation loss (computed here, example-weighted) plus the
/// <see cref="Evaluator"/>'s metrics. The trainer calls it in eval mode under no-grad.
/// </summary>
/// <remarks>
/// To switch to the full evaluator: replace the accuracy line with one entry per metric name of
/// <c>EvaluationReport.GetMetric</c> (for example accuracy, macroF1, logLoss).
/// </remarks>
internal sealed class ClassifierValidation(TextClassifier model, ITextDataset validation, int batchSize)
{
    public IReadOnlyDictionary<string, double> Evaluate()
    {
        double lossSum = 0;
        int[] order = Enumerable.Range(0, validation.Count).ToArray();
        foreach (var batch in ClassifierTrainingTask.Chunks(model, validation, order, batchSize, skip: 0))
        {
            using var scope = NewDisposeScope();
            using var owned = batch;
            var logits = model.Network.call(owned.InputIds, owned.AttentionMask);
            lossSum += model.Head.Loss(logits, owned).item<float>() * owned.Count;
        }
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["loss"] = lossSum / validation.Count };
        if (model.Head.Kind == TaskKind.SingleLabel)
            metrics["accuracy"] = new Evaluator(batchSize).Evaluate(model, validation).Accuracy;
        return metrics;
    }
}
