using System.CommandLine;
using System.Globalization;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Plotting;
using LlmFineTune.Tokenization;
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
        var format = CommonOptions.Format();
        var command = new Command("evaluate", "Evaluate a saved model on a labeled file: metrics with bootstrap intervals, per-class table.")
        {
            model, test, json, plots, format,
        };
        command.SetAction(parse => cli.Guard(() =>
        {
            using var classifier = TextClassifier.Load(parse.GetValue(model)!, Tokenizers.Load);
            var testSet = CommonOptions.Load(parse.GetValue(test)!, parse.GetValue(format), new TextDatasetLoadOptions { Kind = classifier.Head.Kind, LabelMap = classifier.Labels });
            var report = new Evaluator().Evaluate(classifier, testSet);
            Render(cli.Console, report);
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
