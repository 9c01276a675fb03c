// Training-step throughput of LlmFineTune's own Trainer path, for side-by-side runs with the
// PyTorch peer (../shared/peers/pytorch_step.py: same shapes, threads, optimizer and step).
// Prints one JSON object on stdout. Usage: see RunnerOptions.Usage, or run with --help.
using System.Diagnostics;
using System.Text.Json;
using LlmFineTune.Runtime;
using LlmFineTune.StepRunner;
using LlmFineTune.Training;
using LlmFineTune.Training.Optimizers;
using TorchSharp;

RunnerOptions options;
try
{
    if (args.Contains("--help")) { Console.WriteLine(RunnerOptions.Usage); return 0; }
    options = RunnerOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(RunnerOptions.Usage);
    return 2;
}

// Must precede the first torch use, which applies the defaults.
TorchRuntime.PerformanceDefaults = options.PerformanceDefaults;
TorchRuntime.EnsureAvailable();
torch.set_num_threads(options.Threads);

var result = new Dictionary<string, object?>
{
    ["stack"] = options.Label,
    ["torch"] = torch.__version__,
    ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString(),
    ["dotnet"] = Environment.Version.ToString(),
    ["model"] = options.Model,
    ["mode"] = options.Mode,
    ["threads"] = torch.get_num_threads(),
    ["seed"] = options.Seed,
    ["perf_defaults"] = TorchRuntime.PerformanceDefaults,
    ["allocator_tuned"] = TorchRuntime.AllocatorTuned,
};

try
{
    if (options.Mode == "e2e")
        EndToEnd.Run(options, result);
    else if (options.Model == "gemm")
        Gemm.Run(options.Warmup ?? 3, options.Steps ?? 15, result);
    else
        RunSteps(options, result);
}
catch (NotSupportedException e)
{
    Console.Error.WriteLine(e.Message);
    return 3;
}
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

static void RunSteps(RunnerOptions o, Dictionary<string, object?> result)
{
    var shape = Shapes.Get(o.Model);
    int warmup = Math.Max(1, o.Warmup ?? shape.Defaults.Warmup);
    int steps = o.Steps ?? (o.Mode == "soak" ? 5000 : shape.Defaults.Steps);
    var instance = shape.Create(o.Seed);
    try
    {
        var clock = new StepClock(warmup, steps, o.Mode == "soak" ? o.SampleEvery : 0, o.TrimEvery);
        var trainerOptions = new TrainerOptions { BatchSize = (int)shape.ExamplesPerStep, LearningRate = 1e-3, Seed = o.Seed, Epochs = 1 };
        double? collateMs = null;
        if (o.Data == "batches")
        {
            ((ReplayTask)instance.Task).StepsPerEpoch = warmup + steps;
            clock.Start();
            try
            {
                new Trainer(trainerOptions, new AdamWFactory(weightDecay: 0.01)).Train(instance.Task, clock, clock.Token);
            }
            catch (OperationCanceledException) when (clock.Token.IsCancellationRequested)
            {
                // The clock stops the run after the measured steps.
            }
        }
        else
        {
            var classifier = instance.Classifier ?? throw new NotSupportedException($"--model {o.Model} has no text path yet.");
            var texts = instance.Texts!;
            int perEpoch = (texts.Count + trainerOptions.BatchSize - 1) / trainerOptions.BatchSize;
            trainerOptions.Epochs = (warmup + steps + perEpoch - 1) / perEpoch;
            clock.Start();
            try
            {
                new Trainer(trainerOptions, new AdamWFactory(weightDecay: 0.01)).Train(classifier, texts, clock, clock.Token);
            }
            catch (OperationCanceledException) when (clock.Token.IsCancellationRequested)
            {
                // The clock stops the run after the measured steps.
            }
            collateMs = MedianCollateMs(classifier, texts, trainerOptions.BatchSize);
        }

        double median = ProcessStats.Median(clock.Seconds);
        double rssEnd = ProcessStats.RssMb();
        result["data"] = o.Data;
        result["warmup"] = warmup;
        result["steps"] = clock.Seconds.Count;
        result["median_ms"] = median * 1e3;
        result["min_ms"] = clock.Seconds.Min() * 1e3;
        result["max_ms"] = clock.Seconds.Max() * 1e3;
        result["examples_per_s"] = shape.ExamplesPerStep / median;
        result["tokens_per_s"] = shape.TokensPerStep / median;
        if (shape is EncoderShape encoder)
            result["achieved_gflops"] = encoder.MatmulFlopsPerStep() / median / 1e9;
        result["loss_first"] = clock.Losses[0];
        result["loss_last"] = clock.Losses[^1];
        result["rss_start_mb"] = clock.RssStartMb;
        result["rss_end_mb"] = rssEnd;
        result["rss_growth_mb"] = Math.Round(rssEnd - clock.RssStartMb, 1);
        result["minor_faults_per_step"] = Math.Round((double)(ProcessStats.MinorFaults() - clock.FaultsStart) / clock.Seconds.Count, 1);
        result["live_tensors_start"] = clock.LiveStart;
        result["live_tensors_end"] = ProcessStats.LiveTensors();
        result["managed_start_mb"] = clock.ManagedStartMb;
        result["managed_end_mb"] = ProcessStats.ManagedMb();
        if (collateMs is { } c)
        {
            result["collate_ms"] = c;
            result["collate_share"] = c / (median * 1e3);
        }
        if (o.TrimEvery > 0) result["trims"] = clock.Trims;
        if (clock.Samples.Count > 0) result["samples"] = clock.Samples;
    }
    finally
    {
        instance.Owner.Dispose();
    }
}

// Tokenizing and padding one batch, measured alone: the data-preparation cost a step pays when the
// loop builds its batches inline.
static double MedianCollateMs(LlmFineTune.Modeling.TextClassifier classifier, LlmFineTune.Data.ITextDataset texts, int batchSize)
{
    var examples = Enumerable.Range(0, batchSize).Select(i => texts[i % texts.Count]).ToArray();
    var times = new List<double>();
    for (int i = 0; i < 60; i++)
    {
        long t0 = Stopwatch.GetTimestamp();
        using (classifier.Collator.Build(examples, texts.Kind, classifier.Labels)) { }
        if (i >= 10) times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
    }
    return ProcessStats.Median(times);
}
