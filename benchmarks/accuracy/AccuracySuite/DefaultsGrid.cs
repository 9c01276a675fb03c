using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using LlmFineTune.Training.Optimizers;
using LlmFineTune.Training.Schedules;
using static TorchSharp.torch;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>One bag setting of the defaults grid (AdamW, linear decay to zero, epoch chosen on the validation split).</summary>
internal sealed record BagGridSetting(string Name, double LearningRate, int Epochs, int Dimension, int WordNgrams, int Buckets, int MaxLength, int Batch, double Dropout, double WeightDecay)
{
    /// <summary>The centre of the grid: the bag defaults before this study, with a decaying schedule.</summary>
    public static readonly BagGridSetting Base = new("base", 0.05, 10, 64, 2, 1 << 18, 256, 16, 0.1, 0.01);

    /// <summary>One factor at a time around <see cref="Base"/>, most promising first (the grid runs in this order).</summary>
    public static readonly BagGridSetting[] All =
    [
        Base,
        Base with { Name = "lr0.02", LearningRate = 0.02 },
        Base with { Name = "len2048", MaxLength = 2048 },
        Base with { Name = "ngram1", WordNgrams = 1 },
        Base with { Name = "batch64", Batch = 64 },
        Base with { Name = "nodrop-nowd", Dropout = 0, WeightDecay = 0 },
        Base with { Name = "ep20", Epochs = 20 },
        Base with { Name = "lr0.1", LearningRate = 0.1 },
        Base with { Name = "dim128", Dimension = 128 },
        Base with { Name = "ep5", Epochs = 5 },
        Base with { Name = "lr0.01", LearningRate = 0.01 },
        Base with { Name = "ngram3", WordNgrams = 3 },
        Base with { Name = "dim32", Dimension = 32 },
        Base with { Name = "buckets2M", Buckets = 1 << 21 },
        // around the chosen default (lr 0.02), for the debian-sections gap: no truncation, more buckets, more epochs
        Base with { Name = "lr0.02-len2048", LearningRate = 0.02, MaxLength = 2048 },
        Base with { Name = "lr0.02-buckets2M", LearningRate = 0.02, Buckets = 1 << 21 },
        Base with { Name = "lr0.02-ep20", LearningRate = 0.02, Epochs = 20 },
        // for the epoch rule across ten sets (fourth session): without regularisation, the one setting the rules might interact with
        Base with { Name = "lr0.02-nodrop-nowd", LearningRate = 0.02, Dropout = 0, WeightDecay = 0 },
    ];
}

/// <summary>Per-epoch validation and test scores of one grid run; selection only ever reads the Val* fields.</summary>
/// <param name="ValCalibratedLoss">Validation log-loss after temperature scaling fitted on the validation split at that epoch (absent in older records).</param>
/// <param name="Halves">Loss and macro-F1 on each half of the validation split (seeded, stratified; absent in older
/// records): an epoch rule applied to one half is scored on the other, so rules are compared without the test split.</param>
internal sealed record EpochScores(string Set, string Setting, int Epoch, double ValLoss, double ValMacroF1, double TestMacroF1, double TestAccuracy, double TestLogLoss, double Seconds,
    double? ValCalibratedLoss = null, HalfScores[]? Halves = null);

/// <summary>Validation loss and macro-F1 on one half of the validation split.</summary>
internal sealed record HalfScores(double Loss, double MacroF1);

/// <summary>
/// Phase 1 of the defaults study: every grid setting on every set, trained on 90 % of the training split (seeded,
/// stratified) and scored after each epoch on the held-out 10 % (validation) and on the test split. The test
/// scores are recorded for the leave-one-set-out report only; nothing chooses by them.
/// </summary>
internal static class DefaultsGrid
{
    public const double ValidationFraction = 0.1;

