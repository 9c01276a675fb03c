namespace LlmFineTune.Evaluation;

/// <summary>Two models' value of one metric on the same test set, with a paired bootstrap interval for the difference.</summary>
/// <param name="Metric">The metric name.</param>
/// <param name="A">The first model's value.</param>
/// <param name="B">The second model's value.</param>
/// <param name="Difference"><paramref name="A"/> − <paramref name="B"/>.</param>
/// <param name="Interval">The interval of the difference over paired resamples.</param>
/// <param name="ConfidenceLevel">The interval's coverage, for example 0.95.</param>
/// <param name="Samples">Bootstrap resamples drawn.</param>
/// <param name="HigherIsBetter">Whether a larger value of the metric is better.</param>
public sealed record MetricComparison(string Metric, double A, double B, double Difference, ConfidenceInterval Interval, double ConfidenceLevel, int Samples, bool HigherIsBetter)
{
    /// <summary>Whether the interval excludes zero, so that one model is better at this confidence level.</summary>
    public bool IsSignificant => Interval.Lower > 0 || Interval.Upper < 0;

    /// <summary>Which model is better: "A", "B", or "neither" when the interval contains zero.</summary>
    public string Better => !IsSignificant ? "neither" : (Difference > 0) == HigherIsBetter ? "A" : "B";
}
