using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Training;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>One fine-tuning run of a defaults sweep, scored on the held-out validation split and on the test split.</summary>
/// <param name="Variant">The setting's name in its study (for instance <c>scratch-e30000</c>).</param>
/// <param name="Budget">Labels drawn (class-balanced) from the fit part; null is all of it.</param>
internal sealed record SweepRow(string Set, int? Budget, int Labels, int Sample, string Variant, double ValMacroF1, double TestMacroF1, double Seconds);

/// <summary>One setting a sweep trains: its name in the rows and the library call's options.</summary>
internal sealed record SweepVariant(string Name, FineTuningOptions Options);

/// <summary>
/// The loop the defaults studies share: every set's training split loses a seeded, stratified 10 % first (the validation
/// split that selection reads); then, at each label budget and label sample, each variant trains through <see cref="FineTuning.Run"/>
/// and is scored on the validation and test splits. Rows append to a JSON-lines file, so a stopped sweep resumes where it was;
/// the first sample's test report is kept in the <see cref="ResultStore"/> for the paired intervals of the report.
/// </summary>
internal static class DefaultsSweep
{
    /// <summary>Runs the variants that have no row yet.</summary>
    /// <param name="variants">The settings for a set (name, fit part) and a training sample.</param>
    /// <param name="resultPrefix">Prefix of the variants' names in the result store.</param>
    public static void Run(string data, IReadOnlyList<string> sets, IReadOnlyList<int?> budgets, int samples, string rowsPath, ResultStore results, string resultPrefix,
        Func<string, IReadOnlyList<TextExample>, ITextDataset, IEnumerable<SweepVariant>> variants, int seed, TextWriter log)
    {
        var done = Load(rowsPath).Select(r => (r.Set, r.Budget, r.Sample, r.Variant)).ToHashSet();
        foreach (string name in sets)
        {
            var set = LabeledSet.Load(data, name, testCap: null, seed);
            var (fit, validation) = TextDataset.FromExamples(set.Train, labelMap: set.Labels).StratifiedSplit(DefaultsGrid.ValidationFraction, seed);
            var pool = set with { Train = [.. fit] };
            var test = TextDataset.FromExamples(set.Test, labelMap: set.Labels);
            foreach (int? budget in budgets)
                for (int sample = 0; sample < (budget is null ? 1 : samples); sample++)
                {
                    var train = TextDataset.FromExamples(pool.Budget(budget, seed + sample), labelMap: set.Labels);
                    foreach (var variant in variants(name, pool.Train, train))
                    {
                        if (done.Contains((name, budget, sample, variant.Name))) continue;
                        var clock = Stopwatch.StartNew();
                        using var model = FineTuning.Run(train, variant.Options);
                        double seconds = clock.Elapsed.TotalSeconds;
                        var evaluator = new Evaluator(new EvaluationOptions { Seed = seed, BootstrapSamples = 0, KeepExamples = sample == 0 });
                        var testReport = evaluator.Evaluate(model, test);
                        var row = new SweepRow(name, budget, train.Count, sample, variant.Name, evaluator.Evaluate(model, validation).MacroF1!.Value, testReport.MacroF1!.Value, seconds);
                        if (sample == 0) results.Add(name, resultPrefix + variant.Name, train.Count, testReport, seconds);
                        File.AppendAllLines(rowsPath, [JsonSerializer.Serialize(row)]);
                        log.WriteLine(FormattableString.Invariant($"{name,-24} {budget?.ToString(CultureInfo.InvariantCulture) ?? "all",5} #{sample} {variant.Name,-14} validation {row.ValMacroF1:F4} test {row.TestMacroF1:F4} ({seconds:F1} s)"));
                    }
                }
        }
    }

    public static List<SweepRow> Load(string path) =>
        File.Exists(path) ? [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<SweepRow>(l)!)] : [];

    /// <summary>The paired difference of two first-sample test reports in the store (a − b), or a dash when either is missing.</summary>
    public static string Paired(ResultStore results, string set, string a, string b, int labels) =>
        results.TryGet(set, a, labels, out var ra) && results.TryGet(set, b, labels, out var rb) ? Format(Evaluator.Compare(ra.Report, rb.Report, "macroF1", seed: 0)) : "–";

    private static string Format(MetricComparison c) =>
        $"{Signed(c.Difference)} [{Signed(c.Interval.Lower)}, {Signed(c.Interval.Upper)}]{(c.IsSignificant ? " *" : "")}";

    /// <summary>Three decimals with a sign; a value that rounds to zero prints +0.000 (the format's negative section would print "-+0.000").</summary>
    private static string Signed(double value) => (Math.Round(value, 3) + 0.0).ToString("+0.000;-0.000;+0.000", CultureInfo.InvariantCulture);
}