    public static void Run(string data, IReadOnlyList<string> sets, IReadOnlyList<BagGridSetting> settings, string resultsPath, int seed, TextWriter log)
    {
        var done = Load(resultsPath).Select(r => (r.Set, r.Setting)).ToHashSet();
        var splits = new Dictionary<string, (ITextDataset Fit, ITextDataset Validation, ITextDataset Test)>(StringComparer.Ordinal);
        // settings outside, sets inside: whatever has finished when the run is stopped covers every set
        foreach (var setting in settings)
            foreach (string name in sets)
            {
                if (done.Contains((name, setting.Name))) continue;
                if (!splits.TryGetValue(name, out var split))
                {
                    var set = LabeledSet.Load(data, name, testCap: null, seed);
                    var (fit, validation) = TextDataset.FromExamples(set.Train, labelMap: set.Labels).StratifiedSplit(ValidationFraction, seed);
                    splits[name] = split = (fit, validation, TextDataset.FromExamples(set.Test, labelMap: set.Labels));
                }
                var rows = Train(name, setting, split.Fit, split.Validation, split.Test, seed);
                File.AppendAllLines(resultsPath, rows.Select(r => JsonSerializer.Serialize(r)));
                var best = rows.MaxBy(r => r.ValMacroF1)!;
                log.WriteLine(FormattableString.Invariant($"{name,-24} {setting.Name,-12} best val macro-F1 {best.ValMacroF1:F4} at epoch {best.Epoch} (test {best.TestMacroF1:F4}) {rows[^1].Seconds:F0} s"));
            }
    }

    public static List<EpochScores> Load(string path) =>
        File.Exists(path) ? [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<EpochScores>(l)!)] : [];

    /// <summary>Builds the bag classifier a setting describes (hashing tokenizer, bag, linear head).</summary>
    public static TextClassifier Build(BagGridSetting s, LabelMap labels, int seed)
    {
        manual_seed(seed);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = s.Buckets, WordNgrams = s.WordNgrams });
        return new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, s.Dimension),
            new SingleLabelHead(s.Dimension, labels.Count, new HeadOptions { Dropout = s.Dropout }), labels, s.MaxLength);
    }

    private static List<EpochScores> Train(string set, BagGridSetting s, ITextDataset fit, ITextDataset validation, ITextDataset test, int seed)
    {
        using var model = Build(s, fit.LabelMap, seed);
        var clock = Stopwatch.StartNew();
        var scorer = new TestScorer(set, s.Name, model, validation, test, clock, seed);
        new Trainer(new TrainerOptions { Epochs = s.Epochs, LearningRate = s.LearningRate, BatchSize = s.Batch, Seed = seed },
                new AdamWFactory(weightDecay: s.WeightDecay), new LinearSchedule(), [scorer])
            .Train(model, fit, validation);
        return scorer.Rows;
    }

    /// <summary>
    /// After each evaluation, scores the validation split after temperature scaling (the loss a rule that ignores
    /// over-confidence would select by), each half of the validation split, and the test split too (head in eval
    /// mode, so dropout is off).
    /// </summary>
    private sealed class TestScorer(string set, string setting, TextClassifier model, ITextDataset validation, ITextDataset test, Stopwatch clock, int seed) : ITrainingCallback
    {
        private readonly Evaluator evaluator = new(new EvaluationOptions { BootstrapSamples = 0, KeepExamples = false });
        private readonly (TextDataset A, TextDataset B) halves = validation.StratifiedSplit(0.5, seed);

        public List<EpochScores> Rows { get; } = [];

        public void OnEvaluate(TrainerState state, TrainerControl control)
        {
            var head = (nn.Module)model.Head;
            head.eval();
            var report = evaluator.Evaluate(model, test);
            HalfScores[] halfScores = [.. new[] { halves.A, halves.B }.Select(h => evaluator.Evaluate(model, h)).Select(r => new HalfScores(r.LogLoss!.Value, r.MacroF1!.Value))];
            model.Temperature = TemperatureScaling.Fit(model, validation);
            double calibratedLoss = evaluator.Evaluate(model, validation).LogLoss!.Value;
            model.Temperature = 1;
            head.train();
            var v = state.LastEvaluation!;
            Rows.Add(new EpochScores(set, setting, state.Epoch, v["loss"], v["macroF1"], report.MacroF1!.Value, report.Accuracy, report.LogLoss!.Value, clock.Elapsed.TotalSeconds, calibratedLoss, halfScores));
        }
    }
}
