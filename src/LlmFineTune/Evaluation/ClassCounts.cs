namespace LlmFineTune.Evaluation;

/// <summary>
/// Per-class true-positive, false-positive and false-negative counts, and the precision / recall / F1
/// figures and averages derived from them. Undefined ratios count as 0 (scikit-learn's zero_division=0).
/// </summary>
internal sealed class ClassCounts
{
    private readonly long[] truePositives;
    private readonly long[] falsePositives;
    private readonly long[] falseNegatives;

    /// <param name="classes">The number of classes.</param>
    /// <param name="averageOverSeenOnly">
    /// Macro averages run over the classes that occur in the targets or the predictions (scikit-learn's rule for
    /// single-label data) instead of over every class (its rule for multi-label indicator data).
    /// </param>
    public ClassCounts(int classes, bool averageOverSeenOnly)
    {
        truePositives = new long[classes];
        falsePositives = new long[classes];
        falseNegatives = new long[classes];
        AverageOverSeenOnly = averageOverSeenOnly;
    }

    public int Classes => truePositives.Length;

    public bool AverageOverSeenOnly { get; }

    /// <summary>Single-label counts from a confusion matrix (rows true, columns predicted).</summary>
    public static ClassCounts FromConfusion(long[,] confusion)
    {
        int k = confusion.GetLength(0);
        var counts = new ClassCounts(k, averageOverSeenOnly: true);
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
                counts.Add(t, p, confusion[t, p]);
        return counts;
    }

    /// <summary>Records <paramref name="times"/> single-label examples of class <paramref name="target"/> predicted as <paramref name="predicted"/>.</summary>
    public void Add(int target, int predicted, long times = 1)
    {
        if (target == predicted)
        {
            truePositives[target] += times;
            return;
        }
        falseNegatives[target] += times;
        falsePositives[predicted] += times;
    }

    /// <summary>Records one label decision of a multi-label example.</summary>
    public void AddDecision(int label, bool actual, bool predicted)
    {
        if (actual && predicted) truePositives[label]++;
        else if (actual) falseNegatives[label]++;
        else if (predicted) falsePositives[label]++;
    }

    public long Support(int c) => truePositives[c] + falseNegatives[c];

    public long PredictedCount(int c) => truePositives[c] + falsePositives[c];

    public double Precision(int c) => Ratio(truePositives[c], PredictedCount(c));

    public double Recall(int c) => Ratio(truePositives[c], Support(c));

    public double F1(int c) => Ratio(2 * truePositives[c], 2 * truePositives[c] + falsePositives[c] + falseNegatives[c]);

    public double MacroPrecision => Macro(Precision);

    public double MacroRecall => Macro(Recall);

    public double MacroF1 => Macro(F1);

    public double MicroPrecision => Ratio(truePositives.Sum(), truePositives.Sum() + falsePositives.Sum());

    public double MicroRecall => Ratio(truePositives.Sum(), truePositives.Sum() + falseNegatives.Sum());

    public double MicroF1
    {
        get
        {
            long tp = truePositives.Sum();
            return Ratio(2 * tp, 2 * tp + falsePositives.Sum() + falseNegatives.Sum());
        }
    }

    public double WeightedPrecision => Weighted(Precision);

    public double WeightedRecall => Weighted(Recall);

    public double WeightedF1 => Weighted(F1);

    /// <summary>Single-label accuracy: correct over all examples.</summary>
    public double Accuracy => Ratio(truePositives.Sum(), truePositives.Sum() + falseNegatives.Sum());

    /// <summary>Mean recall over the classes that occur in the targets; a class the test set lacks has no recall to average.</summary>
    public double BalancedAccuracy
    {
        get
        {
            double sum = 0;
            int seen = 0;
            for (int c = 0; c < Classes; c++)
            {
                if (Support(c) == 0) continue;
                sum += Recall(c);
                seen++;
            }
            return seen == 0 ? double.NaN : sum / seen;
        }
    }

    private double Macro(Func<int, double> metric)
    {
        double sum = 0;
        int used = 0;
        for (int c = 0; c < Classes; c++)
        {
            if (AverageOverSeenOnly && Support(c) == 0 && PredictedCount(c) == 0) continue;
            sum += metric(c);
            used++;
        }
        return used == 0 ? 0 : sum / used;
    }

    private double Weighted(Func<int, double> metric)
    {
        double sum = 0;
        long total = 0;
        for (int c = 0; c < Classes; c++)
        {
            sum += Support(c) * metric(c);
            total += Support(c);
        }
        return total == 0 ? 0 : sum / total;
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
