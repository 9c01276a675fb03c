using System.Globalization;
using System.Text;
using LlmFineTune.Evaluation;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>
/// Renders the defaults study: leave-one-set-out selection over the grid (each held-out set's setting is the one
/// with the best mean validation macro-F1 on the other sets; its test score is then read), and the paired
/// comparisons of phase 2.
/// </summary>
internal static class DefaultsReport
{
    private static readonly Func<EpochScores, double>[] Rules = [r => r.ValMacroF1, r => -r.ValLoss, r => -(r.ValCalibratedLoss ?? double.NaN)];
    private static readonly string[] RuleNames = ["validation macro-F1", "validation loss", "validation loss after temperature scaling"];

    public static string Render(IReadOnlyList<EpochScores> grid, ResultStore results, string data, IReadOnlyList<string> sets, int seed)
    {
        var md = new StringBuilder();
        var inGrid = sets.Where(s => grid.Any(r => r.Set == s)).ToList();
        for (int rule = 0; rule < Rules.Length; rule++)
        {
            if (grid.Any(r => double.IsNaN(Rules[rule](r)))) continue;   // a score some runs did not record (older runs lack the calibrated loss)
            // the epoch each (set, setting) run would keep under this rule
            var chosen = grid.GroupBy(r => (r.Set, r.Setting)).ToDictionary(g => g.Key, g => g.MaxBy(Rules[rule])!);
            md.AppendLine(CultureInfo.InvariantCulture, $"### Leave-one-set-out, epoch chosen by {RuleNames[rule]}").AppendLine();
            md.AppendLine("| held-out set | setting chosen on the other sets | its test macro-F1 | base's test macro-F1 | best test macro-F1 in the grid (hindsight) |");
            md.AppendLine("|---|---|---:|---:|---:|");
            foreach (string heldOut in inGrid)
            {
                // a set that ran only part of the grid (the largest, when time ran out) does not narrow the others' choice
                var others = inGrid.Where(s => s != heldOut && grid.Where(r => r.Set == s).Select(r => r.Setting).Distinct().Count() > 1).ToList();
                var candidates = chosen.Keys.Select(k => k.Setting).Distinct().Where(setting => others.All(o => chosen.ContainsKey((o, setting)))).ToList();
                if (candidates.Count == 0 || others.Count == 0) continue;
                string pick = candidates.MaxBy(setting => others.Average(o => chosen[(o, setting)].ValMacroF1))!;
                var ran = candidates.Where(setting => chosen.ContainsKey((heldOut, setting))).ToList();
                var hindsight = ran.MaxBy(setting => chosen[(heldOut, setting)].TestMacroF1)!;
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {heldOut} | {pick} | {(chosen.TryGetValue((heldOut, pick), out var p) ? p.TestMacroF1.ToString("F4", CultureInfo.InvariantCulture) : "not run")} | {(chosen.TryGetValue((heldOut, "base"), out var b) ? b.TestMacroF1.ToString("F4", CultureInfo.InvariantCulture) : "–")} | {chosen[(heldOut, hindsight)].TestMacroF1:F4} ({hindsight}) |");
            }
            var full = inGrid.Where(s => grid.Where(r => r.Set == s).Select(r => r.Setting).Distinct().Count() > 1).ToList();
            if (full.Count == 0) continue;   // only the comparison below (no set ran more than one setting)
            var complete = chosen.Keys.Select(k => k.Setting).Distinct().Where(setting => full.All(s => chosen.ContainsKey((s, setting)))).ToList();
            string ranking = string.Join(", ", complete.OrderByDescending(setting => full.Average(s => chosen[(s, setting)].ValMacroF1))
                    .Select(setting => FormattableString.Invariant($"{setting} {full.Average(s => chosen[(s, setting)].ValMacroF1):F4}")));
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Mean validation macro-F1 over the {full.Count} sets that ran the grid (the final choice): {ranking}").AppendLine();
        }

        NestedRules(md, grid, inGrid);
        md.AppendLine("### Defaults and autotune against fastText (test split, paired bootstrap 95 % intervals, 1,000 resamples)").AppendLine();
        md.AppendLine("Seconds: wall time of the training process (`llmft finetune` / `fasttext supervised`, one thread each); in-process training for llmft-defaults(-refit).").AppendLine();
        md.AppendLine("| set | ours | macro-F1 ours | fastText | macro-F1 fastText | difference [95 % CI] | log-loss ours | log-loss fastText | seconds ours / fastText |");
        md.AppendLine("|---|---|---:|---|---:|---|---:|---:|---|");
        foreach (string set in sets)
        {
            int labels = LabeledSet.Load(data, set, testCap: null, seed).Train.Count;
            Row(md, results, set, labels, DefaultsComparison.Finetune, [DefaultsComparison.FastText5, DefaultsComparison.FastText25]);
            Row(md, results, set, labels, DefaultsComparison.Defaults, [DefaultsComparison.FastText5, DefaultsComparison.FastText25]);
            Row(md, results, set, labels, DefaultsComparison.DefaultsRefit, [DefaultsComparison.FastText5, DefaultsComparison.FastText25]);
            Row(md, results, set, labels, DefaultsComparison.Autotune, [DefaultsComparison.FastTextAutotune]);
        }
        return md.ToString();
    }

