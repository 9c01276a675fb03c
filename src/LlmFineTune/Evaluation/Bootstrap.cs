namespace LlmFineTune.Evaluation;

/// <summary>Seeded percentile bootstrap over examples: resample indices with replacement, recompute, take quantiles.</summary>
internal static class Bootstrap
{
    /// <summary>Percentile intervals of each statistic over <paramref name="samples"/> resamples of <paramref name="count"/> examples.</summary>
    /// <param name="count">Examples in the test set.</param>
    /// <param name="statisticCount">How many statistics <paramref name="statistics"/> returns.</param>
    /// <param name="statistics">Computes every statistic on one resample (one interval per statistic).</param>
    /// <param name="samples">Resamples to draw.</param>
    /// <param name="confidenceLevel">Coverage, in (0, 1).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <remarks>Resamples on which a statistic is undefined (NaN) are left out of its quantiles.</remarks>
    public static ConfidenceInterval[] Intervals(int count, int statisticCount, Func<int[], double[]> statistics, int samples, double confidenceLevel, int seed)
    {
        var values = new List<double>[statisticCount];
        for (int s = 0; s < values.Length; s++) values[s] = new List<double>(samples);
        var random = new Random(seed);
        var indices = new int[count];
        for (int b = 0; b < samples; b++)
        {
            for (int i = 0; i < count; i++) indices[i] = random.Next(count);
            double[] resampled = statistics(indices);
            for (int s = 0; s < statisticCount; s++)
                if (!double.IsNaN(resampled[s])) values[s].Add(resampled[s]);
        }
        double tail = (1 - confidenceLevel) / 2;
        return values.Select(v =>
        {
            v.Sort();
            return new ConfidenceInterval(Quantile(v, tail), Quantile(v, 1 - tail));
        }).ToArray();
    }

    /// <summary>The <paramref name="q"/>-quantile of sorted values with linear interpolation between order statistics; NaN when empty.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 0) return double.NaN;
        double position = q * (sorted.Count - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
