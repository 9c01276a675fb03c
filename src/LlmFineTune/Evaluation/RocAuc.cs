namespace LlmFineTune.Evaluation;

/// <summary>Area under the ROC curve by the rank-sum (Mann–Whitney) identity, with tied scores given their mean rank.</summary>
internal static class RocAuc
{
    /// <summary>The AUC of <paramref name="scores"/> separating positives from negatives; NaN when either group is empty.</summary>
    /// <param name="scores">One score per example.</param>
    /// <param name="positive">Whether each example is a positive.</param>
    public static double Compute(IReadOnlyList<float> scores, Func<int, bool> positive)
    {
        int n = scores.Count;
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Array.Sort(order, (x, y) => scores[x].CompareTo(scores[y]));
        double positiveRankSum = 0;
        long positives = 0;
        for (int start = 0; start < n;)
        {
            int end = start;
            while (end + 1 < n && scores[order[end + 1]] == scores[order[start]]) end++;
            double meanRank = (start + end) / 2.0 + 1;
            for (int i = start; i <= end; i++)
            {
                if (!positive(order[i])) continue;
                positiveRankSum += meanRank;
                positives++;
            }
            start = end + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>The mean of the defined (non-NaN) per-class AUCs; NaN when none is defined.</summary>
    public static double MacroAverage(IEnumerable<double> perClass)
    {
        var defined = perClass.Where(a => !double.IsNaN(a)).ToList();
        return defined.Count == 0 ? double.NaN : defined.Average();
    }
}
