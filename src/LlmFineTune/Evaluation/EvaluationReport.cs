using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LlmFineTune.Data;

namespace LlmFineTune.Evaluation;

/// <summary>
/// How well a model did on a labeled test set: metrics, per-class figures, confusion matrix, calibration,
/// bootstrap intervals and (optionally) each example's prediction. Saves to a stable JSON form
/// (docs/evaluation-report.md), renders as Markdown, and plots through <c>LlmFineTune.Plotting.EvaluationPlots</c> (package LlmFineTune.Plotting).
/// </summary>
/// <remarks>
/// Metrics that do not apply to the task are <see langword="null"/> (left out of the JSON). A metric that applies
/// but is undefined on this test set, such as ROC-AUC when only one class occurs, is NaN (JSON <c>"NaN"</c>).
/// </remarks>
public sealed record EvaluationReport
{
    /// <summary>The JSON schema version this library writes.</summary>
    public const int CurrentSchemaVersion = 1;

    private static readonly (string Name, Func<EvaluationReport, double?> Get)[] Metrics =
    [
        (MetricNames.Accuracy, r => r.Task == TaskKind.Regression ? null : r.Accuracy),
        (MetricNames.BalancedAccuracy, r => r.BalancedAccuracy),
        (MetricNames.MacroPrecision, r => r.MacroPrecision),
        (MetricNames.MacroRecall, r => r.MacroRecall),
        (MetricNames.MacroF1, r => r.MacroF1),
        (MetricNames.MicroPrecision, r => r.MicroPrecision),
        (MetricNames.MicroRecall, r => r.MicroRecall),
        (MetricNames.MicroF1, r => r.MicroF1),
        (MetricNames.WeightedPrecision, r => r.WeightedPrecision),
        (MetricNames.WeightedRecall, r => r.WeightedRecall),
        (MetricNames.WeightedF1, r => r.WeightedF1),
        (MetricNames.LogLoss, r => r.LogLoss),
        (MetricNames.BrierScore, r => r.BrierScore),
        (MetricNames.RocAuc, r => r.RocAuc),
        (MetricNames.TopKAccuracy, r => r.TopKAccuracy),
        (MetricNames.ExpectedCalibrationError, r => r.ExpectedCalibrationError),
        (MetricNames.SubsetAccuracy, r => r.SubsetAccuracy),
        (MetricNames.HammingLoss, r => r.HammingLoss),
        (MetricNames.Mse, r => r.Mse),
        (MetricNames.Mae, r => r.Mae),
        (MetricNames.R2, r => r.R2),
    ];

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The JSON schema version of this report.</summary>
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>The task kind the model was evaluated on.</summary>
    public TaskKind Task { get; init; }

    /// <summary>Examples evaluated.</summary>
    public int Count { get; init; }

    /// <summary>Test examples left out because their label is unknown to the model (<see cref="UnknownLabelHandling.Skip"/>).</summary>
    public int Skipped { get; init; }

    /// <summary>The model's classes in id order (empty for regression).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Fraction predicted exactly right: single-label accuracy, multi-label subset accuracy; NaN for regression.</summary>
    public double Accuracy { get; init; }

    /// <summary>Mean per-class recall over the classes present in the test set.</summary>
    public double? BalancedAccuracy { get; init; }

    /// <summary>Unweighted mean of per-class precision.</summary>
    public double? MacroPrecision { get; init; }

    /// <summary>Unweighted mean of per-class recall.</summary>
    public double? MacroRecall { get; init; }

    /// <summary>Unweighted mean of per-class F1.</summary>
    public double? MacroF1 { get; init; }

    /// <summary>Precision over all decisions pooled.</summary>
    public double? MicroPrecision { get; init; }

    /// <summary>Recall over all decisions pooled.</summary>
    public double? MicroRecall { get; init; }

    /// <summary>F1 over all decisions pooled (equals accuracy for single-label tasks).</summary>
    public double? MicroF1 { get; init; }

    /// <summary>Support-weighted mean of per-class precision.</summary>
    public double? WeightedPrecision { get; init; }

    /// <summary>Support-weighted mean of per-class recall.</summary>
    public double? WeightedRecall { get; init; }

