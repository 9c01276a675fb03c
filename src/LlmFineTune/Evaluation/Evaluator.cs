using LlmFineTune.Data;
using LlmFineTune.Modeling;

namespace LlmFineTune.Evaluation;

/// <summary>
/// Measures a classifier on a labeled dataset: streams batches through the model under no-grad in eval mode,
/// accumulates metrics batch by batch, and adds seeded bootstrap intervals.
/// </summary>
public sealed class Evaluator
{
    private readonly EvaluationOptions options;

    /// <summary>Creates an evaluator with default options and the given batch size.</summary>
    /// <param name="batchSize">Texts per forward pass. Default 64.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException"><paramref name="batchSize"/> is below 1.</exception>
    public Evaluator(int batchSize = 64)
        : this(new EvaluationOptions { BatchSize = batchSize })
    {
    }

    /// <summary>Creates an evaluator.</summary>
    /// <param name="options">How to evaluate; validated here.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range; the message names it.</exception>
    public Evaluator(EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
    }

    /// <summary>Texts per forward pass.</summary>
    public int BatchSize => options.BatchSize;

    /// <summary>Evaluates a classifier on a test set of the same task kind.</summary>
    /// <param name="model">The classifier; if it is in training mode it is switched to eval mode for the run and switched back afterwards.</param>
    /// <param name="test">The test set; its labels are matched to the model's by name.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ArgumentException">The test set is empty, its task kind differs from the model's, or a multi-label threshold names an unknown label.</exception>
    /// <exception cref="InvalidDataException">An example's label is unknown to the model (with <see cref="UnknownLabelHandling.Throw"/>), a regression example has no value, or every example was skipped.</exception>
    public EvaluationReport Evaluate(TextClassifier model, ITextDataset test)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        if (test.Count == 0)
            throw new ArgumentException("The test set is empty.", nameof(test));
        var kind = model.Head.Kind;
        if (test.Kind != kind)
            throw new ArgumentException($"The test set is {test.Kind} but the model's head predicts {kind}. Evaluate with a {kind} test set.", nameof(test));

