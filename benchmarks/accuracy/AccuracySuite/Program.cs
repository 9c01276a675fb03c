// Accuracy suite (issue 10): on four real data sets and at label budgets of 100, 500 and all, trains and scores
// Naive Bayes, fastText (defaults and bigrams), the library's bag of n-grams, bert-mini from scratch and bert-mini
// MLM-pretrained then fine-tuned; writes a Markdown table and macro-F1-vs-labels plots into docs/.
//
//   benchmarks/accuracy/run.sh [--quick]     (builds the shared data first; see docs/accuracy.md)
//   dotnet run -c Release --project benchmarks/accuracy/AccuracySuite -- [--quick] [--sets a,b] [--methods a,b]
//       [--render] [--budgets 100,500,all] [--data DIR] [--shared DIR] [--work DIR] [--cache DIR] [--docs DIR] [--seed 42] [--threads 2]
//       [--bag-lr 0.02] [--bag-epochs 10] [--bag-buckets 262144] [--bag-dim 64] [--bag-char-ngrams 3-5] [--pretrain-minutes 15]
//
// Issue 17's methods pretrain with the library's defaults at an equal wall-clock budget (--pretrain-minutes) and are
// cached per corpus: bert-mini-mlm-budget (public corpus), bert-mini-mlm-self (the set's training texts), their ELECTRA
// counterparts bert-mini-electra-budget and bert-mini-electra-self (replaced-token detection), bag-vectors
// and bag-vectors-self (skip-gram word vectors under the bag's hashing). For the budget study on an idle machine:
//   benchmarks/accuracy/run.sh --methods fasttext,bag,bag-vectors,bag-vectors-self,bert-mini-scratch,bert-mini-mlm-budget,bert-mini-mlm-self
//
// Macro-F1 against pretraining minutes, from runs at several --pretrain-minutes (each in its own --work):
//   dotnet AccuracySuite.dll minutes --set spamassassin --points 0=W15,5=W5,15=W15,45=W45 [--docs docs]
//
// Every finished run is kept in the work directory (an EvaluationReport JSON), so an interrupted suite resumes
// where it stopped and the documents can be rendered again from what exists. The pretrained encoder is cached
// in the cache directory (default ~/.cache/llmfinetune-accuracy).
using System.Diagnostics;
using LlmFineTune.Benchmarks.Accuracy;
using LlmFineTune.Evaluation;
using LlmFineTune.Runtime;
using static TorchSharp.torch;

if (args is ["defaults", .. var studyArguments])
{
    DefaultsStudy.Run(studyArguments, Console.Out);
    return;
}
if (args is ["minutes", .. var curveArguments])
{
    MinutesCurve.Run(curveArguments, Console.Out);
    return;
}
var options = SuiteOptions.Parse(args);
TorchRuntime.PerformanceDefaults = true;
TorchRuntime.EnsureAvailable();
set_num_threads(options.Threads);
var log = Console.Out;
var clock = Stopwatch.StartNew();
var results = new ResultStore(options.Work);

bool needsBert = !options.RenderOnly && (options.Methods.Contains(Method.BertScratch) || options.Methods.Contains(Method.BertPretrained));
var (pretrainedDirectory, pretraining) = needsBert ? LanguageModelPretraining.Ensure(options, log) : (null, LanguageModelPretraining.Cached(options));

foreach (string name in options.RenderOnly ? [] : options.Sets)
{
    var set = LabeledSet.Load(options.Data, name, options.TestCap, options.Seed);
    log.WriteLine($"{name}: {set.Train.Count} train, {set.Test.Count} test, {set.Labels.Count} classes [{clock.Elapsed:mm\\:ss}]");
    foreach (int? budget in options.Budgets)
    {
        var train = set.Budget(budget, options.Seed);
        foreach (string method in options.Methods)
        {
            if (results.TryGet(name, method, train.Count, out _)) continue;
            var watch = Stopwatch.StartNew();
            string scratch = Path.Combine(options.Work, "scratch", name, $"{method}-{train.Count}");
            var report = method switch
            {
                Method.NaiveBayes => NaiveBayesReport(ExternalBaselines.NaiveBayes(options.Shared, set, train, scratch)),
                Method.FastText or Method.FastTextBigrams => ExternalBaselines.FastText(method, set, train, scratch, options.Seed),
                Method.FastTextVectors => ExternalBaselines.FastText([.. ExternalBaselines.FastTextArguments(Method.FastTextBigrams), "-pretrainedVectors", BudgetedPretraining.FastTextVectors(options, log)],
                    set, train, validation: null, scratch, options.Seed).Report,
                Method.Bag => OurModels.Bag(options, set, train),
                Method.BagVectors => OurModels.Bag(options, set, train, BudgetedPretraining.Vectors(options, null, log)),
                Method.BagVectorsSelf => OurModels.Bag(options, set, train, BudgetedPretraining.Vectors(options, set, log)),
                Method.BertScratchBudget => OurModels.Bert(options, set, train, BudgetedPretraining.Encoder(options, null, log), pretrained: false),
                Method.BertBudget => OurModels.Bert(options, set, train, BudgetedPretraining.Encoder(options, null, log), pretrained: true),
                Method.BertSelf => OurModels.Bert(options, set, train, BudgetedPretraining.Encoder(options, set, log), pretrained: true),
                Method.ElectraBudget => OurModels.Bert(options, set, train, BudgetedPretraining.Encoder(options, null, log, electra: true), pretrained: true),
                Method.ElectraSelf => OurModels.Bert(options, set, train, BudgetedPretraining.Encoder(options, set, log, electra: true), pretrained: true),
                _ => OurModels.Bert(options, set, train, pretrainedDirectory!, pretrained: method == Method.BertPretrained),
            };
            results.Add(name, method, train.Count, report, watch.Elapsed.TotalSeconds);
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);   // fastText's bigram model alone is 500 MB
            log.WriteLine(FormattableString.Invariant($"  {method,-22} {train.Count,6} labels: macro-F1 {report.MacroF1:F4}, accuracy {report.Accuracy:F4} ({watch.Elapsed.TotalSeconds:F0} s) [{clock.Elapsed:mm\\:ss}]"));
        }
    }
}

var written = ResultsDocument.Write(options, results, pretraining, string.Join(' ', args));
log.WriteLine($"wrote {string.Join(", ", written)} [{clock.Elapsed:mm\\:ss}]");

static EvaluationReport NaiveBayesReport((double Accuracy, double MacroF1) score) =>
    new() { Task = LlmFineTune.Data.TaskKind.SingleLabel, Accuracy = score.Accuracy, MacroF1 = score.MacroF1 };