    /// <summary>Support-weighted mean of per-class F1.</summary>
    public double? WeightedF1 { get; init; }

    /// <summary>Mean −ln p(true class), p clipped at 1e-15.</summary>
    public double? LogLoss { get; init; }

    /// <summary>Mean over examples of Σ_c (p_c − y_c)², in [0, 2].</summary>
    public double? BrierScore { get; init; }

    /// <summary>Macro average of the defined one-vs-rest ROC-AUCs (for two classes, the binary AUC).</summary>
    public double? RocAuc { get; init; }

    /// <summary>The k of <see cref="TopKAccuracy"/>.</summary>
    public int? TopK { get; init; }

    /// <summary>Fraction whose true class is among the k most probable (ties broken toward the lower class id, as the prediction is).</summary>
    public double? TopKAccuracy { get; init; }

    /// <summary>Σ_b (n_b / n) · |accuracy_b − confidence_b| over the equal-width <see cref="Calibration"/> bins.</summary>
    public double? ExpectedCalibrationError { get; init; }

    /// <summary>Multi-label: fraction of examples whose predicted label set equals the true one.</summary>
    public double? SubsetAccuracy { get; init; }

    /// <summary>Multi-label: fraction of (example, label) decisions that are wrong.</summary>
    public double? HammingLoss { get; init; }

    /// <summary>Regression: mean squared error.</summary>
    public double? Mse { get; init; }

    /// <summary>Regression: mean absolute error.</summary>
    public double? Mae { get; init; }

    /// <summary>Regression: coefficient of determination.</summary>
    public double? R2 { get; init; }

    /// <summary>Per-class (per-label) figures, in label-id order.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; init; } = [];

    /// <summary>Single-label: counts with rows the true class and columns the predicted class, in label-id order.</summary>
    public IReadOnlyList<IReadOnlyList<long>>? ConfusionMatrix { get; init; }

    /// <summary>Single-label: the reliability-diagram bins.</summary>
    public IReadOnlyList<CalibrationBin>? Calibration { get; init; }

    /// <summary>
    /// Single-label, when the model's <see cref="Modeling.TextClassifier.Temperature"/> is not 1: that temperature and the
    /// log-loss and expected calibration error of this test set at temperature 1 (before) and at it (after, equal to
    /// <see cref="LogLoss"/> and <see cref="ExpectedCalibrationError"/>). Both come from the same forward pass; the
    /// predicted classes, and so every other metric, are the same at both. <see langword="null"/> otherwise.
    /// </summary>
    public TemperatureCalibration? TemperatureScaling { get; init; }

    /// <summary>Bootstrap intervals of the headline metrics, by metric name (empty when turned off).</summary>
    public IReadOnlyDictionary<string, ConfidenceInterval> Intervals { get; init; } = new Dictionary<string, ConfidenceInterval>();

    /// <summary>Coverage of <see cref="Intervals"/>.</summary>
    public double ConfidenceLevel { get; init; }

    /// <summary>Resamples behind <see cref="Intervals"/>.</summary>
    public int BootstrapSamples { get; init; }

    /// <summary>Seed of the resampling.</summary>
    public int Seed { get; init; }

    /// <summary>Each example's prediction, when kept (<see cref="EvaluationOptions.KeepExamples"/>).</summary>
    public ExamplePredictions? Examples { get; init; }

    /// <summary>Every name <see cref="GetMetric"/> knows.</summary>
    public static IReadOnlyList<string> KnownMetrics { get; } = Metrics.Select(m => m.Name).ToArray();

    /// <summary>Looks a metric up by name, for example to pick the best checkpoint or stop early.</summary>
    /// <param name="name">A metric name such as <c>accuracy</c>, <c>macroF1</c>, <c>logLoss</c> or <c>mse</c> (case-insensitive).</param>
    /// <returns>The metric's value (NaN when undefined on this test set).</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    /// <exception cref="InvalidOperationException">The metric does not apply to this report's task; the message lists those that do.</exception>
    public double GetMetric(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var metric = Metrics.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
        if (metric.Get is null)
            throw new ArgumentException($"Unknown metric '{name}'. Known metrics: {string.Join(", ", KnownMetrics)}.", nameof(name));
        return metric.Get(this)
            ?? throw new InvalidOperationException($"Metric '{metric.Name}' is not computed for a {Task} task. Available: {string.Join(", ", AvailableMetrics)}.");
    }

