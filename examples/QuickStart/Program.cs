// QuickStart: the main job end to end on customer-support requests in twelve intents
// (examples/data/support-tickets, written for this project):
//   1. pretrain a small BERT (masked LM) on 6,000 unlabeled mails,
//   2. fine-tune it on 720 labeled requests,
//   3. evaluate on 300 held-out requests (accuracy and macro-F1 with 95% bootstrap intervals),
//   4. save, load, and classify new texts,
//   5. fine-tune the same architecture from scratch and compare, so the gain (or loss) from pretraining is measured (--no-compare skips it).
//
//   dotnet run --project examples/QuickStart -c Release [-- --no-compare]   (under a minute on 2 idle cores)
//   dotnet run --project examples/QuickStart -- --quick                  (a smoke run with tiny budgets)
using System.Diagnostics;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Runtime;
using LlmFineTune.Pretraining;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;

namespace LlmFineTune.Examples.QuickStart;

/// <summary>The QuickStart program.</summary>
public static class Program
{
    /// <summary>Runs the QuickStart on the console.</summary>
    /// <param name="args"><c>--quick</c> for a smoke run; <c>--no-compare</c> to skip the from-scratch comparison; <c>--out DIR</c> to keep the models.</param>
    /// <returns>0.</returns>
    public static int Main(string[] args)
    {
        // A training program owns its process: take the allocator and thread tuning (off by default in the library).
        TorchRuntime.PerformanceDefaults = true;
        return Run(args, Console.Out);
    }

    /// <summary>Runs the QuickStart, writing to <paramref name="output"/>.</summary>
    /// <param name="args"><c>--quick</c> for a smoke run; <c>--no-compare</c> to skip the from-scratch comparison; <c>--out DIR</c> to keep the models.</param>
    /// <param name="output">Where the story is told.</param>
    /// <returns>0.</returns>
    public static int Run(string[] args, TextWriter output)
    {
        bool quick = args.Contains("--quick");
        int outIndex = Array.IndexOf(args, "--out");
        string work = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Directory.CreateTempSubdirectory("llmft-quickstart-").FullName;
        string data = Path.Combine(AppContext.BaseDirectory, "data", "support-tickets");
        var clock = Stopwatch.StartNew();
        // CPU time shows the cost when other processes share the cores; on an idle machine wall time is about CPU time / cores.
        void Say(string line) => output.WriteLine($"[{clock.Elapsed:mm\\:ss} wall, {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F0} s CPU] {line}");

        // 1. Pretraining: the encoder learns the language of support mails from unlabeled text.
        var mails = File.ReadLines(Path.Combine(data, "mailbox.txt")).Where(line => line.Length > 0).ToList();
        if (quick) mails = mails.Take(400).ToList();
        string pretrained = Path.Combine(work, "pretrained");
        var pretraining = LanguageModelPretraining.Run(mails, pretrained, new LanguageModelPretrainingOptions
        {
            Backbone = "bert-tiny",
            VocabularySize = quick ? 500 : 4000,
            MaxLength = 64,
            BatchSize = 32,
            Epochs = quick ? 1 : 4,
            LearningRate = 1e-3,
            HeldOutDocuments = quick ? 40 : 300,
        });
        Say($"pretrained bert-tiny on {mails.Count} mails: {pretraining.Training.Steps} steps, held-out perplexity {pretraining.Before!.Perplexity:F0} -> {pretraining.After!.Perplexity:F1}");

        // 2. Fine-tuning: the pretrained encoder plus a fresh single-label head.
        var train = TextDataset.FromTsv(Path.Combine(data, "train.tsv"));
        var test = TextDataset.FromTsv(Path.Combine(data, "test.tsv"), new TextDatasetLoadOptions { LabelMap = train.LabelMap });
        if (quick)
        {
            train = train.FirstPerClass(8);
            test = test.FirstPerClass(4);
        }
        var trainer = new Trainer(Options(quick, pretrained: true));
        using var model = ClassifierFactory.FromPretrained(pretrained, train, new ClassifierFactoryOptions { MaxLength = 64 });
        trainer.Train(model, train);
        Say($"fine-tuned on {train.Count} labeled requests ({train.LabelMap.Count} intents)");

        // 3. Evaluation on requests phrased unlike the training set.
        var evaluator = new Evaluator(new EvaluationOptions { BootstrapSamples = quick ? 100 : 1000 });
        var report = evaluator.Evaluate(model, test);
        Say($"test set: {report.Count} requests");
        output.WriteLine(Table([("pretrained + fine-tuned", report)]));

        // 4. Save, load and predict.
        string saved = Path.Combine(work, "support-intents");
        model.Save(saved);
        using var loaded = TextClassifier.Load(saved, Tokenizers.Load);
        Say($"saved to {saved} and loaded back");
        foreach (string text in (string[])["hi, the blender arrived broken, glass everywhere", "how do i get a receipt for my last order?", "i forgot my password and the reset mail never comes"])
        {
            var prediction = loaded.Predict(text);
            output.WriteLine($"  {prediction.Label,-20} {prediction.Score,5:P0}  \"{text}\"");
        }

        if (args.Contains("--no-compare"))
        {
            Say("done");
            return 0;
        }

        // 5. The same fine-tuning without pretraining (a WordPiece vocabulary trained on the 720 labeled texts).
        using var scratch = ClassifierFactory.Create(train, new ClassifierFactoryOptions { Backbone = "bert-tiny", MaxLength = 64, VocabularySize = quick ? 500 : 4000 });
        new Trainer(Options(quick, pretrained: false)).Train(scratch, train);
        var scratchReport = evaluator.Evaluate(scratch, test);
        Say("for comparison, the same model fine-tuned from scratch:");
        output.WriteLine(Table([("pretrained + fine-tuned", report), ("from scratch", scratchReport)]));
        var difference = Evaluator.Compare(report, scratchReport, "accuracy", samples: quick ? 100 : 1000);
        output.WriteLine(FormattableString.Invariant(
            $"accuracy gain from pretraining: {difference.Difference:+0.000;-0.000} (95% interval [{difference.Interval.Lower:+0.000;-0.000}, {difference.Interval.Upper:+0.000;-0.000}]{(difference.IsSignificant ? "" : ", not significant")})"));
        Say("done");
        return 0;
    }

    private static TrainerOptions Options(bool quick, bool pretrained)
    {
        var options = TrainerOptions.Recommended("bert-tiny", pretrained);
        options.LearningRate = 1e-3;
        options.Epochs = quick ? 1 : 6;
        return options;
    }

    private static string Table(IReadOnlyList<(string Name, EvaluationReport Report)> rows)
    {
        var lines = new List<string> { $"  {"model",-26}{"accuracy",-26}{"macro-F1",-26}", "  " + new string('-', 76) };
        foreach (var (name, report) in rows)
            lines.Add($"  {name,-26}{Cell(report, "accuracy"),-26}{Cell(report, "macroF1"),-26}");
        return string.Join(Environment.NewLine, lines);
    }

    private static string Cell(EvaluationReport report, string metric) =>
        report.Intervals.TryGetValue(metric, out var ci)
            ? FormattableString.Invariant($"{report.GetMetric(metric):F3} [{ci.Lower:F3}, {ci.Upper:F3}]")
            : FormattableString.Invariant($"{report.GetMetric(metric):F3}");
}
