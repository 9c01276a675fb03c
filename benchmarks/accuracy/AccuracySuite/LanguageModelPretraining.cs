using System.Diagnostics;
using System.Text.Json;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Pretraining;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using LlmFineTune.Training.Schedules;
using static TorchSharp.torch;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>What pretraining did, kept next to the cached checkpoint.</summary>
internal sealed record PretrainingSummary(int Documents, int Steps, int Batch, int MaxLength, int Vocabulary, double PerplexityBefore, double PerplexityAfter, double Seconds, int RemovedDocuments);

/// <summary>
/// One bert-mini, MLM-pretrained once and cached, shared by every set. Corpus: debian-descriptions minus every
/// description that belongs to the debian-sections-topical test split, plus the train splits of the four sets
/// with labels dropped. No test text of any set is seen before evaluation.
/// </summary>
internal static class LanguageModelPretraining
{
    private const int HeldOut = 200;

    /// <summary>WordPiece vocabulary learned on the pretraining corpus, as <c>llmft pretrain</c> does.</summary>
    private const int Vocabulary = 8000;

    /// <summary>
    /// Twice BERT's 15 %: at a budget of a few thousand steps, more predictions per sequence leave the unigram plateau
    /// sooner (bert-mini, 800 steps on debian descriptions: held-out perplexity 421 at 30 % against 511 at 15 %).
    /// </summary>
    public const double MaskingProbability = 0.3;

    /// <summary>Peak AdamW rate: 5e-4 learned slower, 2e-3 stayed on the plateau (800-step runs, 5 % warm-up, linear decay).</summary>
    public const double LearningRate = 1e-3;

    /// <summary>The cached run's summary, or null when the encoder has not been pretrained yet.</summary>
    public static PretrainingSummary? Cached(SuiteOptions options)
    {
        string summaryPath = Path.Combine(DirectoryOf(options), "pretraining.json");
        return File.Exists(summaryPath) ? JsonSerializer.Deserialize<PretrainingSummary>(File.ReadAllText(summaryPath)) : null;
    }

    public static (string Directory, PretrainingSummary Summary) Ensure(SuiteOptions options, TextWriter log)
    {
        string directory = DirectoryOf(options);
        if (Cached(options) is { } cached)
        {
            log.WriteLine($"pretrained encoder: cached in {directory}");
            return (directory, cached);
        }

        var clock = Stopwatch.StartNew();
        var (documents, removed) = Corpus(options);
        var heldOut = documents.TakeLast(HeldOut).ToList();
        documents.RemoveRange(documents.Count - HeldOut, HeldOut);
        var tokenizer = new WordPieceTrainer(new WordPieceTrainerOptions { VocabularySize = Vocabulary }).Train(documents);
        log.WriteLine($"pretraining corpus: {documents.Count} documents ({removed} debian descriptions of the topical test split removed), vocabulary {tokenizer.VocabularySize} pieces [{clock.Elapsed:mm\\:ss}]");

        var config = BertBackboneConfig.Preset("bert-mini", tokenizer.VocabularySize);
        config.MaxPositionEmbeddings = options.MaxLength;
        config.PadTokenId = tokenizer.PadId;
        // 9,000 steps are about 1.4 passes over this corpus, so a sequence is seen once or twice: dropout would only
        // slow learning (as in "cramming" BERT).
        config.HiddenDropoutProb = config.AttentionProbsDropoutProb = 0;
        manual_seed(options.Seed);
        string temporary = directory + ".tmp-" + Environment.ProcessId;
        double before, after;
        using (var mlm = new MaskedLanguageModel(new BertBackbone(config), tokenizer, new MaskingOptions { Probability = MaskingProbability }))
        {
            var task = new PretrainingTask(mlm, tokenizer, documents, new PretrainingOptions { MaxLength = options.MaxLength, BatchSize = options.PretrainBatch });
            before = task.Evaluate(heldOut).Perplexity;
            log.WriteLine($"pretraining bert-mini: {options.PretrainSteps} steps of {options.PretrainBatch}x{options.MaxLength}, {MaskingProbability:P0} masked; held-out perplexity {before:F1} at step 0");
            var window = new List<double>();
            var progress = new Progress(p =>
            {
                window.Add(p.Loss);
                if (p.Step % 250 != 0) return;
                log.WriteLine($"  step {p.Step}/{p.TotalSteps}: mean loss of the last {window.Count} steps {window.Average():F3} [{clock.Elapsed:mm\\:ss}]");
                window.Clear();
            });
            var trainer = new Trainer(new TrainerOptions { Epochs = 1000, MaxSteps = options.PretrainSteps, BatchSize = options.PretrainBatch, LearningRate = LearningRate, MaxGradientNorm = 1.0, Seed = options.Seed },
                schedule: new LinearSchedule(warmupSteps: options.PretrainSteps / 20));
            trainer.Train(task, progress);
            after = task.Evaluate(heldOut).Perplexity;
            log.WriteLine($"pretraining done: held-out perplexity {after:F1} [{clock.Elapsed:mm\\:ss}]");
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
            LanguageModelDirectory.SaveMaskedLanguageModel(mlm, tokenizer, temporary);
        }
        var summary = new PretrainingSummary(documents.Count, options.PretrainSteps, options.PretrainBatch, options.MaxLength, tokenizer.VocabularySize, before, after, clock.Elapsed.TotalSeconds, removed);
        File.WriteAllText(Path.Combine(temporary, "pretraining.json"), JsonSerializer.Serialize(summary));
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.Move(temporary, directory);
        return (directory, summary);
    }

    private static string DirectoryOf(SuiteOptions options) =>
        Path.Combine(options.Cache, FormattableString.Invariant($"bert-mini-mlm-L{options.MaxLength}-b{options.PretrainBatch}-s{options.PretrainSteps}-seed{options.Seed}-v3"));

    /// <summary>The public pretraining corpus: debian-descriptions without the topical test split's descriptions, plus the four train splits without labels, shuffled.</summary>
    public static (List<string> Documents, int Removed) Corpus(SuiteOptions options)
    {
        var sets = SuiteOptions.AllSets.Select(name => LabeledSet.Load(options.Data, name, testCap: null, options.Seed)).ToList();
        var topicalTest = new HashSet<ulong>(sets.Single(s => s.Name == "debian-sections-topical").Test.SelectMany(e => Shingles(e.Text)));
        var documents = new List<string>();
        int removed = 0;
        foreach (var document in TextCorpus.FromFile(Path.Combine(options.Data, "corpus", "debian-descriptions.txt")).Read())
        {
            if (IsCovered(document.Text, topicalTest)) removed++;
            else documents.Add(document.Text);
        }
        documents.AddRange(sets.SelectMany(s => s.Train).Select(e => e.Text));
        new Random(options.Seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(documents));
        return (documents, removed);
    }

    // A description belongs to the test split when most of its word 6-grams occur there: its labeled row is
    // the same text with other line breaks, and shared boilerplate alone stays far below half.
    private static bool IsCovered(string text, HashSet<ulong> test)
    {
        var shingles = Shingles(text).ToList();
        return shingles.Count > 0 && shingles.Count(test.Contains) * 2 > shingles.Count;
    }

    private static IEnumerable<ulong> Shingles(string text)
    {
        var words = text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(w => (ulong)w.GetHashCode(StringComparison.Ordinal)).ToArray();
        for (int i = 0; i + 6 <= words.Length; i++)
        {
            ulong hash = 14_695_981_039_346_656_037UL;
            for (int j = i; j < i + 6; j++) hash = (hash ^ words[j]) * 1_099_511_628_211UL;
            yield return hash;
        }
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