    /// <summary>The metric names that have a value in this report.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> AvailableMetrics => Metrics.Where(m => m.Get(this) is not null).Select(m => m.Name).ToArray();

    /// <summary>Whether a larger value of a metric is better (false for losses and errors).</summary>
    /// <param name="name">A metric name.</param>
    /// <returns><see langword="true"/> for accuracy-like metrics, <see langword="false"/> for losses and errors.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static bool IsHigherBetter(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!KnownMetrics.Contains(name, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"Unknown metric '{name}'. Known metrics: {string.Join(", ", KnownMetrics)}.", nameof(name));
        return !MetricNames.LowerIsBetter.Contains(name);
    }

    /// <summary>Serializes the report to its JSON form.</summary>
    /// <returns>Indented camelCase JSON.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a report from its JSON form.</summary>
    /// <param name="json">JSON written by <see cref="ToJson"/>.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InvalidDataException">The JSON is malformed or from a newer schema.</exception>
    public static EvaluationReport FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return Validated(JsonSerializer.Deserialize<EvaluationReport>(json, JsonOptions), "the JSON");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Evaluation report JSON is invalid at line {e.LineNumber + 1}: {e.Message}", e);
        }
    }

    /// <summary>Writes the report as JSON, atomically.</summary>
    /// <param name="path">The file to write.</param>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.WriteAllText(path, ToJson());
    }

    /// <summary>Reads a report saved by <see cref="Save"/>.</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The report.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid report; the message names it.</exception>
    public static EvaluationReport Load(string path)
    {
        JsonObject json = JsonFiles.ReadObject(path);
        try
        {
            return Validated(json.Deserialize<EvaluationReport>(JsonOptions), path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid evaluation report: {e.Message}", e);
        }
    }

    /// <summary>Renders the report as Markdown tables (headline metrics with intervals, per-class figures, confusion matrix), readable in a console too.</summary>
    /// <returns>The Markdown text.</returns>
    public string ToMarkdown() => ReportMarkdown.Render(this);

    /// <inheritdoc />
    public override string ToString() => ToMarkdown();

    /// <summary>This report with the macro, micro and weighted precision / recall / F1 of <paramref name="counts"/>.</summary>
    internal EvaluationReport WithAverages(ClassCounts counts) => this with
    {
        MacroPrecision = counts.MacroPrecision,
        MacroRecall = counts.MacroRecall,
        MacroF1 = counts.MacroF1,
        MicroPrecision = counts.MicroPrecision,
        MicroRecall = counts.MicroRecall,
        MicroF1 = counts.MicroF1,
        WeightedPrecision = counts.WeightedPrecision,
        WeightedRecall = counts.WeightedRecall,
        WeightedF1 = counts.WeightedF1,
    };

    /// <summary>This report with bootstrap intervals of its headline metrics computed from <paramref name="examples"/>.</summary>
    internal EvaluationReport WithIntervals(ExamplePredictions examples, int classes, EvaluationOptions options) => this with
    {
        Intervals = options.BootstrapSamples == 0 || examples.Count == 0
            ? new Dictionary<string, ConfidenceInterval>()
            : HeadlineMetrics.Intervals(Task, examples, classes, options.BootstrapSamples, options.ConfidenceLevel, options.Seed),
        ConfidenceLevel = options.ConfidenceLevel,
        BootstrapSamples = options.BootstrapSamples,
        Seed = options.Seed,
    };

    private static EvaluationReport Validated(EvaluationReport? report, string where)
    {
        if (report is null)
            throw new InvalidDataException($"{where}: expected an evaluation report object, found null.");
        if (report.SchemaVersion > CurrentSchemaVersion)
            throw new InvalidDataException($"{where}: schemaVersion {report.SchemaVersion} is newer than this library reads ({CurrentSchemaVersion}). Update LlmFineTune.");
        return report;
    }
}
