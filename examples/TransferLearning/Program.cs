// TransferLearning: what pretraining buys at different amounts of labeled data. One bert-tiny
// encoder is pretrained (masked LM) on the unlabeled support mailbox; then, for several label
// budgets (the first N requests of every intent), the same architecture is fine-tuned from that
// encoder and from scratch, and both are scored on the same held-out test set with intervals.
//
//   dotnet run --project examples/TransferLearning -c Release [-- --quick]
using System.Diagnostics;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Runtime;
using LlmFineTune.Pretraining;
using LlmFineTune.Training;

namespace LlmFineTune.Examples.TransferLearning;

/// <summary>The TransferLearning program.</summary>
public static class Program
{
    /// <summary>Runs the study on the console.</summary>
    /// <param name="args"><c>--quick</c> for a smoke run.</param>
    /// <returns>0.</returns>
    public static int Main(string[] args)
    {
        // A training program owns its process: take the allocator and thread tuning (off by default in the library).
        TorchRuntime.PerformanceDefaults = true;
        return Run(args, Console.Out);
    }

    /// <summary>Runs the study, writing to <paramref name="output"/>.</summary>
    /// <param name="args"><c>--quick</c> for a smoke run.</param>
    /// <param name="output">Where the table goes.</param>
    /// <returns>0.</returns>
    public static int Run(string[] args, TextWriter output)
    {
        bool quick = args.Contains("--quick");
        string data = Path.Combine(AppContext.BaseDirectory, "data", "support-tickets");
        string work = Directory.CreateTempSubdirectory("llmft-transfer-").FullName;
        var clock = Stopwatch.StartNew();
        const int maxLength = 64;

        var mails = File.ReadLines(Path.Combine(data, "mailbox.txt")).Where(line => line.Length > 0).Take(quick ? 300 : int.MaxValue).ToList();
        string pretrained = Path.Combine(work, "pretrained");
        var pretraining = LanguageModelPretraining.Run(mails, pretrained, new LanguageModelPretrainingOptions
        {
            Backbone = "bert-tiny",
            VocabularySize = quick ? 400 : 4000,
            MaxLength = maxLength,
            Epochs = quick ? 1 : 3,
            LearningRate = 1e-3,
        });
        output.WriteLine($"pretrained bert-tiny on {mails.Count} unlabeled mails ({pretraining.Training.Steps} steps, {clock.Elapsed.TotalSeconds:F0} s)");

        var train = TextDataset.FromTsv(Path.Combine(data, "train.tsv"));
        var test = TextDataset.FromTsv(Path.Combine(data, "test.tsv"), new TextDatasetLoadOptions { LabelMap = train.LabelMap });
        if (quick) test = test.FirstPerClass(3);
        var evaluator = new Evaluator(new EvaluationOptions { BootstrapSamples = quick ? 50 : 1000 });
        int[] budgets = quick ? [2, 4] : [2, 4, 8, 16, 32, 60];

        output.WriteLine($"{"labels/intent",-14}{"from scratch",-24}{"pretrained",-24}{"difference (95% interval)",-30}");
        foreach (int perClass in budgets)
        {
            var few = train.FirstPerClass(perClass);
            // Small label budgets get more epochs so every run sees a similar number of steps.
            int epochs = quick ? 1 : Math.Clamp(480 / few.Count, 8, 40);
            EvaluationReport Finetune(TextClassifier model, bool fromPretrained)
            {
                var options = TrainerOptions.Recommended("bert-tiny", fromPretrained);
                options.Epochs = epochs;
                options.LearningRate = 1e-3;
                new Trainer(options).Train(model, few);
                return evaluator.Evaluate(model, test);
            }
            EvaluationReport scratch, transferred;
            using (var model = ClassifierFactory.Create(few, new ClassifierFactoryOptions { Backbone = "bert-tiny", MaxLength = maxLength, VocabularySize = quick ? 400 : 4000 }))
                scratch = Finetune(model, fromPretrained: false);
            using (var model = ClassifierFactory.FromPretrained(pretrained, few, new ClassifierFactoryOptions { MaxLength = maxLength }))
                transferred = Finetune(model, fromPretrained: true);
            var comparison = Evaluator.Compare(transferred, scratch, "accuracy", samples: quick ? 50 : 1000);
            output.WriteLine(FormattableString.Invariant(
                $"{perClass,-14}{Accuracy(scratch),-24}{Accuracy(transferred),-24}{comparison.Difference:+0.000;-0.000} [{comparison.Interval.Lower:+0.000;-0.000}, {comparison.Interval.Upper:+0.000;-0.000}]"));
        }
        output.WriteLine($"test set: {test.Count} requests; majority-class accuracy {(double)test.GroupBy(e => e.Label).Max(g => g.Count()) / test.Count:F3}; total {clock.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static string Accuracy(EvaluationReport report) =>
        report.Intervals.TryGetValue("accuracy", out var ci)
            ? FormattableString.Invariant($"{report.Accuracy:F3} [{ci.Lower:F3}, {ci.Upper:F3}]")
            : FormattableString.Invariant($"{report.Accuracy:F3}");
}
