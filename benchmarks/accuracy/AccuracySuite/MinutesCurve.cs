using System.Globalization;
using System.Text;
using LlmFineTune.Plotting;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>
/// Macro-F1 against pretraining minutes (issue 17): <c>AccuracySuite minutes --set S --points 0=W0,5=W5,15=W15,45=W45 [--docs DIR]</c>
/// reads finished runs from suite work directories, one per budget (<c>--pretrain-minutes M</c>; minute 0 is
/// <see cref="Method.BertScratchBudget"/>, the others <see cref="Method.BertBudget"/>), and draws one curve per label count.
/// </summary>
internal static class MinutesCurve
{
    public static void Run(string[] args, TextWriter log)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2) map[args[i].TrimStart('-')] = args[i + 1];
        string set = map.TryGetValue("set", out var s) ? s : throw new ArgumentException("minutes: give --set NAME.");
        var points = (map.TryGetValue("points", out var p) ? p : throw new ArgumentException("minutes: give --points MINUTES=WORK,..."))
            .Split(',').Select(point => point.Split('=', 2)).Select(parts => (Minutes: int.Parse(parts[0], CultureInfo.InvariantCulture), Results: new ResultStore(parts[1])))
            .OrderBy(point => point.Minutes).ToList();
        string docs = map.GetValueOrDefault("docs", "docs");
        int[] labels = [.. map.GetValueOrDefault("budgets", "100,500").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture))];
        var md = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"| labels | {string.Join(" | ", points.Select(pt => pt.Minutes == 0 ? "0 min (scratch)" : $"{pt.Minutes} min"))} |");
        md.AppendLine("|---:|" + string.Concat(points.Select(_ => "---:|")));
        var series = new List<MetricSeries>();
        foreach (int count in labels)
        {
            var row = points.Select(pt => pt.Results.TryGet(set, pt.Minutes == 0 ? Method.BertScratchBudget : Method.BertBudget, count, out var r) ? r.Report.MacroF1 : null).ToList();
            md.AppendLine(CultureInfo.InvariantCulture, $"| {count} | {string.Join(" | ", row.Select(f => f is { } v ? v.ToString("F3", CultureInfo.InvariantCulture) : "—"))} |");
            series.Add(new MetricSeries(FormattableString.Invariant($"{count} labels"), [.. points.Zip(row).Where(z => z.Second is not null).Select(z => ((double)z.First.Minutes, z.Second!.Value))]));
        }
        string plot = Path.Combine(docs, $"accuracy-minutes-{set}.png");
        EvaluationPlots.TrainingCurves(series, plot, $"{set}: bert-mini macro-F1 vs masked-LM pretraining minutes", "pretraining minutes (0 = from scratch)", "macro-F1",
            [.. points.Select(pt => ((double)pt.Minutes, pt.Minutes.ToString(CultureInfo.InvariantCulture)))]);
        log.Write(md.ToString());
        log.WriteLine($"wrote {plot}");
    }
}
