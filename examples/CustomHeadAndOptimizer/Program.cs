// Plugs user code into both of LlmFineTune's extension points, through DI:
//   * a task head (FocalLossHead: focal loss on top of the library's pooling and projection), and
//   * an optimizer (Lion, written with TorchSharp tensor operations),
// then trains a support-ticket intent classifier with them and prints the evaluation report.
//
//   dotnet run --project examples/CustomHeadAndOptimizer [-- --quick]
//
// --quick (or LLMFT_QUICK=1) trains a smaller model for fewer epochs: a smoke run.
using LlmFineTune.Data;
using LlmFineTune.DependencyInjection;
using LlmFineTune.Runtime;
using LlmFineTune.Evaluation;
using LlmFineTune.Examples.CustomHeadAndOptimizer;
using LlmFineTune.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

bool quick = args.Contains("--quick") || Environment.GetEnvironmentVariable("LLMFT_QUICK") == "1";
string data = Path.Combine(AppContext.BaseDirectory, "data", "support-tickets");

// The process is ours: take the allocator and thread tuning (off by default in the library).
TorchRuntime.PerformanceDefaults = true;
var services = new ServiceCollection()
    .AddTaskHead("focal", (hiddenSize, labels) => new FocalLossHead(hiddenSize, labels.Count, gamma: 2))
    .AddOptimizer<LionFactory>("lion")
    .AddLlmFineTune(o =>
    {
        o.TaskHead = "focal";
        o.Optimizer = "lion";
        o.Schedule = LlmFineTuneNames.CosineSchedule;
        o.BagDimension = quick ? 16 : 64;
        o.HashingTokenizer.Buckets = quick ? 1 << 13 : 1 << 16;
        o.Trainer.Epochs = quick ? 4 : 12;
        o.Trainer.BatchSize = 32;
        o.Trainer.LearningRate = 0.01;   // Lion moves every weight by the full rate: a tenth of AdamW's
        o.Evaluation.BootstrapSamples = quick ? 0 : 1000;
    });
using var provider = services.BuildServiceProvider();
provider.GetRequiredService<IStartupValidator>().Validate();

var train = TextDataset.FromTsv(Path.Combine(data, "train.tsv"));
var test = TextDataset.FromTsv(Path.Combine(data, "test.tsv"));
using var model = provider.GetRequiredService<TextClassifierFactory>().Create(train);
var trainer = provider.GetRequiredService<Trainer>();
Console.WriteLine($"Training a {model.Backbone.Kind} model with head {model.Head.GetType().Name} and optimizer Lion on {train.Count} tickets, {train.LabelMap.Count} intents{(quick ? " (quick run)" : "")}.");

var result = trainer.Train(model, train);
Console.WriteLine($"{result.Steps} steps, final loss {result.FinalLoss:F4}");
var report = provider.GetRequiredService<Evaluator>().Evaluate(model, test);
Console.WriteLine(report.ToMarkdown());
Console.WriteLine($"accuracy {report.Accuracy:F4} on {test.Count} test tickets");
foreach (string text in new[] { "i was charged twice for my order", "the app crashes when i open settings" })
{
    var prediction = model.Predict(text);
    Console.WriteLine($"'{text}' -> {prediction.Label} ({prediction.Score:P0})");
}
