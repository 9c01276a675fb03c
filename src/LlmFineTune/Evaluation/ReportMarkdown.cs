using System.Globalization;
using System.Text;

namespace LlmFineTune.Evaluation;

/// <summary>Renders an <see cref="EvaluationReport"/> as Markdown tables.</summary>
internal static class ReportMarkdown
{
    public static string Render(EvaluationReport report)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"## Evaluation ({report.Task}, {report.Count} examples");
        if (report.Skipped > 0) md.Append(CultureInfo.InvariantCulture, $", {report.Skipped} skipped for unknown labels");
        md.AppendLine(")").AppendLine();

        bool intervals = report.Intervals.Count > 0;
        md.AppendLine(intervals ? $"| metric | value | {Number(report.ConfidenceLevel * 100, "0.#")}% interval |" : "| metric | value |");
        md.AppendLine(intervals ? "|---|---:|---:|" : "|---|---:|");
        foreach (string name in report.AvailableMetrics)
        {
            string label = name == MetricNames.TopKAccuracy ? $"top{report.TopK}Accuracy" : name;
            md.Append(CultureInfo.InvariantCulture, $"| {label} | {Number(report.GetMetric(name))} |");
            if (intervals)
                md.Append(report.Intervals.TryGetValue(name, out var ci) ? $" [{Number(ci.Lower)}, {Number(ci.Upper)}] |" : " |");
            md.AppendLine();
        }

        if (report.TemperatureScaling is { } scaling)
        {
            md.AppendLine().AppendLine("Temperature scaling (the predicted classes are the same at both temperatures)").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"| metric | before (T = 1) | after (T = {Number(scaling.Temperature, "0.###")}) |");
            md.AppendLine("|---|---:|---:|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {MetricNames.LogLoss} | {Number(scaling.LogLossBefore)} | {Number(scaling.LogLossAfter)} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| {MetricNames.ExpectedCalibrationError} | {Number(scaling.CalibrationErrorBefore)} | {Number(scaling.CalibrationErrorAfter)} |");
        }

        if (report.PerClass.Count > 0)
        {
            md.AppendLine().AppendLine("| class | precision | recall | F1 | support | predicted | ROC-AUC |" + (report.Task == Data.TaskKind.MultiLabel ? " threshold |" : ""));
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|" + (report.Task == Data.TaskKind.MultiLabel ? "---:|" : ""));
            foreach (var c in report.PerClass)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {Escape(c.Label)} | {Number(c.Precision)} | {Number(c.Recall)} | {Number(c.F1)} | {c.Support} | {c.Predicted} | {Number(c.RocAuc)} |");
                if (c.Threshold is { } t) md.Append(CultureInfo.InvariantCulture, $" {Number(t)} |");
                md.AppendLine();
            }
        }

        if (report.ConfusionMatrix is { } matrix)
        {
            md.AppendLine().AppendLine("Confusion matrix (rows: true class, columns: predicted class)").AppendLine();
            md.AppendLine("| true \\ predicted | " + string.Join(" | ", report.Labels.Select(Escape)) + " |");
            md.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", report.Labels.Count)));
            for (int r = 0; r < matrix.Count; r++)
                md.AppendLine($"| {Escape(report.Labels[r])} | " + string.Join(" | ", matrix[r].Select(v => v.ToString(CultureInfo.InvariantCulture))) + " |");
        }
        return md.ToString();
    }

    private static string Number(double value, string format = "0.0000") =>
        double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
