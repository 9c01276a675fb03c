using System.CommandLine;
using System.Globalization;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Plotting;
using Spectre.Console;

namespace LlmFineTune.Cli.Commands;

/// <summary><c>llmft evaluate</c>: scores a saved model on a labeled file and prints (and optionally saves) the report.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext cli)
    {
        var model = CommonOptions.RequiredPath("--model", "Model directory written by 'llmft finetune'.");
        var test = CommonOptions.RequiredPath("--test", "Labeled test file.");
        var json = new Option<string?>("--json") { Description = "Also write the full report as JSON to this file." };
        var plots = new Option<string?>("--plots") { Description = "Also draw the confusion matrix and reliability diagram (PNG) into this directory." };
        var k = new Option<int>("--k") { Description = "Multi-label models: the k of precision@k and recall@k (fastText's 'test' measure).", DefaultValueFactory = _ => 1 };
        var format = CommonOptions.Format();
        var fields = new DataFieldOptions();
        var threads = CommonOptions.Threads();
        var command = new Command("evaluate", "Evaluate a saved model on a labeled file: metrics with bootstrap intervals, per-class table (P@k and R@k for multi-label).")
        {
            model, test, json, plots, k, format, threads,
        };
        foreach (var option in fields.All) command.Options.Add(option);
        command.SetAction(parse => cli.Guard(() =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            if (parse.GetValue(k) < 1)
                throw new ArgumentException($"--k must be at least 1 (was {parse.GetValue(k)}).");
            if (parse.GetValue(json) is { } jsonFile) PathChecks.OutputFile("--json", jsonFile);
            if (parse.GetValue(plots) is { } plotsDirectory) PathChecks.OutputDirectory("--plots", plotsDirectory);
            using var classifier = TextClassifier.Load(parse.GetValue(model)!);
            var testSet = new CancellableDataset(CommonOptions.Load(cli, "--test", parse.GetValue(test)!, parse.GetValue(format), fields.LoadOptions(parse, classifier.Head.Kind, classifier.Labels)), cli.CancellationToken);
            var report = new Evaluator().Evaluate(classifier, testSet);
            Render(cli.Console, report);
            if (report.TemperatureScaling is { } calibration) TrainingReports.Calibration(cli.Output, calibration, "test");
            if (report.Task == TaskKind.MultiLabel)
            {
                var (precision, recall) = PrecisionRecallAtK(classifier, testSet, parse.GetValue(k));
                cli.Output.WriteLine(FormattableString.Invariant($"P@{parse.GetValue(k)} {precision:F4}  R@{parse.GetValue(k)} {recall:F4}"));
            }
            if (parse.GetValue(json) is { } jsonPath)
            {
                report.Save(jsonPath);
                cli.Output.WriteLine($"report: {jsonPath}");
            }
            if (parse.GetValue(plots) is { } plotDirectory)
            {
                Directory.CreateDirectory(plotDirectory);
                if (report.ConfusionMatrix is not null)
                    EvaluationPlots.ConfusionMatrix(report, Path.Combine(plotDirectory, "confusion-matrix.png"));
                if (report.Calibration is not null)
                    EvaluationPlots.ReliabilityDiagram(report, Path.Combine(plotDirectory, "reliability.png"));
                cli.Output.WriteLine($"plots: {plotDirectory}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// fastText's <c>test</c> measure: of the k most probable labels of each text, the share that are true
    /// (precision, over k per text) and the share of true labels found (recall).
    /// </summary>
    public static (double Precision, double Recall) PrecisionRecallAtK(TextClassifier classifier, ITextDataset test, int k)
    {
        long found = 0, predicted = 0, gold = 0;
        foreach (var chunk in test.Chunk(64))
        {
            var predictions = classifier.PredictLabelsBatch([.. chunk.Select(e => e.Text)]);
            for (int i = 0; i < chunk.Length; i++)
            {
                var truth = chunk[i].Labels ?? [];
                var top = predictions[i].Scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Take(k).Select(s => s.Key);
                found += top.Count(truth.Contains);
                predicted += Math.Min(k, predictions[i].Scores.Count);
                gold += truth.Count;
            }
        }
        return (predicted == 0 ? 0 : (double)found / predicted, gold == 0 ? 0 : (double)found / gold);
    }

    /// <summary>The few metrics worth a line: accuracy, macro-F1 and log loss, or their multi-label and regression counterparts.</summary>
    public static IEnumerable<(string Name, double Value)> Headline(EvaluationReport report)
    {
        string[] names = report.Task switch
        {
            TaskKind.MultiLabel => ["subsetAccuracy", "microF1", "macroF1", "hammingLoss"],
            TaskKind.Regression => ["mse", "mae", "r2"],
            _ => ["accuracy", "macroF1", "logLoss"],
        };
        return names.Intersect(report.AvailableMetrics).Select(name => (name, report.GetMetric(name)));
    }

    /// <summary>Prints the metrics table (with intervals) and, for classification, the per-class table.</summary>
    public static void Render(IAnsiConsole console, EvaluationReport report)
    {
        string level = FormattableString.Invariant($"{report.ConfidenceLevel * 100:0.#}%");
        var metrics = new Table().Title($"{report.Count} examples").AddColumn("metric").AddColumn(new TableColumn("value").RightAligned()).AddColumn(new TableColumn($"{level} interval").RightAligned());
        foreach (var (name, value) in Headline(report))
        {
            string interval = report.Intervals.TryGetValue(name, out var ci) ? FormattableString.Invariant($"[{ci.Lower:F4}, {ci.Upper:F4}]") : "";
            metrics.AddRow(Markup.Escape(name), value.ToString("F4", CultureInfo.InvariantCulture), Markup.Escape(interval));
        }
        console.Write(metrics);
        if (report.PerClass.Count == 0) return;
        var perClass = new Table().AddColumn("label");
        foreach (string column in new[] { "precision", "recall", "F1", "support" })
            perClass.AddColumn(new TableColumn(column).RightAligned());
        foreach (var c in report.PerClass)
            perClass.AddRow(Markup.Escape(c.Label), F(c.Precision), F(c.Recall), F(c.F1), c.Support.ToString(CultureInfo.InvariantCulture));
        console.Write(perClass);
    }

    private static string F(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
