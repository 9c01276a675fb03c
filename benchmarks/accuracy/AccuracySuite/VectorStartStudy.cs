using System.Diagnostics;
using System.Globalization;
using System.Text;
using LlmFineTune.Data;
using LlmFineTune.Pretraining;
using LlmFineTune.Training;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>How a study run's bag starts: from scratch (no <paramref name="Decay"/>), or from word vectors with the table's rate divided by <paramref name="Decay"/>.</summary>
/// <param name="Examples">The examples seen at least (0: the recommended 10 epochs).</param>
/// <param name="SelfPretrained">The vectors are the set's own (self-pretraining), not the public corpus's.</param>
internal sealed record BagStart(double? Decay, int Examples, bool SelfPretrained = false)
{
    /// <summary>The variant's name in the results: <c>scratch-eE</c>, <c>decayD-eE</c> or <c>self-eE</c>.</summary>
    public string Name => FormattableString.Invariant($"{(SelfPretrained ? "self" : Decay is { } d ? $"decay{d}" : "scratch")}-e{Examples}");
}

/// <summary>
/// How long the bag should train on a few labels, and how it should fine-tune a table that starts from word vectors
/// (issue 17): <c>AccuracySuite defaults vectors</c> trains the library's recommended bag (<see cref="FineTuning.Run"/>,
/// every other setting at its default) for each of <see cref="ExamplesSeen"/>, from scratch and from the public-corpus
/// vectors with the table's learning rate divided by each of <see cref="Decays"/> (<see cref="TrainerOptions.LayerLearningRateDecay"/>),
/// on every set, at 100, 500 and all labels, on several label samples; with <c>--self true</c> also from skip-gram vectors
/// pretrained on the set's own fit-part texts (self-pretraining, <see cref="Self"/>). Each set's training split loses a
/// seeded, stratified 10 % first: the validation split that selection reads. <c>defaults vectors-report</c> picks the
/// examples seen (scratch) and the (divisor, examples seen) pair (vectors) leave-one-set-out by mean validation macro-F1,
/// and reads the held-out set's test scores (paired bootstrap on the first sample) only to report them.
/// </summary>
internal static class VectorStartStudy
{
    public static readonly double[] Decays = [1, 3, 10, 30];
    public static readonly int[] ExamplesSeen = [0, 3_000, 10_000, 30_000];

    /// <summary>Self-pretraining: skip-gram vectors (the library's defaults) on the set's own fit-part texts, then the recommended bag from them.</summary>
    public static readonly BagStart Self = new(Decay: 1, TrainerOptions.BagMinimumExamplesSeen, SelfPretrained: true);

    public static string Variant(double? decay, int examples) => new BagStart(decay, examples).Name;

    /// <summary>The variants that differ on a training set of this size (more examples seen than 10 epochs give changes nothing on a large set).</summary>
    private static List<BagStart> Variants(int trainCount) =>
        [.. ExamplesSeen.Where(e => e == 0 || Epochs(trainCount, e) > Epochs(trainCount, 0))
            .SelectMany(e => ((double?[])[null, .. Decays.Select(d => (double?)d)]).Select(d => new BagStart(d, e)))];

    private static int Epochs(int trainCount, int examples) =>
        TrainingLength.EpochsToSee(TrainerOptions.Recommended(Modeling.ClassifierFactory.Bag, pretrained: false).Epochs, examples, trainCount);

    public static void Run(string data, IReadOnlyList<string> sets, string vectors, IReadOnlyList<int?> budgets, int samples, bool self, string work, int seed, TextWriter log)
    {
        if (!File.Exists(Path.Combine(vectors, "config.json")))
            throw new DirectoryNotFoundException($"--vectors {vectors}: no word vectors there. Build them with benchmarks/accuracy/run.sh --methods bag-vectors (cached in ~/.cache/llmfinetune-accuracy).");
        DefaultsSweep.Run(data, sets, budgets, samples, Path.Combine(work, RowsFile), new ResultStore(work), ResultPrefix, (name, fit, train) =>
        {
            string? selfVectors = self ? SelfVectors(work, name, fit, seed, log) : null;
            return (self ? [.. Variants(train.Count), Self] : Variants(train.Count))
                .Select(start => new SweepVariant(start.Name, Options(start, train.Count, start.SelfPretrained ? selfVectors! : vectors, seed)));
        }, seed, log);
    }

    private const string RowsFile = "vectors.jsonl";
    private const string ResultPrefix = "bag-start-";

    /// <summary>The library's recommended bag training, from scratch or from the vectors with the table's rate divided, for the variant's epochs.</summary>
    private static FineTuningOptions Options(BagStart start, int trainCount, string vectors, int seed)
    {
        var trainer = TrainerOptions.Recommended(Modeling.ClassifierFactory.Bag, pretrained: start.Decay is not null);
        trainer.Seed = seed;
        trainer.Epochs = Epochs(trainCount, start.Examples);
        if (start.Decay is { } decay) trainer.LayerLearningRateDecay = decay;
        return new FineTuningOptions { From = start.Decay is null ? null : vectors, Seed = seed, Trainer = trainer };
    }

