using System.Diagnostics;
using System.Globalization;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Training;
using LlmFineTune.Training.Autotune;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>
/// Phase 2 of the defaults study: on every set, the library's defaults (<c>ClassifierFactory.Create</c> +
/// <c>TrainerOptions.Recommended</c>, holdout and calibration included) against fastText's bigram setting at 5 and 25
/// epochs; and, with <c>--autotune SECONDS</c>, the <see cref="Autotuner"/> against <c>fasttext -autotune-validation</c>
/// with the same duration on the same 90/10 split of the training data. Reports go to WORK/results (paired bootstrap later).
/// </summary>
internal static class DefaultsComparison
{
    public const string Defaults = "llmft-defaults";
    public const string FastText5 = "fasttext-bigrams-5";
    public const string FastText25 = "fasttext-bigrams-25";
    public const string DefaultsRefit = "llmft-defaults-refit";
    public const string Autotune = "llmft-autotune";
    public const string FastTextAutotune = "fasttext-autotune";

    private static readonly string[] FastTextBigrams = ["-lr", "0.5", "-wordNgrams", "2", "-dim", "64"];

    public static void Run(string data, IReadOnlyList<string> sets, string work, int seed, int? autotuneSeconds, IReadOnlyCollection<string>? only, TextWriter log)
    {
        var results = new ResultStore(work);
        foreach (string name in sets)
        {
            var set = LabeledSet.Load(data, name, testCap: null, seed);
            var test = TextDataset.FromExamples(set.Test, labelMap: set.Labels);
            var all = TextDataset.FromExamples(set.Train, labelMap: set.Labels);
            var (fit, validation) = all.StratifiedSplit(DefaultsGrid.ValidationFraction, seed);
            string scratch = Path.Combine(work, "scratch", name);
            var methods = new List<(string Method, Func<EvaluationReport> Train)>
            {
                (FastText5, () => ExternalBaselines.FastText([.. FastTextBigrams, "-epoch", "5"], set, set.Train, null, scratch, seed)),
                (FastText25, () => ExternalBaselines.FastText([.. FastTextBigrams, "-epoch", "25"], set, set.Train, null, scratch, seed)),
                (Defaults, () => TrainDefaults(all, test, seed, refit: false)),
                (DefaultsRefit, () => TrainDefaults(all, test, seed, refit: true)),
            };
            if (autotuneSeconds is int seconds)
            {
                string duration = seconds.ToString(CultureInfo.InvariantCulture);
                methods.Add((FastTextAutotune, () => ExternalBaselines.FastText(["-autotune-duration", duration], set, [.. fit], [.. validation], scratch, seed)));
                methods.Add((Autotune, () => TrainAutotune(fit, validation, test, seed, seconds)));
            }
            foreach (var (method, train) in methods)
            {
                if (only is not null && !only.Contains(method)) continue;
                if (results.TryGet(name, method, set.Train.Count, out _)) continue;
                var watch = Stopwatch.StartNew();
                var report = train();
                results.Add(name, method, set.Train.Count, report, watch.Elapsed.TotalSeconds);
                if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
                log.WriteLine(FormattableString.Invariant($"{name,-24} {method,-20} macro-F1 {ExternalBaselines.Headline(report, "macroF1"):F4}, log-loss {ExternalBaselines.Headline(report, "logLoss"):F4} ({watch.Elapsed.TotalSeconds:F0} s)"));
            }
        }
    }

    /// <summary>What <c>llmft finetune --backbone bag</c> does with every flag at its default.</summary>
    private static EvaluationReport TrainDefaults(ITextDataset train, ITextDataset test, int seed, bool refit)
    {
        using var model = ClassifierFactory.Create(train, new ClassifierFactoryOptions { Seed = seed });
        var options = TrainerOptions.Recommended(ClassifierFactory.Bag, pretrained: false);
        options.Seed = seed;
        options.RefitOnAllData = refit;
        new Trainer(options).Train(model, train);
        return Score(model, test, seed);
    }

    private static EvaluationReport TrainAutotune(ITextDataset fit, ITextDataset validation, ITextDataset test, int seed, int seconds)
    {
        using var result = new Autotuner(new AutotuneOptions { Duration = TimeSpan.FromSeconds(seconds), Seed = seed }).Tune(fit, validation, new ClassifierFactoryOptions { Seed = seed });
        return Score(result.Model, test, seed);
    }

    private static EvaluationReport Score(TextClassifier model, ITextDataset test, int seed) =>
        new Evaluator(new EvaluationOptions { Seed = seed, BootstrapSamples = 0 }).Evaluate(model, test);
}