    /// <summary>An epoch rule: which epoch's row it keeps, given the loss and macro-F1 it may look at.</summary>
    private sealed record EpochRule(string Name, Func<IEnumerable<(EpochScores Row, HalfScores Seen)>, EpochScores> Pick);

    private static readonly EpochRule[] NestedRuleSet =
    [
        new("validation loss", rows => rows.MinBy(r => r.Seen.Loss).Row),
        new("validation macro-F1", rows => rows.OrderByDescending(r => r.Seen.MacroF1).ThenBy(r => r.Seen.Loss).First().Row),
        new("last epoch", rows => rows.MaxBy(r => r.Row.Epoch).Row),
    ];

    /// <summary>
    /// Epoch rules compared without the test split: a rule picks the epoch on one half of the validation split and
    /// is scored by the other half's macro-F1 at that epoch (both ways round, averaged). Leave-one-set-out then picks
    /// the (setting, rule) pair with the best mean nested score on the other sets, and reads the held-out set's test
    /// macro-F1 at the epoch that pair keeps on its whole validation split.
    /// </summary>
    private static void NestedRules(StringBuilder md, IReadOnlyList<EpochScores> grid, IReadOnlyList<string> sets)
    {
        var runs = grid.Where(r => r.Halves is { Length: 2 }).GroupBy(r => (r.Set, r.Setting)).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Epoch).ToList());
        if (runs.Count == 0) return;
        double Nested(List<EpochScores> run, EpochRule rule) =>
            (rule.Pick(run.Select(r => (r, r.Halves![0]))).Halves![1].MacroF1 + rule.Pick(run.Select(r => (r, r.Halves![1]))).Halves![0].MacroF1) / 2;
        EpochScores Kept(List<EpochScores> run, EpochRule rule) => rule.Pick(run.Select(r => (r, new HalfScores(r.ValLoss, r.ValMacroF1))));
        var withHalves = sets.Where(s => runs.Keys.Any(k => k.Set == s)).ToList();
        var pairs = runs.Keys.Select(k => k.Setting).Distinct().Where(setting => withHalves.All(s => runs.ContainsKey((s, setting))))
            .SelectMany(setting => NestedRuleSet.Select(rule => (Setting: setting, Rule: rule))).ToList();
        var nested = pairs.SelectMany(p => withHalves.Select(s => (s, p))).ToDictionary(k => k, k => Nested(runs[(k.s, k.p.Setting)], k.p.Rule));
        string F(double x) => x.ToString("F4", CultureInfo.InvariantCulture);

        md.AppendLine("### Epoch rules on a nested split (chosen on one validation half, scored on the other)").AppendLine();
        md.AppendLine("Nested validation macro-F1 / test macro-F1 at the epoch the rule keeps on the whole validation split; setting " + DefaultSetting + ".").AppendLine();
        md.AppendLine("| set | " + string.Join(" | ", NestedRuleSet.Select(r => r.Name)) + " |");
        md.AppendLine("|---|" + string.Concat(NestedRuleSet.Select(_ => "---|")));
        foreach (string set in withHalves.Where(s => runs.ContainsKey((s, DefaultSetting))))
        {
            var run = runs[(set, DefaultSetting)];
            md.AppendLine($"| {set} | " + string.Join(" | ", NestedRuleSet.Select(rule => $"{F(Nested(run, rule))} / ep {Kept(run, rule).Epoch}: {F(Kept(run, rule).TestMacroF1)}")) + " |");
        }
        if (pairs.Count == 0 || withHalves.Count < 2) return;
        md.AppendLine().AppendLine("Leave-one-set-out over (setting, rule) pairs by mean nested validation macro-F1 on the other sets:").AppendLine();
        md.AppendLine("| held-out set | setting, rule chosen on the other sets | its test macro-F1 | defaults' (" + DefaultSetting + ", validation loss) test macro-F1 |");
        md.AppendLine("|---|---|---:|---:|");
        foreach (string heldOut in withHalves)
        {
            var others = withHalves.Where(s => s != heldOut).ToList();
            var pick = pairs.MaxBy(p => others.Average(o => nested[(o, p)]));
            string defaults = runs.TryGetValue((heldOut, DefaultSetting), out var d) ? F(Kept(d, NestedRuleSet[0]).TestMacroF1) : "–";
            md.AppendLine($"| {heldOut} | {pick.Setting}, {pick.Rule.Name} | {F(Kept(runs[(heldOut, pick.Setting)], pick.Rule).TestMacroF1)} | {defaults} |");
        }
        string ranking = string.Join(", ", pairs.Select(p => (Pair: p, Mean: withHalves.Average(s => nested[(s, p)]))).OrderByDescending(x => x.Mean)
            .Select(x => $"{x.Pair.Setting} + {x.Pair.Rule.Name} {F(x.Mean)}"));
        md.AppendLine().AppendLine($"Mean nested validation macro-F1 over all {withHalves.Count} sets: {ranking}").AppendLine();
    }

    /// <summary>The grid setting that equals the library's bag defaults.</summary>
    private const string DefaultSetting = "lr0.02";

    /// <summary>One comparison row; against several fastText runs, the one with the better test macro-F1 (generous to fastText).</summary>
    private static void Row(StringBuilder md, ResultStore results, string set, int labels, string ours, string[] theirs)
    {
        if (!results.TryGet(set, ours, labels, out var a)) return;
        var candidates = theirs.Select(m => (Method: m, Found: results.TryGet(set, m, labels, out var r), Result: r)).Where(c => c.Found).ToList();
        if (candidates.Count == 0) return;
        var b = candidates.MaxBy(c => ExternalBaselines.Headline(c.Result.Report, "macroF1"))!;
        var f1 = Evaluator.Compare(a.Report, b.Result.Report, "macroF1", samples: 1000);
        var loss = Evaluator.Compare(a.Report, b.Result.Report, "logLoss", samples: 1);
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| {set} | {ours} | {f1.A:F4} | {b.Method} | {f1.B:F4} | {f1.Difference:+0.0000;-0.0000} [{f1.Interval.Lower:+0.000;-0.000}, {f1.Interval.Upper:+0.000;-0.000}] | {loss.A:F4} | {loss.B:F4} | {a.Seconds:F0} / {b.Result.Seconds:F0} |");
    }
}
