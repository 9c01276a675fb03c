using LlmFineTune.Data;

namespace LlmFineTune.Evaluation;

/// <summary>
/// The metrics that get bootstrap intervals and can be compared between models: each is recomputed from the
/// stored per-example predictions on a set of example indices (a resample, or every example).
/// </summary>
internal static class HeadlineMetrics
{
    /// <summary>A metric over the examples at <c>indices</c>, given the number of classes.</summary>
    public delegate double Statistic(ExamplePredictions examples, int classes, int[] indices);

    private static readonly (string Name, Statistic Compute)[] SingleLabel =
    [
        (MetricNames.Accuracy, (e, k, ix) => SingleLabelCounts(e, k, ix).Accuracy),
        (MetricNames.BalancedAccuracy, (e, k, ix) => SingleLabelCounts(e, k, ix).BalancedAccuracy),
        (MetricNames.MacroF1, (e, k, ix) => SingleLabelCounts(e, k, ix).MacroF1),
        (MetricNames.WeightedF1, (e, k, ix) => SingleLabelCounts(e, k, ix).WeightedF1),
        (MetricNames.LogLoss, (e, _, ix) => ix.Average(i => LogLossTerm(e.TargetProbability![i]))),
    ];

    private static readonly (string Name, Statistic Compute)[] MultiLabel =
    [
        (MetricNames.SubsetAccuracy, (e, _, ix) => ix.Average(i => SameSet(e.TargetLabels![i], e.PredictedLabels![i]) ? 1.0 : 0.0)),
        (MetricNames.HammingLoss, (e, k, ix) => ix.Sum(i => SymmetricDifference(e.TargetLabels![i], e.PredictedLabels![i])) / ((double)ix.Length * k)),
        (MetricNames.MicroF1, (e, k, ix) => MultiLabelCounts(e, k, ix).MicroF1),
        (MetricNames.MacroF1, (e, k, ix) => MultiLabelCounts(e, k, ix).MacroF1),
    ];

    private static readonly (string Name, Statistic Compute)[] Regression =
    [
        (MetricNames.Mse, (e, _, ix) => ix.Average(i => Square(e.PredictedValue![i] - (double)e.TargetValue![i]))),
        (MetricNames.Mae, (e, _, ix) => ix.Average(i => Math.Abs(e.PredictedValue![i] - (double)e.TargetValue![i]))),
        (MetricNames.R2, (e, _, ix) => RSquared(e, ix)),
    ];

    /// <summary>The headline metrics of a task kind, in report order.</summary>
    public static IReadOnlyList<(string Name, Statistic Compute)> For(TaskKind kind) => kind switch
    {
        TaskKind.SingleLabel => SingleLabel,
        TaskKind.MultiLabel => MultiLabel,
        _ => Regression,
    };

    /// <summary>A headline metric over every example.</summary>
    public static double Compute(TaskKind kind, string name, ExamplePredictions examples, int classes) =>
        For(kind).First(m => m.Name == name).Compute(examples, classes, All(examples.Count));

    /// <summary>The identity index set 0..count-1.</summary>
    public static int[] All(int count)
    {
        var all = new int[count];
        for (int i = 0; i < count; i++) all[i] = i;
        return all;
    }

    /// <summary>Bootstrap intervals for every headline metric of <paramref name="kind"/>.</summary>
    public static Dictionary<string, ConfidenceInterval> Intervals(TaskKind kind, ExamplePredictions examples, int classes, int samples, double confidenceLevel, int seed)
    {
        var metrics = For(kind);
        var intervals = Bootstrap.Intervals(
            examples.Count,
            metrics.Select(m => (Func<int[], double>)(ix => m.Compute(examples, classes, ix))).ToList(),
            samples, confidenceLevel, seed);
        var result = new Dictionary<string, ConfidenceInterval>(StringComparer.Ordinal);
        for (int m = 0; m < metrics.Count; m++) result[metrics[m].Name] = intervals[m];
        return result;
    }

    /// <summary>−log p of the true class, with p clipped at 1e-15 so a confident miss costs a finite 34.5.</summary>
    public static double LogLossTerm(float targetProbability) => -Math.Log(Math.Clamp(targetProbability, 1e-15, 1.0));

    /// <summary>R² = 1 − SSres/SStot; when the targets do not vary, 1 for a perfect fit and 0 otherwise (scikit-learn's force_finite).</summary>
    public static double RSquared(ExamplePredictions e, int[] indices)
    {
        double mean = indices.Average(i => (double)e.TargetValue![i]);
        double residual = indices.Sum(i => Square(e.TargetValue![i] - (double)e.PredictedValue![i]));
        double total = indices.Sum(i => Square(e.TargetValue![i] - mean));
        if (total == 0) return residual == 0 ? 1 : 0;
        return 1 - residual / total;
    }

    private static ClassCounts SingleLabelCounts(ExamplePredictions e, int classes, int[] indices)
    {
        var counts = new ClassCounts(classes, averageOverSeenOnly: true);
        foreach (int i in indices) counts.Add(e.Target![i], e.Predicted![i]);
        return counts;
    }

    private static ClassCounts MultiLabelCounts(ExamplePredictions e, int classes, int[] indices)
    {
        var counts = new ClassCounts(classes, averageOverSeenOnly: false);
        var actual = new bool[classes];
        var predicted = new bool[classes];
        foreach (int i in indices)
        {
            Array.Clear(actual);
            Array.Clear(predicted);
            foreach (int l in e.TargetLabels![i]) actual[l] = true;
            foreach (int l in e.PredictedLabels![i]) predicted[l] = true;
            for (int l = 0; l < classes; l++) counts.AddDecision(l, actual[l], predicted[l]);
        }
        return counts;
    }

    private static bool SameSet(IReadOnlyList<int> a, IReadOnlyList<int> b) => SymmetricDifference(a, b) == 0;

    private static int SymmetricDifference(IReadOnlyList<int> a, IReadOnlyList<int> b) =>
        a.Count(x => !b.Contains(x)) + b.Count(x => !a.Contains(x));

    private static double Square(double x) => x * x;
}
