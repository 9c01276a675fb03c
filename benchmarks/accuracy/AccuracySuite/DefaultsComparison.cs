using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>
/// Phase 2 of the defaults study: on every set, the library's defaults against fastText's bigram setting at 5 and 25
/// epochs; and, with <c>--autotune SECONDS</c>, <c>llmft finetune --autotune</c> against <c>fasttext supervised
/// -autotune-validation</c> with the same duration, both tuning on the same seeded stratified 90/10 split of the
/// training data (the 10 % written to a file for both); the test split is read only to score the final models.
/// Reports go to WORK/results; the seconds stored beside them are the wall time of the training process alone
/// (<c>llmft finetune</c> or <c>fasttext supervised</c>, one thread each) for the process methods, and of the
/// in-process training for <see cref="Defaults"/> and <see cref="DefaultsRefit"/>.
/// </summary>
internal static class DefaultsComparison
{
    public const string Defaults = "llmft-defaults";
    public const string FastText5 = "fasttext-bigrams-5";
    public const string FastText25 = "fasttext-bigrams-25";
    public const string DefaultsRefit = "llmft-defaults-refit";

    /// <summary><c>llmft finetune --train TRAIN</c> with every other flag at its default, as a process.</summary>
    public const string Finetune = "llmft-finetune";

    /// <summary><c>llmft finetune --train FIT --validation VALIDATION --autotune --autotune-duration SECONDS</c>, as a process.</summary>
    public const string Autotune = "llmft-autotune";
    public const string FastTextAutotune = "fasttext-autotune";

    private static readonly string[] FastTextBigrams = ["-lr", "0.5", "-wordNgrams", "2", "-dim", "64"];

    public static void Run(string data, IReadOnlyList<string> sets, string work, int seed, int? autotuneSeconds, IReadOnlyCollection<string>? only, string llmft, TextWriter log)
    {
        var results = new ResultStore(work);
        foreach (string name in sets)
        {
            var set = LabeledSet.Load(data, name, testCap: null, seed);
            var test = TextDataset.FromExamples(set.Test, labelMap: set.Labels);
            var all = TextDataset.FromExamples(set.Train, labelMap: set.Labels);
            var (fit, validation) = all.StratifiedSplit(DefaultsGrid.ValidationFraction, seed);
            // per process, so that two compares sharing a work directory never delete each other's files
            string scratch = Path.Combine(work, "scratch", name, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            var methods = new List<(string Method, Func<(EvaluationReport Report, double Seconds)> Train)>
            {
                (FastText5, () => ExternalBaselines.FastText([.. FastTextBigrams, "-epoch", "5"], set, set.Train, null, scratch, seed)),
                (FastText25, () => ExternalBaselines.FastText([.. FastTextBigrams, "-epoch", "25"], set, set.Train, null, scratch, seed)),
                (Finetune, () => FinetuneProcess(llmft, [], set.Train, null, test, scratch, seed)),
                (Defaults, () => Timed(() => TrainDefaults(all, test, seed, refit: false))),
                (DefaultsRefit, () => Timed(() => TrainDefaults(all, test, seed, refit: true))),
            };
            if (autotuneSeconds is int seconds)
            {
                string duration = seconds.ToString(CultureInfo.InvariantCulture);
                methods.Add((Autotune, () => FinetuneProcess(llmft, ["--autotune", "--autotune-duration", duration], [.. fit], [.. validation], test, scratch, seed)));
                methods.Add((FastTextAutotune, () => ExternalBaselines.FastText(["-autotune-duration", duration], set, [.. fit], [.. validation], scratch, seed)));
            }
            foreach (var (method, train) in methods)
            {
                if (only is not null && !only.Contains(method)) continue;
                if (results.TryGet(name, method, set.Train.Count, out _)) continue;
                var (report, trainSeconds) = train();
                results.Add(name, method, set.Train.Count, report, trainSeconds);
                if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
                log.WriteLine(FormattableString.Invariant($"{name,-24} {method,-20} macro-F1 {ExternalBaselines.Headline(report, "macroF1"):F4}, log-loss {ExternalBaselines.Headline(report, "logLoss"):F4} ({trainSeconds:F0} s)"));
            }
        }
    }

    /// <summary>
    /// Runs <c>dotnet LLMFT finetune</c> on JSON-lines copies of the training (and validation) examples, one thread,
    /// then scores the saved model on the test split. The seconds are the process's wall time, start-up included.
    /// </summary>
    private static (EvaluationReport Report, double Seconds) FinetuneProcess(string llmft, IReadOnlyList<string> flags, IReadOnlyList<TextExample> train,
        IReadOnlyList<TextExample>? validation, ITextDataset test, string work, int seed)
    {
        if (!File.Exists(llmft))
            throw new FileNotFoundException($"{llmft} not found: build it with 'dotnet build -c Release src/LlmFineTune.Cli' or pass --llmft PATH/llmft.dll.", llmft);
        Directory.CreateDirectory(work);
        string trainPath = Path.Combine(work, "train.jsonl"), validationPath = Path.Combine(work, "validation.jsonl"), model = Path.Combine(work, "llmft-model");
        File.WriteAllLines(trainPath, train.Select(JsonLine));
        if (validation is not null) File.WriteAllLines(validationPath, validation.Select(JsonLine));
        var clock = Stopwatch.StartNew();
        ExternalBaselines.Run("dotnet", [llmft, "finetune", "--train", trainPath, "--output", model, "--threads", "1", "--seed", seed.ToString(CultureInfo.InvariantCulture),
            .. validation is null ? [] : new[] { "--validation", validationPath }, .. flags]);
        double seconds = clock.Elapsed.TotalSeconds;
        using var classifier = TextClassifier.Load(model, Tokenizers.Load);
        return (Score(classifier, test, seed), seconds);
    }

    private static string JsonLine(TextExample example) => JsonSerializer.Serialize(new { text = example.Text, label = example.Label });

    private static (EvaluationReport Report, double Seconds) Timed(Func<EvaluationReport> train)
    {
        var clock = Stopwatch.StartNew();
        var report = train();
        return (report, clock.Elapsed.TotalSeconds);
    }

    /// <summary>What <c>Trainer.Train(model, train)</c> does with the recommended bag options (in-process, no CLI).</summary>
    private static EvaluationReport TrainDefaults(ITextDataset train, ITextDataset test, int seed, bool refit)
    {
        using var model = ClassifierFactory.Create(train, new ClassifierFactoryOptions { Seed = seed });
        var options = TrainerOptions.Recommended(ClassifierFactory.Bag, pretrained: false, train.Count);
        options.Seed = seed;
        options.RefitOnAllData = refit;
        new Trainer(options).Train(model, train);
        return Score(model, test, seed);
    }

    private static EvaluationReport Score(TextClassifier model, ITextDataset test, int seed) =>
        new Evaluator(new EvaluationOptions { Seed = seed, BootstrapSamples = 0 }).Evaluate(model, test);
}
