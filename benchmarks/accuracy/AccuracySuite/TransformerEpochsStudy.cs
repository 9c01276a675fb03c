using System.Globalization;
using System.Text;
using LlmFineTune.Training;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>How a study run's bert-mini starts and how many examples it sees at least (0: the recommended epochs).</summary>
internal sealed record TransformerStart(bool Pretrained, int Examples)
{
    /// <summary>The variant's name in the results: <c>scratch-eE</c> or <c>pretrained-eE</c>.</summary>
    public string Name => FormattableString.Invariant($"{(Pretrained ? "pretrained" : "scratch")}-e{Examples}");

    /// <summary>The examples seen of a variant named by <see cref="Name"/>.</summary>
    public static int ExamplesOf(string name) => int.Parse(name[(name.IndexOf("-e", StringComparison.Ordinal) + 2)..], CultureInfo.InvariantCulture);
}

/// <summary>
/// How long a transformer should fine-tune on a few labels (issue 17): the recommended settings train a pretrained encoder for
/// 6 epochs and a fresh one for 10, which on 100 labels is 34 to 57 optimizer steps after the 10 % holdout. <c>AccuracySuite defaults transformer</c>
/// fine-tunes bert-mini through <see cref="FineTuning.Run"/> with every other setting at its default, from scratch (the
/// library's bert-mini, its WordPiece vocabulary learned on the training texts) and from a pretrained encoder (<c>--encoder</c>,
/// the accuracy suite's 15-minute masked-LM one by default), for the recommended epochs or for enough epochs to see each of
/// <c>--examples</c> (default 3,000 and 10,000); on every set at 100 and 500 labels. <c>defaults transformer-report</c> picks one
/// examples-seen floor for both starts leave-one-set-out by mean validation macro-F1 (<see cref="DefaultsSweep"/>'s validation
/// split) and reads the held-out set's test scores only to report them.
/// </summary>
internal static class TransformerEpochsStudy
{
    private const string Backbone = "bert-mini";
    private const string RowsFile = "transformer.jsonl";
    private const string ResultPrefix = "bert-start-";

    public static void Run(string data, IReadOnlyList<string> sets, string encoder, IReadOnlyList<int> examplesSeen, IReadOnlyList<int?> budgets, int samples, string work, int seed, TextWriter log)
    {
        if (!File.Exists(Path.Combine(encoder, "config.json")))
            throw new DirectoryNotFoundException($"--encoder {encoder}: no pretrained encoder there. Build it with benchmarks/accuracy/run.sh --methods bert-mini-mlm-budget (cached in ~/.cache/llmfinetune-accuracy).");
        DefaultsSweep.Run(data, sets, budgets, samples, Path.Combine(work, RowsFile), new ResultStore(work), ResultPrefix, (_, _, train) =>
            new[] { false, true }.SelectMany(pretrained => Variants(pretrained, train.Count, examplesSeen))
                .Select(start => new SweepVariant(start.Name, Options(start, train.Count, encoder, seed))), seed, log);
    }

    /// <summary>
    /// The recommended epochs and the floors that change them on a training set of this size; none when no floor does (a floor
    /// below the recommended epochs' examples changes nothing).
    /// </summary>
    private static List<TransformerStart> Variants(bool pretrained, int trainCount, IEnumerable<int> examplesSeen)
    {
        var longer = examplesSeen.Where(e => e > 0 && Epochs(pretrained, trainCount, e) > Epochs(pretrained, trainCount, 0)).ToList();
        return longer.Count == 0 ? [] : [new TransformerStart(pretrained, 0), .. longer.Select(e => new TransformerStart(pretrained, e))];
    }

    private static int Epochs(bool pretrained, int trainCount, int examples) =>
        TrainingLength.EpochsToSee(TrainerOptions.Recommended(Backbone, pretrained).Epochs, examples, trainCount);

    private static FineTuningOptions Options(TransformerStart start, int trainCount, string encoder, int seed)
    {
        var trainer = TrainerOptions.Recommended(Backbone, start.Pretrained);
        trainer.Seed = seed;
        trainer.Epochs = Epochs(start.Pretrained, trainCount, start.Examples);
        return start.Pretrained
            ? new FineTuningOptions { From = encoder, Seed = seed, Trainer = trainer }
            : new FineTuningOptions { Backbone = Backbone, Seed = seed, Trainer = trainer };
    }

