using LlmFineTune.Data;

namespace LlmFineTune.Training;

/// <summary>
/// Which evaluation is the best of a run: <see cref="TrainerOptions.MetricForBestModel"/> and
/// <see cref="TrainerOptions.GreaterIsBetter"/>, with what their null defaults mean for the task at hand.
/// </summary>
/// <param name="Metric">The evaluation metric compared.</param>
/// <param name="GreaterIsBetter">Whether a larger value is better.</param>
internal sealed record BestModelRule(string Metric, bool GreaterIsBetter)
{
    /// <summary>The rule of a run.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="classifier">The head's task when fine-tuning a classifier; null for any other training task.</param>
    public static BestModelRule For(TrainerOptions options, TaskKind? classifier) => For(options.MetricForBestModel, options.GreaterIsBetter, classifier);

    /// <summary>The rule for a metric and direction, either of which may be left to the task's default.</summary>
    /// <param name="metric">The metric, or null: <c>macroF1</c> for a single- or multi-label classifier, <c>loss</c> otherwise.</param>
    /// <param name="greaterIsBetter">The direction, or null: smaller is better for <c>loss</c>, <c>logLoss</c> and <c>perplexity</c>.</param>
    /// <param name="classifier">The head's task when fine-tuning a classifier; null for any other training task.</param>
    public static BestModelRule For(string? metric, bool? greaterIsBetter, TaskKind? classifier)
    {
        // macro-F1 for classifiers: validation loss keeps an early epoch on many-class sets while macro-F1 still climbs (docs/defaults.md)
        metric ??= classifier is TaskKind.SingleLabel or TaskKind.MultiLabel ? "macroF1" : "loss";
        return new BestModelRule(metric, greaterIsBetter ?? metric is not ("loss" or "logLoss" or "perplexity"));
    }

    /// <summary>Whether <paramref name="value"/> improves on the best so far (none yet counts as improved).</summary>
    public bool Improves(double value, double? best) => best is not { } b || (GreaterIsBetter ? value > b : value < b);
}
