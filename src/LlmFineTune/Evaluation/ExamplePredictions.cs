using System.Text.Json.Serialization;

namespace LlmFineTune.Evaluation;

/// <summary>
/// What the model said about each evaluated example, compactly and in test-set order (skipped examples left out).
/// Bootstrap intervals and <see cref="Evaluator.Compare"/> resample these. Only the lists of the report's task kind are set.
/// </summary>
public sealed record ExamplePredictions
{
    /// <summary>Single-label: the true class id of each example.</summary>
    public IReadOnlyList<int>? Target { get; init; }

    /// <summary>Single-label: the predicted (highest-probability) class id.</summary>
    public IReadOnlyList<int>? Predicted { get; init; }

    /// <summary>Single-label: the probability the model gave the true class.</summary>
    public IReadOnlyList<float>? TargetProbability { get; init; }

    /// <summary>Multi-label: the true label ids of each example.</summary>
    public IReadOnlyList<IReadOnlyList<int>>? TargetLabels { get; init; }

    /// <summary>Multi-label: the label ids whose probability reached their threshold.</summary>
    public IReadOnlyList<IReadOnlyList<int>>? PredictedLabels { get; init; }

    /// <summary>Regression: the true value of each example.</summary>
    public IReadOnlyList<float>? TargetValue { get; init; }

    /// <summary>Regression: the predicted value.</summary>
    public IReadOnlyList<float>? PredictedValue { get; init; }

    /// <summary>The number of examples.</summary>
    [JsonIgnore]
    public int Count => Target?.Count ?? TargetLabels?.Count ?? TargetValue?.Count ?? 0;
}