    /// <summary>
    /// The leave-one-set-out pick of the examples-seen floor, by mean validation macro-F1 of both starts over the other sets
    /// at every label budget, and each held-out set's test macro-F1 at that pick against the recommended epochs.
    /// </summary>
    public static string Report(string work)
    {
        var rows = DefaultsSweep.Load(Path.Combine(work, RowsFile));
        var results = new ResultStore(work);
        var examplesSeen = rows.Select(r => TransformerStart.ExamplesOf(r.Variant)).Distinct().Order().ToList();
        var byKey = rows.ToDictionary(r => (r.Set, r.Budget, r.Sample, r.Variant));
        bool[] starts = [false, true];
        // a floor not run on a (set, budget) trains exactly as the largest smaller one that ran
        SweepRow Row(SweepRow any, bool pretrained, int examples) =>
            examplesSeen.Where(e => e <= examples).Reverse().Select(e => byKey.GetValueOrDefault((any.Set, any.Budget, any.Sample, new TransformerStart(pretrained, e).Name))).First(r => r is not null)!;
        // (set, budget, sample) groups whose every variant ran, each with the starts a floor changes there: a study still running leaves its last group out
        var complete = rows.DistinctBy(r => (r.Set, r.Budget, r.Sample))
            .Select(r => (First: r, Starts: starts.Where(p => Variants(p, r.Labels, examplesSeen).Count > 0).ToList()))
            .Where(g => g.Starts.All(p => Variants(p, g.First.Labels, examplesSeen).All(v => byKey.ContainsKey((g.First.Set, g.First.Budget, g.First.Sample, v.Name))))).ToList();
        var sets = complete.Select(g => g.First.Set).Distinct().ToList();
        double Mean(bool? pretrained, int examples, Func<string, bool> inSet) =>
            complete.Where(g => inSet(g.First.Set)).SelectMany(g => g.Starts.Where(p => pretrained is null || p == pretrained).Select(p => Row(g.First, p, examples))).Average(r => r.ValMacroF1);

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Mean validation macro-F1 over {sets.Count} sets at {string.Join(" and ", complete.Select(g => g.First.Budget).Distinct().Order())} labels (the runs a floor changes):").AppendLine();
        md.AppendLine("| examples seen (at least) | scratch | pretrained | both |").AppendLine("|---:|---:|---:|---:|");
        foreach (int e in examplesSeen)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {(e == 0 ? "recommended epochs" : e.ToString("N0", CultureInfo.InvariantCulture))} | {Mean(false, e, _ => true):F4} | {Mean(true, e, _ => true):F4} | {Mean(null, e, _ => true):F4} |");
        md.AppendLine().AppendLine("Leave-one-set-out pick (both starts) and the held-out set's test macro-F1, recommended epochs → pick (paired 95 % interval on the first label sample):").AppendLine();
        md.AppendLine("| held-out set | labels | pick | scratch | pick − recommended | pretrained | pick − recommended |").AppendLine("|---|---:|---:|---:|---|---:|---|");
        foreach (string held in sets)
        {
            int pick = examplesSeen.MaxBy(e => Mean(null, e, s => s != held));
            foreach (var (first, runStarts) in complete.Where(g => g.First.Set == held && g.First.Sample == 0).OrderBy(g => g.First.Budget))
            {
                string Cells(bool pretrained)
                {
                    if (!runStarts.Contains(pretrained)) return "– | no floor changes it";
                    SweepRow before = Row(first, pretrained, 0), after = Row(first, pretrained, pick);
                    return FormattableString.Invariant($"{before.TestMacroF1:F3} → {after.TestMacroF1:F3} | ") +
                        (before.Variant == after.Variant ? "same run" : DefaultsSweep.Paired(results, held, ResultPrefix + after.Variant, ResultPrefix + before.Variant, first.Labels));
                }
                md.AppendLine(CultureInfo.InvariantCulture, $"| {held} | {first.Budget} | {pick:N0} | {Cells(false)} | {Cells(true)} |");
            }
        }
        return md.ToString();
    }
}