        var network = model.Network;
        bool wasTraining = network.training;
        if (wasTraining) network.eval();
        try
        {
            return kind switch
            {
                TaskKind.SingleLabel => EvaluateSingleLabel(model, test),
                TaskKind.MultiLabel => EvaluateMultiLabel(model, test),
                _ => EvaluateRegression(model, test),
            };
        }
        finally
        {
            if (wasTraining) network.train();
        }
    }

    /// <summary>
    /// Compares two models evaluated on the same test set: the difference of a headline metric with a paired
    /// bootstrap interval (both models are scored on the same resampled examples each time).
    /// </summary>
    /// <param name="a">The first model's report (with <see cref="EvaluationReport.Examples"/>).</param>
    /// <param name="b">The second model's report, on the same test set.</param>
    /// <param name="metric">A headline metric of the task: single-label accuracy, balancedAccuracy, macroF1, weightedF1, logLoss; multi-label subsetAccuracy, hammingLoss, microF1, macroF1; regression mse, mae, r2. Default accuracy.</param>
    /// <param name="samples">Bootstrap resamples. Default 1000.</param>
    /// <param name="confidenceLevel">Coverage of the interval. Default 0.95.</param>
    /// <param name="seed">Seed of the resampling. Default 0.</param>
    /// <returns>The comparison; <see cref="MetricComparison.Difference"/> is A − B.</returns>
    /// <exception cref="ArgumentException">A report lacks per-example predictions, the reports are not on the same test set, or the metric is not a headline metric of the task.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> or <paramref name="confidenceLevel"/> is out of range.</exception>
    public static MetricComparison Compare(EvaluationReport a, EvaluationReport b, string metric = "accuracy", int samples = 1000, double confidenceLevel = 0.95, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        if (!(confidenceLevel > 0 && confidenceLevel < 1))
            throw new ArgumentOutOfRangeException(nameof(confidenceLevel), confidenceLevel, "confidenceLevel must lie strictly between 0 and 1.");
        var ea = a.Examples ?? throw new ArgumentException("Report A has no per-example predictions; evaluate with EvaluationOptions.KeepExamples = true.", nameof(a));
        var eb = b.Examples ?? throw new ArgumentException("Report B has no per-example predictions; evaluate with EvaluationOptions.KeepExamples = true.", nameof(b));
        if (a.Task != b.Task || ea.Count != eb.Count || !a.Labels.SequenceEqual(b.Labels) || !SameTargets(ea, eb))
            throw new ArgumentException($"The reports are not on the same test set (A: {a.Task}, {ea.Count} examples; B: {b.Task}, {eb.Count} examples, or their labels or targets differ). Evaluate both models on the same test set with the same skip rules.", nameof(b));
        var names = HeadlineMetrics.Names(a.Task);
        string? name = names.FirstOrDefault(n => string.Equals(n, metric, StringComparison.OrdinalIgnoreCase));
        if (name is null)
            throw new ArgumentException($"'{metric}' cannot be compared for a {a.Task} task. Comparable metrics: {string.Join(", ", names)}.", nameof(metric));

        int m = Array.IndexOf(names, name);
        var statisticA = HeadlineMetrics.Prepare(a.Task, ea, a.Labels.Count);
        var statisticB = HeadlineMetrics.Prepare(b.Task, eb, b.Labels.Count);
        var all = HeadlineMetrics.All(ea.Count);
        double valueA = statisticA(all)[m];
        double valueB = statisticB(all)[m];
        var interval = Bootstrap.Intervals(ea.Count, 1, ix => [statisticA(ix)[m] - statisticB(ix)[m]], samples, confidenceLevel, seed)[0];
        return new MetricComparison(name, valueA, valueB, valueA - valueB, interval, confidenceLevel, samples, EvaluationReport.IsHigherBetter(name));
    }

    private delegate bool TargetOf<T>(TextExample example, string where, out T target);

    /// <summary>
    /// Single-label: the report at the model's temperature; when that is not 1, the same logits are also scored at
    /// temperature 1, so the report shows log-loss and calibration error before and after temperature scaling
    /// (the argmax, and so every decision metric, is the same at both).
    /// </summary>
    private EvaluationReport EvaluateSingleLabel(TextClassifier model, ITextDataset test)
    {
        double temperature = model.Temperature;
        var accumulator = new SingleLabelAccumulator(model.Labels.Count, options.TopK, options.CalibrationBins);
        var unscaled = temperature == 1.0 ? null : new SingleLabelAccumulator(model.Labels.Count, options.TopK, options.CalibrationBins);
        int skipped = Stream(model, test, unscaled is null ? [temperature] : [temperature, 1.0], (TextExample example, string where, out int id) =>
            model.Labels.TryGetId(example.Label ?? "", out id) || !SkipUnknown(example.Label ?? "", where, model.Labels),
            (scores, targets) =>
            {
                var ids = targets.ToArray();
                accumulator.Add(scores[0], ids);
                unscaled?.Add(scores[1], ids);
            });
        RequireSome(accumulator.Count, skipped);
        var report = accumulator.ToReport(model.Labels, options, skipped);
        return unscaled is null ? report : report with
        {
            TemperatureScaling = new TemperatureCalibration(temperature, unscaled.LogLoss, report.LogLoss!.Value, unscaled.ExpectedCalibrationError, report.ExpectedCalibrationError!.Value),
        };
    }

    private EvaluationReport EvaluateMultiLabel(TextClassifier model, ITextDataset test)
    {
        var accumulator = new MultiLabelAccumulator(Thresholds(options, model.Labels));
        int skipped = Stream(model, test, [model.Temperature], (TextExample example, string where, out IReadOnlyList<int> ids) =>
        {
            var known = new List<int>();
            ids = known;
            foreach (string label in example.Labels ?? [])
            {
                if (model.Labels.TryGetId(label, out int id)) known.Add(id);
                else if (SkipUnknown(label, where, model.Labels)) return false;
            }
            return true;
        }, (scores, targets) => accumulator.Add(scores[0], targets));
        RequireSome(accumulator.Count, skipped);
        return accumulator.ToReport(model.Labels, options, skipped);
    }

    private EvaluationReport EvaluateRegression(TextClassifier model, ITextDataset test)
    {
        var accumulator = new RegressionAccumulator();
        int skipped = Stream(model, test, [1.0], (TextExample example, string where, out float value) =>
        {
            value = example.Value ?? throw new InvalidDataException($"{where}: a regression example needs a Value.");
            return true;
        }, (scores, targets) => accumulator.Add(scores[0], targets.ToArray()));
        RequireSome(accumulator.Count, skipped);
        return accumulator.ToReport(options, skipped);
    }

    /// <summary>
    /// Runs the test set through the model one batch at a time. <paramref name="targetOf"/> gives an example's
    /// target, or false to skip it; <paramref name="consume"/> receives each batch's scores (one array per entry of
    /// <paramref name="temperatures"/>, all from one forward pass) and targets, after which both are dropped, so
    /// memory holds one batch of scores at a time.
    /// </summary>
    private int Stream<T>(TextClassifier model, ITextDataset test, double[] temperatures, TargetOf<T> targetOf, Action<float[][], List<T>> consume)
    {
        int skipped = 0;
        var texts = new List<string>(BatchSize);
        var targets = new List<T>(BatchSize);
        for (int i = 0; i < test.Count; i++)
        {
            var example = test[i];
            if (targetOf(example, example.Source ?? $"test example {i}", out T target))
            {
                texts.Add(example.Text);
                targets.Add(target);
            }
            else
            {
                skipped++;
            }
            if (texts.Count == BatchSize || (i == test.Count - 1 && texts.Count > 0))
            {
                consume(model.ScoreBatch(texts, temperatures), targets);
                texts.Clear();
                targets.Clear();
            }
        }
        return skipped;
    }

    /// <summary>True when unknown labels are to be skipped; otherwise throws the error that names the example and the label.</summary>
    private bool SkipUnknown(string label, string where, LabelMap labels) =>
        options.UnknownLabels == UnknownLabelHandling.Skip
            ? true
            : throw new InvalidDataException(
                $"{where}: label '{label}' is not one of the model's labels ({string.Join(", ", labels.Take(20))}{(labels.Count > 20 ? ", …" : "")}). " +
                "Set EvaluationOptions.UnknownLabels = Skip to leave such examples out, or train with this label.");

    /// <summary>Each label's decision threshold, checking that the options name only known labels.</summary>
    internal static double[] Thresholds(EvaluationOptions options, LabelMap labels)
    {
        foreach (string name in options.Thresholds.Keys)
            if (!labels.TryGetId(name, out _))
                throw new ArgumentException($"EvaluationOptions.Thresholds names '{name}', which is not one of the model's labels ({string.Join(", ", labels.Take(20))}).", "options");
        return labels.Select(l => options.Thresholds.TryGetValue(l, out double t) ? t : options.Threshold).ToArray();
    }

    private static void RequireSome(int evaluated, int skipped)
    {
        if (evaluated == 0)
            throw new InvalidDataException($"No example was left to evaluate: all {skipped} had labels the model does not know.");
    }

    private static bool SameTargets(ExamplePredictions a, ExamplePredictions b) =>
        (a.Target, b.Target) is ({ } ta, { } tb) ? ta.SequenceEqual(tb)
        : (a.TargetLabels, b.TargetLabels) is ({ } la, { } lb) ? la.Zip(lb).All(p => p.First.SequenceEqual(p.Second))
        : (a.TargetValue, b.TargetValue) is ({ } va, { } vb) && va.SequenceEqual(vb);
}
