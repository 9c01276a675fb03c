using LlmFineTune.Data;

namespace LlmFineTune.Evaluation;

/// <summary>
/// Accumulates multi-label metrics batch by batch from per-label probabilities and true label sets, deciding each
/// label at its own threshold. Keeps per example the true and predicted label ids and the label scores ROC-AUC needs.
/// </summary>
internal sealed class MultiLabelAccumulator
{
    private readonly double[] thresholds;
    private readonly ClassCounts counts;
    private readonly List<IReadOnlyList<int>> targets = [];
    private readonly List<IReadOnlyList<int>> predicted = [];
    private readonly List<float>[] labelScores;

    public MultiLabelAccumulator(double[] thresholds)
    {
        this.thresholds = thresholds;
        counts = new ClassCounts(thresholds.Length, averageOverSeenOnly: false);
        labelScores = new List<float>[thresholds.Length];
        for (int l = 0; l < thresholds.Length; l++) labelScores[l] = [];
    }

    public int Count => targets.Count;

    /// <summary>Adds a batch.</summary>
    /// <param name="probabilities">Row-major <c>[rows, labels]</c> probabilities.</param>
    /// <param name="batchTargets">The true label ids of each row.</param>
    public void Add(ReadOnlySpan<float> probabilities, IReadOnlyList<IReadOnlyList<int>> batchTargets)
    {
        int labels = thresholds.Length;
        if (probabilities.Length != batchTargets.Count * labels)
            throw new ArgumentException($"Expected {batchTargets.Count} rows of {labels} probabilities, got {probabilities.Length} values.", nameof(probabilities));
        var actual = new bool[labels];
        for (int r = 0; r < batchTargets.Count; r++)
        {
            Array.Clear(actual);
            foreach (int l in batchTargets[r])
            {
                if ((uint)l >= (uint)labels)
                    throw new ArgumentOutOfRangeException(nameof(batchTargets), l, $"Label id {l} is outside [0, {labels - 1}].");
                actual[l] = true;
            }
            var chosen = new List<int>();
            for (int l = 0; l < labels; l++)
            {
                float p = probabilities[r * labels + l];
                bool yes = p >= thresholds[l];
                if (yes) chosen.Add(l);
                counts.AddDecision(l, actual[l], yes);
                labelScores[l].Add(p);
            }
            targets.Add(batchTargets[r].Distinct().Order().ToArray());
            predicted.Add(chosen.ToArray());
        }
    }

    public EvaluationReport ToReport(LabelMap labelMap, EvaluationOptions options, int skipped)
    {
        int labels = thresholds.Length;
        var examples = new ExamplePredictions { TargetLabels = targets.ToArray(), PredictedLabels = predicted.ToArray() };
        var perClass = new ClassMetrics[labels];
        var auc = new double[labels];
        for (int l = 0; l < labels; l++)
        {
            int label = l;
            auc[l] = RocAuc.Compute(labelScores[l], i => targets[i].Contains(label));
            perClass[l] = new ClassMetrics(labelMap[l], counts.Precision(l), counts.Recall(l), counts.F1(l), counts.Support(l), counts.PredictedCount(l), auc[l], thresholds[l]);
        }
        double subset = HeadlineMetrics.Compute(TaskKind.MultiLabel, MetricNames.SubsetAccuracy, examples, labels);
        return new EvaluationReport
        {
            Task = TaskKind.MultiLabel,
            Count = Count,
            Skipped = skipped,
            Labels = labelMap.ToArray(),
            Accuracy = subset,
            SubsetAccuracy = subset,
            HammingLoss = HeadlineMetrics.Compute(TaskKind.MultiLabel, MetricNames.HammingLoss, examples, labels),
            RocAuc = RocAuc.MacroAverage(auc),
            PerClass = perClass,
            Examples = options.KeepExamples ? examples : null,
        }.WithAverages(counts).WithIntervals(examples, labels, options);
    }
}
