using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using static TorchSharp.torch;

namespace LlmFineTune.Evaluation;

/// <summary>
/// Builds an <see cref="EvaluationReport"/> from collated batches that the caller has already run through the model,
/// so a caller that needs more from the forward pass (the trainer's validation loss) reads the set once.
/// </summary>
/// <remarks>
/// The targets come from the batch (the collator has mapped labels to the model's ids and rejected unknown ones),
/// so nothing is skipped. The report carries no per-example predictions or bootstrap intervals.
/// </remarks>
internal sealed class BatchAccumulator
{
    private readonly TextClassifier model;
    private readonly EvaluationOptions options;
    private readonly SingleLabelAccumulator? single;
    private readonly MultiLabelAccumulator? multi;
    private readonly RegressionAccumulator? regression;
    private int count;

    public BatchAccumulator(TextClassifier model, EvaluationOptions options)
    {
        this.model = model;
        this.options = options;
        switch (model.Head.Kind)
        {
            case TaskKind.SingleLabel: single = new SingleLabelAccumulator(model.Labels.Count, options.TopK, options.CalibrationBins); break;
            case TaskKind.MultiLabel: multi = new MultiLabelAccumulator(Evaluator.Thresholds(options, model.Labels)); break;
            default: regression = new RegressionAccumulator(); break;
        }
    }

    /// <summary>Adds a batch.</summary>
    /// <param name="scores">The head's scores of the batch (<see cref="ITaskHead.Scores"/>), <c>[rows, outputs]</c> or <c>[rows]</c>.</param>
    /// <param name="batch">The batch, with its labels or targets.</param>
    public void Add(Tensor scores, Batch batch)
    {
        var values = scores.contiguous().data<float>().ToArray();
        if (single is not null)
        {
            single.Add(values, batch.Labels!.data<long>().ToArray().Select(l => (int)l).ToArray());
        }
        else if (multi is not null)
        {
            int labels = model.Labels.Count;
            var hot = batch.Targets!.contiguous().data<float>().ToArray();
            var targets = new IReadOnlyList<int>[batch.Count];
            for (int r = 0; r < targets.Length; r++)
                targets[r] = [.. Enumerable.Range(0, labels).Where(c => hot[r * labels + c] > 0.5f)];
            multi.Add(values, targets);
        }
        else
        {
            var targets = batch.Targets!.data<float>().ToArray();
            if (targets.Any(float.IsNaN))
                throw new InvalidDataException("A regression example of the evaluation set has no Value.");
            regression!.Add(values, targets);
        }
        count += batch.Count;
    }

    /// <summary>The report of every batch added.</summary>
    /// <exception cref="InvalidOperationException">No batch was added.</exception>
    public EvaluationReport ToReport()
    {
        if (count == 0) throw new InvalidOperationException("No batch was added to evaluate.");
        return single?.ToReport(model.Labels, options, skipped: 0)
            ?? multi?.ToReport(model.Labels, options, skipped: 0)
            ?? regression!.ToReport(options, skipped: 0);
    }
}
