using LlmFineTune.Data;

namespace LlmFineTune.Evaluation;

/// <summary>
/// The metrics that get bootstrap intervals and can be compared between models. Each task kind has one function
/// that recomputes all of them from the stored per-example predictions on a set of example indices (a resample,
/// or every example), sharing the per-class counts between metrics and the per-example terms between resamples.
/// </summary>
internal static class HeadlineMetrics
{
    private static readonly string[] SingleLabel = [MetricNames.Accuracy, MetricNames.BalancedAccuracy, MetricNames.MacroF1, MetricNames.WeightedF1, MetricNames.LogLoss];
    private static readonly string[] MultiLabel = [MetricNames.SubsetAccuracy, MetricNames.HammingLoss, MetricNames.MicroF1, MetricNames.MacroF1];
    private static readonly string[] Regression = [MetricNames.Mse, MetricNames.Mae, MetricNames.R2];

    /// <summary>The headline metric names of a task kind, in the order <see cref="Prepare"/>'s results use.</summary>
    public static string[] Names(TaskKind kind) => kind switch
    {
        TaskKind.SingleLabel => SingleLabel,
        TaskKind.MultiLabel => MultiLabel,
        _ => Regression,
    };

    /// <summary>A function from example indices to every headline metric of <paramref name="kind"/> over those examples.</summary>
    public static Func<int[], double[]> Prepare(TaskKind kind, ExamplePredictions examples, int classes) => kind switch
    {
        TaskKind.SingleLabel => PrepareSingleLabel(examples, classes),
        TaskKind.MultiLabel => PrepareMultiLabel(examples, classes),
        _ => PrepareRegression(examples),
    };

    /// <summary>One headline metric over every example.</summary>
    public static double Compute(TaskKind kind, string name, ExamplePredictions examples, int classes) =>
        Prepare(kind, examples, classes)(All(examples.Count))[Array.IndexOf(Names(kind), name)];

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
        var names = Names(kind);
        var intervals = Bootstrap.Intervals(examples.Count, names.Length, Prepare(kind, examples, classes), samples, confidenceLevel, seed);
        var result = new Dictionary<string, ConfidenceInterval>(StringComparer.Ordinal);
        for (int m = 0; m < names.Length; m++) result[names[m]] = intervals[m];
        return result;
    }

    /// <summary>−log p of the true class, with p clipped at 1e-15 so a confident miss costs a finite 34.5.</summary>
    public static double LogLossTerm(float targetProbability) => -Math.Log(Math.Clamp(targetProbability, 1e-15, 1.0));

    private static Func<int[], double[]> PrepareSingleLabel(ExamplePredictions e, int classes)
    {
        var targets = e.Target!;
        var predicted = e.Predicted!;
        var logTerms = e.TargetProbability!.Select(LogLossTerm).ToArray();
        return indices =>
        {
            var counts = new ClassCounts(classes, averageOverSeenOnly: true);
            double logLoss = 0;
            foreach (int i in indices)
            {
                counts.Add(targets[i], predicted[i]);
                logLoss += logTerms[i];
            }
            return [counts.Accuracy, counts.BalancedAccuracy, counts.MacroF1, counts.WeightedF1, logLoss / indices.Length];
        };
    }

    private static Func<int[], double[]> PrepareMultiLabel(ExamplePredictions e, int labels)
    {
        // Per example: the labels it got right, the ones it added and the ones it missed.
        int n = e.Count;
        var hits = new int[n][];
        var extra = new int[n][];
        var missed = new int[n][];
        for (int i = 0; i < n; i++)
        {
            var actual = e.TargetLabels![i];
            var chosen = e.PredictedLabels![i];
            hits[i] = actual.Intersect(chosen).ToArray();
            extra[i] = chosen.Except(actual).ToArray();
            missed[i] = actual.Except(chosen).ToArray();
        }
        return indices =>
        {
            var counts = new ClassCounts(labels, averageOverSeenOnly: false);
            long exact = 0, wrong = 0;
            foreach (int i in indices)
            {
                foreach (int l in hits[i]) counts.AddDecision(l, actual: true, predicted: true);
                foreach (int l in extra[i]) counts.AddDecision(l, actual: false, predicted: true);
                foreach (int l in missed[i]) counts.AddDecision(l, actual: true, predicted: false);
                int errors = extra[i].Length + missed[i].Length;
                wrong += errors;
                if (errors == 0) exact++;
            }
            return [(double)exact / indices.Length, (double)wrong / ((double)indices.Length * labels), counts.MicroF1, counts.MacroF1];
        };
    }

    private static Func<int[], double[]> PrepareRegression(ExamplePredictions e)
    {
        var targets = e.TargetValue!;
        var predicted = e.PredictedValue!;
        return indices =>
        {
            double squared = 0, absolute = 0, sum = 0;
            foreach (int i in indices)
            {
                double error = predicted[i] - (double)targets[i];
                squared += error * error;
                absolute += Math.Abs(error);
                sum += targets[i];
            }
            double mean = sum / indices.Length, total = 0;
            foreach (int i in indices) total += (targets[i] - mean) * (targets[i] - mean);
            // R² when the targets do not vary: 1 for a perfect fit and 0 otherwise (scikit-learn's force_finite).
            double r2 = total == 0 ? (squared == 0 ? 1 : 0) : 1 - squared / total;
            return [squared / indices.Length, absolute / indices.Length, r2];
        };
    }
}
