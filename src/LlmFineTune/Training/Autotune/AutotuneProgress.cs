namespace LlmFineTune.Training.Autotune;

/// <summary>Reported after each finished trial.</summary>
/// <param name="Trial">The trial that just finished.</param>
/// <param name="Best">The best trial so far (possibly the same).</param>
/// <param name="Metric">The metric being optimised.</param>
/// <param name="Elapsed">Time since the search started.</param>
public sealed record AutotuneProgress(AutotuneTrial Trial, AutotuneTrial Best, string Metric, TimeSpan Elapsed);
