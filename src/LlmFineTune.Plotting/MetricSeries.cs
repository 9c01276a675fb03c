namespace LlmFineTune.Plotting;

/// <summary>A named curve for <see cref="EvaluationPlots.TrainingCurves"/>: a metric's value at successive steps or epochs.</summary>
/// <param name="Name">The legend text, for example <c>train loss</c> or <c>validation macroF1</c>.</param>
/// <param name="Points">(step, value) pairs in step order.</param>
/// <param name="RightAxis">Draw against the right-hand axis, so a metric in [0, 1] and a loss of another scale share one picture.</param>
public sealed record MetricSeries(string Name, IReadOnlyList<(double Step, double Value)> Points, bool RightAxis = false);