    /// <summary>The cached skip-gram vectors (library defaults: the bag's hashing and width) on one set's fit-part texts, without their labels.</summary>
    private static string SelfVectors(string work, string set, IEnumerable<TextExample> fit, int seed, TextWriter log)
    {
        string directory = Path.Combine(work, "self-vectors", set);
        if (File.Exists(Path.Combine(directory, "config.json"))) return directory;
        string temporary = directory + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        var clock = Stopwatch.StartNew();
        var result = WordVectorPretraining.Run(fit.Select(e => e.Text), temporary, new WordVectorOptions { Seed = seed });
        Directory.Move(temporary, directory);
        log.WriteLine(FormattableString.Invariant($"{set}: self-pretrained vectors on {result.Words:N0} words x {result.Epochs} epochs, loss {result.FirstEpochLoss:F3} -> {result.LastEpochLoss:F3} ({clock.Elapsed.TotalSeconds:F0} s)"));
        return directory;
    }

    /// <summary>
    /// Leave-one-set-out choices, by mean validation macro-F1 over the other sets at 100 and 500 labels: the examples seen from
    /// scratch, and the (divisor, examples seen) from the vectors; then each held-out set's test scores at those choices
    /// against the recommended bag of before (scratch, 10 epochs).
    /// </summary>
    public static string Report(string work)
    {
        var rows = DefaultsSweep.Load(Path.Combine(work, RowsFile));
        var results = new ResultStore(work);
        var sets = rows.Select(r => r.Set).Distinct().ToList();
        var byKey = rows.ToDictionary(r => (r.Set, r.Budget, r.Sample, r.Variant));
        // a variant not run on a (set, budget) trains exactly as the largest smaller examples-seen one that ran
        SweepRow Row(SweepRow any, double? decay, int examples) =>
            ExamplesSeen.Where(e => e <= examples).Reverse().Select(e => byKey.GetValueOrDefault((any.Set, any.Budget, any.Sample, Variant(decay, e)))).First(r => r is not null)!;
        // (set, budget, sample) groups whose every variant ran: a study still running leaves its last group out
        var complete = rows.Where(r => r.Variant == Variant(null, 0) && Variants(r.Labels).All(v => byKey.ContainsKey((r.Set, r.Budget, r.Sample, v.Name)))).ToList();
        var small = complete.Where(r => r.Budget is not null).ToList();
        double Mean(double? decay, int examples, Func<string, bool> inSet) => small.Where(r => inSet(r.Set)).Average(r => Row(r, decay, examples).ValMacroF1);
        var vectorChoices = Decays.SelectMany(d => ExamplesSeen.Select(e => ((double?)d, e))).ToList();

        var md = new StringBuilder();
        md.AppendLine("Mean validation macro-F1 at 100 and 500 labels, all sets and samples:").AppendLine();
        md.AppendLine("| examples seen (at least) | scratch | " + string.Join(" | ", Decays.Select(d => FormattableString.Invariant($"vectors, table rate / {d}"))) + " |");
        md.AppendLine("|---:|---:|" + string.Concat(Decays.Select(_ => "---:|")));
        foreach (int e in ExamplesSeen)
        {
            string vectorMeans = string.Join(" | ", Decays.Select(d => Mean(d, e, _ => true).ToString("F4", CultureInfo.InvariantCulture)));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {(e == 0 ? "10 epochs" : e.ToString("N0", CultureInfo.InvariantCulture))} | {Mean(null, e, _ => true):F4} | {vectorMeans} |");
        }
        md.AppendLine().AppendLine("Leave-one-set-out picks and the held-out set's test macro-F1 (paired 95 % intervals on the first label sample; means over all samples after the slash):").AppendLine();
        md.AppendLine("| held-out set | labels | scratch pick | vectors pick | before: scratch, 10 epochs | scratch at its pick | vectors at its pick | vectors − scratch (picks) | self-pretrained vectors | self − scratch (picks) |");
        md.AppendLine("|---|---:|---|---|---:|---:|---:|---|---:|---|");
        foreach (string held in sets)
        {
            int scratchPick = ExamplesSeen.MaxBy(e => Mean(null, e, s => s != held));
            var vectorPick = vectorChoices.MaxBy(c => Mean(c.Item1, c.e, s => s != held));
            foreach (var budget in rows.Where(r => r.Set == held).Select(r => r.Budget).Distinct().OrderBy(b => b ?? int.MaxValue))
            {
                var baseline = complete.Where(r => r.Set == held && r.Budget == budget).OrderBy(r => r.Sample).ToList();
                if (baseline.Count == 0) continue;
                string Cell(Func<SweepRow, SweepRow> pick) =>
                    FormattableString.Invariant($"{pick(baseline[0]).TestMacroF1:F3} / {baseline.Average(r => pick(r).TestMacroF1):F3}");
                var a = Row(baseline[0], vectorPick.Item1, vectorPick.e);
                var b = Row(baseline[0], null, scratchPick);
                string Paired(string variant) => DefaultsSweep.Paired(results, held, ResultPrefix + variant, ResultPrefix + b.Variant, a.Labels);
                var selfRows = baseline.Select(r => byKey.GetValueOrDefault((r.Set, r.Budget, r.Sample, Self.Name))).OfType<SweepRow>().ToList();
                string selfCell = selfRows.Count == baseline.Count ? FormattableString.Invariant($"{selfRows[0].TestMacroF1:F3} / {selfRows.Average(r => r.TestMacroF1):F3}") : "–";
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {held} | {budget?.ToString(CultureInfo.InvariantCulture) ?? "all"} | {Variant(null, scratchPick)} | {Variant(vectorPick.Item1, vectorPick.e)} | {Cell(r => r)} | {Cell(r => Row(r, null, scratchPick))} | {Cell(r => Row(r, vectorPick.Item1, vectorPick.e))} | {Paired(a.Variant)} | {selfCell} | {(selfCell == "–" ? "–" : Paired(Self.Name))} |");
            }
        }
        return md.ToString();
    }
}
