// SpamFilter: a fastText-style bag-of-n-grams classifier on real mail (SpamAssassin public corpus,
// 4,726 training and 1,183 test messages), with an honest evaluation report: metrics with
// bootstrap intervals, per-class table, Markdown and JSON reports and a confusion-matrix PNG.
//
//   ../shared/data/build.sh spamassassin              (once; or set LLMFT_DATA)
//   dotnet run --project examples/SpamFilter -c Release [-- --out DIR] [--quick]
using System.Diagnostics;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Runtime;
using LlmFineTune.Plotting;
using LlmFineTune.Training;

namespace LlmFineTune.Examples.SpamFilter;

/// <summary>The SpamFilter program.</summary>
public static class Program
{
    /// <summary>Runs the example on the console.</summary>
    /// <param name="args"><c>--quick</c> for a smoke run; <c>--out DIR</c> for the reports.</param>
    /// <returns>0, or 2 when the data set has not been built.</returns>
    public static int Main(string[] args)
    {
        // A training program owns its process: take the allocator and thread tuning (off by default in the library).
        TorchRuntime.PerformanceDefaults = true;
        return Run(args, Console.Out, Console.Error);
    }

    /// <summary>Runs the example, writing to the given streams.</summary>
    /// <param name="args"><c>--quick</c> for a smoke run; <c>--out DIR</c> for the reports.</param>
    /// <param name="output">Where results go.</param>
    /// <param name="error">Where a missing data set is reported.</param>
    /// <returns>0, or 2 when the data set has not been built.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        bool quick = args.Contains("--quick");
        int outIndex = Array.IndexOf(args, "--out");
        string reports = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine(Path.GetTempPath(), "llmft-spamfilter");
        if (SharedData.Labeled("spamassassin", "train") is not { } trainPath || SharedData.Labeled("spamassassin", "test") is not { } testPath)
        {
            error.WriteLine($"SpamFilter: the spamassassin data set is not in {SharedData.Root}. Build it with ../shared/data/build.sh spamassassin, or set LLMFT_DATA.");
            return 2;
        }
        var clock = Stopwatch.StartNew();
        var train = TextDataset.FromTsv(trainPath);
        var test = TextDataset.FromTsv(testPath, new TextDatasetLoadOptions { LabelMap = train.LabelMap });
        if (quick)
        {
            train = train.FirstPerClass(100, seed: 1);
            test = test.FirstPerClass(50, seed: 1);
        }
        output.WriteLine($"{train.Count} training and {test.Count} test mails: {string.Join(", ", train.LabelMap.Select(l => $"{train.Count(e => e.Label == l)} {l}"))} in training");

        // Word unigrams and bigrams hashed into buckets, averaged into one vector: fast and strong on spam.
        using var model = ClassifierFactory.Create(train, new ClassifierFactoryOptions { Backbone = ClassifierFactory.Bag, BagBuckets = quick ? 1 << 14 : 1 << 18, BagDimension = 32 });
        var options = TrainerOptions.Recommended(ClassifierFactory.Bag, pretrained: false);
        options.Epochs = quick ? 2 : 5;
        options.BatchSize = 32;
        var result = new Trainer(options).Train(model, train);
        output.WriteLine($"trained {result.Steps} steps in {clock.Elapsed.TotalSeconds:F0} s, final loss {result.FinalLoss:F4}");

        var report = new Evaluator(new EvaluationOptions { BootstrapSamples = quick ? 100 : 1000 }).Evaluate(model, test);
        output.WriteLine(report.ToMarkdown());
        Directory.CreateDirectory(reports);
        report.Save(Path.Combine(reports, "report.json"));
        File.WriteAllText(Path.Combine(reports, "report.md"), report.ToMarkdown());
        EvaluationPlots.ConfusionMatrix(report, Path.Combine(reports, "confusion-matrix.png"), normalize: false);
        output.WriteLine($"reports: {Path.Combine(reports, "report.md")}, report.json, confusion-matrix.png  ({clock.Elapsed.TotalSeconds:F0} s)");
        return 0;
    }
}
