using LlmFineTune.Data;
using LlmFineTune.Modeling;

namespace LlmFineTune.Evaluation;

/// <summary>Measures a classifier on a labeled dataset, batch by batch.</summary>
public sealed class Evaluator
{
    /// <summary>Creates an evaluator.</summary>
    /// <param name="batchSize">Texts per forward pass. Default 64.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1.</exception>
    public Evaluator(int batchSize = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        BatchSize = batchSize;
    }

    /// <summary>Texts per forward pass.</summary>
    public int BatchSize { get; }

    /// <summary>Evaluates a single-label classifier.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="test">The test set.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The test set is empty.</exception>
    public EvaluationReport Evaluate(TextClassifier model, ITextDataset test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        if (test.Count == 0)
            throw new ArgumentException("The test set is empty.", nameof(test));
        int correct = 0;
        for (int start = 0; start < test.Count; start += BatchSize)
        {
            var chunk = Enumerable.Range(start, Math.Min(BatchSize, test.Count - start)).Select(i => test[i]).ToList();
            var predictions = model.PredictBatch(chunk.Select(e => e.Text).ToList());
            correct += chunk.Zip(predictions).Count(p => p.First.Label == p.Second.Label);
        }
        return new EvaluationReport(test.Count, (double)correct / test.Count);
    }
}
