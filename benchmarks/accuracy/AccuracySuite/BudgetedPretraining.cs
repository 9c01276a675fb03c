using System.Diagnostics;
using System.Globalization;
using LlmFineTune.Pretraining;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>
/// Pretraining at equal wall-clock budgets with the library's defaults (issue 17), cached per corpus: bert-mini MLM (or ELECTRA's
/// replaced-token detection) for <c>--pretrain-minutes</c> (<see cref="LanguageModelPretrainingOptions.TimeBudget"/>), and skip-gram word vectors for the bag
/// under the bag's own hashing. The corpus is either the public one without any test text (<see cref="LanguageModelPretraining.Corpus"/>)
/// or one set's training texts without their labels (self-pretraining).
/// </summary>
internal static class BudgetedPretraining
{
    /// <summary>The cached bert-mini pretrained (masked LM, or ELECTRA) for the budget on the corpus (null set) or on that set's training texts (v2: calibrated by padded size).</summary>
    public static string Encoder(SuiteOptions options, LabeledSet? set, TextWriter log, bool electra = false) =>
        Cached(options, EncoderName(electra, set?.Name, options.PretrainMinutes, options.MaxLength, options.Seed), log, (documents, directory) =>
        {
            var result = LlmFineTune.Pretraining.LanguageModelPretraining.Run(documents, directory, new LanguageModelPretrainingOptions
            {
                Backbone = "bert-mini",
                MaxLength = options.MaxLength,
                TimeBudget = TimeSpan.FromMinutes(options.PretrainMinutes),
                HeldOutDocuments = Math.Min(200, documents.Count / 10),
                ReplacedTokenDetection = electra ? new ReplacedTokenDetectionOptions() : null,
                Seed = options.Seed,
            });
            string heldOut = electra
                ? FormattableString.Invariant($"held-out loss {result.Before?.Loss:F2} -> {result.After?.Loss:F2}")
                : FormattableString.Invariant($"held-out perplexity {result.Before?.Perplexity:F0} -> {result.After?.Perplexity:F1}");
            return FormattableString.Invariant($"{result.Training.Steps} steps ({result.Calibration!.SecondsPerStep:F3} s/step), {heldOut}");
        }, set);

    /// <summary>The cache folder of a budgeted encoder on the corpus (null set) or on that set's training texts.</summary>
    public static string EncoderName(bool electra, string? set, int minutes, int maxLength, int seed) =>
        FormattableString.Invariant($"budget-{(electra ? "electra" : "mlm")}-{set ?? "corpus"}-{minutes}m-L{maxLength}-seed{seed}-v2");

    /// <summary>The cached skip-gram vectors (the bag's hashing and width) on the corpus (null set) or on that set's training texts.</summary>
    public static string Vectors(SuiteOptions options, LabeledSet? set, TextWriter log)
    {
        var bag = options.Bag;
        return Cached(options, VectorsName(bag, set?.Name, options.Seed), log, (documents, directory) =>
        {
            var result = WordVectorPretraining.Run(documents, directory, new WordVectorOptions
            {
                Tokenizer = new HashingTokenizerOptions { Buckets = bag.Buckets, WordNgrams = 2, MinCharNgram = bag.MinCharNgram, MaxCharNgram = bag.MaxCharNgram },
                Dimension = bag.Dimension,
                Seed = options.Seed,
            });
            return FormattableString.Invariant($"{result.Words:N0} words x {result.Epochs} epochs, loss {result.FirstEpochLoss:F3} -> {result.LastEpochLoss:F3}");
        }, set);
    }

    /// <summary>The cache folder of the skip-gram vectors for a bag setting, on the corpus (null set) or on that set's training texts.</summary>
    public static string VectorsName(BagSettings bag, string? set, int seed) =>
        FormattableString.Invariant($"vectors-skipgram-{set ?? "corpus"}-b{bag.Buckets}-d{bag.Dimension}-c{bag.MinCharNgram}-{bag.MaxCharNgram}-seed{seed}-v1");

    /// <summary>
    /// The cached <c>fasttext skipgram</c> vectors (its defaults: subwords 3-6, window 5, 5 epochs; width 64 as the
    /// bigram setting) on the public corpus, the same documents and preprocessing as fastText's supervised runs get:
    /// the path of the <c>.vec</c> file that <c>-pretrainedVectors</c> reads.
    /// </summary>
    public static string FastTextVectors(SuiteOptions options, TextWriter log) =>
        Path.Combine(Cached(options, FormattableString.Invariant($"fasttext-skipgram-corpus-d64-seed{options.Seed}-v1"), log, (documents, directory) =>
        {
            Directory.CreateDirectory(directory);
            string corpus = Path.Combine(directory, "corpus.txt"), vectors = Path.Combine(directory, "vectors");
            File.WriteAllLines(corpus, documents.Select(ExternalBaselines.FastTextTokens));
            ExternalBaselines.Run("fasttext", ["skipgram", "-input", corpus, "-output", vectors, "-dim", "64", "-thread", options.Threads.ToString(CultureInfo.InvariantCulture),
                "-seed", options.Seed.ToString(CultureInfo.InvariantCulture), "-verbose", "0"]);
            // the .bin holds every subword bucket (2M x 64 floats); -pretrainedVectors reads the .vec alone
            File.Delete(vectors + ".bin");
            File.Delete(corpus);
            return $"fasttext skipgram -dim 64, {File.ReadLines(vectors + ".vec").First()} (words, width)";
        }, set: null), "vectors.vec");

    private static string Cached(SuiteOptions options, string name, TextWriter log, Func<List<string>, string, string> pretrain, LabeledSet? set)
    {
        string directory = Path.Combine(options.Cache, name);
        if (File.Exists(Path.Combine(directory, "done.txt")))
            return directory;
        var clock = Stopwatch.StartNew();
        var documents = set is null ? LanguageModelPretraining.Corpus(options).Documents : [.. set.Train.Select(e => e.Text)];
        string temporary = directory + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        string summary = pretrain(documents, temporary);
        File.WriteAllText(Path.Combine(temporary, "done.txt"), FormattableString.Invariant($"{summary}; {documents.Count} documents; {clock.Elapsed.TotalMinutes:F1} min\n"));
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        Directory.Move(temporary, directory);
        log.WriteLine($"pretrained {name}: {summary} [{clock.Elapsed:mm\\:ss}]");
        return directory;
    }
}
