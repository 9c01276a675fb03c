// Plugs user code into every one of LlmFineTune's extension points, through DI:
//   * a backbone (HashedConvBackbone: embeddings, a convolution over neighbouring tokens, max pooling),
//   * a task head (FocalLossHead: focal loss on top of the library's pooling and projection), and
//   * an optimizer (Lion, written with TorchSharp tensor operations),
// then trains a support-ticket intent classifier with them and prints the evaluation report. Because the parts are
// registered by name (ModelParts, OptimizerParts), the trained model saves and loads like a built-in one.
//
//   dotnet run --project examples/CustomHeadAndOptimizer [-- --quick] [-- --save DIR]
//   dotnet run --project examples/CustomHeadAndOptimizer -- --load DIR
//
// --quick (or LLMFT_QUICK=1) trains a smaller model for fewer epochs: a smoke run. --save DIR saves the trained model;
// --load DIR loads a saved one instead of training. Both print each probe text's probabilities, bit for bit.
using LlmFineTune.Data;
using LlmFineTune.DependencyInjection;
using LlmFineTune.Runtime;
using LlmFineTune.Evaluation;
using LlmFineTune.Examples.CustomHeadAndOptimizer;
using LlmFineTune.Modeling;
using LlmFineTune.Training;
using LlmFineTune.Training.Optimizers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

bool quick = args.Contains("--quick") || Environment.GetEnvironmentVariable("LLMFT_QUICK") == "1";
string? save = Option("--save");
string? load = Option("--load");
string data = Path.Combine(AppContext.BaseDirectory, "data", "support-tickets");
string[] probes = ["i was charged twice for my order", "the app crashes when i open settings"];

// The process is ours: take the allocator and thread tuning (off by default in the library).
TorchRuntime.PerformanceDefaults = true;
// The trainer records the optimizer's name and settings in the saved config.json, for resuming and reproducing.
OptimizerParts.Default.AddOptimizer<LionFactory>("lion");
var services = new ServiceCollection()
    .AddBackbone<HashedConvBackboneFactory>("hashed-conv")
    .AddTaskHead("focal", (hiddenSize, labels) => new FocalLossHead(hiddenSize, labels.Count, new FocalLossOptions(Gamma: 2)))
    .AddOptimizer<LionFactory>("lion")
    // Names a saved model gives the parts, with their options, so that loading (in any process) rebuilds them.
    .Configure<ModelParts>(parts => parts
        .AddBackbone<HashedConvBackbone, HashedConvBackboneOptions>("hashed-conv", options => new HashedConvBackbone(options), backbone => backbone.Options)
        .AddHead<FocalLossHead, FocalLossOptions>("focal", (hiddenSize, labels, options) => new FocalLossHead(hiddenSize, labels.Count, options), head => new FocalLossOptions(head.Gamma, head.Options)))
    .AddLlmFineTune(o =>
    {
        o.Backbone = "hashed-conv";
        o.Tokenizer = LlmFineTuneNames.HashingTokenizer;
        o.TaskHead = "focal";
        o.Optimizer = "lion";
        o.Schedule = LlmFineTuneNames.CosineSchedule;
        o.HashingTokenizer.Buckets = quick ? 1 << 13 : 1 << 16;
        o.HashingTokenizer.WordNgrams = 1;
        o.Trainer.Epochs = quick ? 4 : 12;
        o.Trainer.BatchSize = 32;
        o.Trainer.LearningRate = 0.01;   // Lion moves every weight by the full rate: a tenth of AdamW's
        o.Evaluation.BootstrapSamples = quick ? 0 : 1000;
    });
using var provider = services.BuildServiceProvider();
provider.GetRequiredService<IStartupValidator>().Validate();
var parts = provider.GetRequiredService<IOptions<ModelParts>>().Value;

if (load is not null)
{
    using var loaded = TextClassifier.Load(load, parts: parts);
    Console.WriteLine($"Loaded a {loaded.Backbone.Kind} model with head {loaded.Head.GetType().Name} from {load}.");
    PrintProbes(loaded);
    return;
}

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
foreach (string text in probes)
{
    var prediction = model.Predict(text);
    Console.WriteLine($"'{text}' -> {prediction.Label} ({prediction.Score:P0})");
}
if (save is not null)
{
    model.Save(save, parts);
    Console.WriteLine($"Saved to {save}.");
    PrintProbes(model);
}

void PrintProbes(TextClassifier classifier)
{
    // "R" prints each probability so that it parses back to the same float: equal lines mean equal predictions.
    foreach (string text in probes)
        Console.WriteLine($"probe '{text}': {string.Join(" ", classifier.Predict(text).Scores.Select(s => $"{s.Key}={s.Value:R}"))}");
}

string? Option(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
