using LlmFineTune.Data;
using LlmFineTune.Evaluation;

namespace LlmFineTune.Tests.Evaluation;

/// <summary>Small hand-checkable prediction sets, fed straight into the accumulators (no torch).</summary>
internal static class MetricFixtures
{
    public static readonly LabelMap ThreeClasses = new(["a", "b", "c"]);

    public static readonly LabelMap FourClasses = new(["sports", "finance", "space", "cooking"]);

    /// <summary>
    /// Six examples, two per class. Predictions: a→a, a→b, b→b, b→c, c→c, c→c, so the confusion matrix is
    /// [[1,1,0],[0,1,1],[0,0,2]]. No probability sits on a calibration-bin edge.
    /// </summary>
    public static readonly float[] SixProbabilities =
    [
        0.75f, 0.15f, 0.10f,
        0.10f, 0.55f, 0.35f,
        0.25f, 0.65f, 0.10f,
        0.05f, 0.30f, 0.65f,
        0.05f, 0.10f, 0.85f,
        0.30f, 0.25f, 0.45f,
    ];

    public static readonly int[] SixTargets = [0, 0, 1, 1, 2, 2];

    public static EvaluationOptions Options(int bootstrapSamples = 200, int topK = 2, int seed = 0) =>
        new() { BootstrapSamples = bootstrapSamples, TopK = topK, Seed = seed };

    public static EvaluationReport SingleLabel(float[] probabilities, int[] targets, LabelMap? labels = null, EvaluationOptions? options = null, int batch = 4)
    {
        labels ??= ThreeClasses;
        options ??= Options();
        var accumulator = new SingleLabelAccumulator(labels.Count, options.TopK, options.CalibrationBins);
        // Feed in several batches, as the evaluator does, so the accumulation across batches is exercised.
        for (int start = 0; start < targets.Length; start += batch)
        {
            int rows = Math.Min(batch, targets.Length - start);
            accumulator.Add(probabilities.AsSpan(start * labels.Count, rows * labels.Count), targets.AsSpan(start, rows));
        }
        return accumulator.ToReport(labels, options, skipped: 0);
    }

    /// <summary>One-hot-ish rows that put <paramref name="confidence"/> on each predicted class.</summary>
    public static float[] Rows(int classes, int[] predicted, float confidence = 0.8f)
    {
        var rows = new float[predicted.Length * classes];
        for (int i = 0; i < predicted.Length; i++)
            for (int c = 0; c < classes; c++)
                rows[i * classes + c] = c == predicted[i] ? confidence : (1 - confidence) / (classes - 1);
        return rows;
    }
}
