using System.Globalization;

namespace LlmFineTune.StepRunner;

/// <summary>Command-line settings of the runner (see <see cref="Usage"/>).</summary>
internal sealed class RunnerOptions
{
    public const string Usage = """
        LlmFineTune.StepRunner: training steps through the library's Trainer path, one JSON line on stdout.
          --model bag|bag-dense|tiny|encoder|mlm|gemm  shape (encoder/mlm need a transformer backbone; see Shapes.cs);
                                         gemm: float32 matmul rate, the peak for model-FLOPs utilisation
          --mode step|soak|e2e           step: median ms/step; soak: RSS and live tensors over many steps;
                                         e2e: train + evaluate a bag model on a TSV pair (macro-F1)
          --data batches|text            batches: pre-collated batches replayed (the step alone);
                                         text: Trainer.Train(TextClassifier, ITextDataset), tokenizing and
                                         collating inside the loop as users run it
          --steps N --warmup N --threads N (2) --seed N (0) --label NAME
          --sample-every N               soak: RSS / live-tensor sample interval (steps)
          --trim-every N                 soak: release free native heap memory every N steps (experiment)
          --no-perf-defaults             switch off TorchRuntime.PerformanceDefaults (A/B against the defaults)
          e2e: --train FILE --test FILE --epochs N (5) --lr X (0.02) --batch N (64) --buckets N (2097152)
               --dim N (64) --max-length N (1024) --word-ngrams N (2)
        """;

    public string Model { get; private set; } = "bag";
    public string Mode { get; private set; } = "step";
    public string Data { get; private set; } = "batches";
    public int? Steps { get; private set; }
    public int? Warmup { get; private set; }
    public int Threads { get; private set; } = 2;
    public int Seed { get; private set; }
    public string Label { get; private set; } = "llmfinetune";
    public int SampleEvery { get; private set; } = 250;
    public int TrimEvery { get; private set; }
    public bool PerformanceDefaults { get; private set; } = true;
    public string? TrainFile { get; private set; }
    public string? TestFile { get; private set; }
    public int Epochs { get; private set; } = 5;
    public double LearningRate { get; private set; } = 0.02;
    public int BatchSize { get; private set; } = 64;
    public int Buckets { get; private set; } = 1 << 21;
    public int Dimension { get; private set; } = 64;
    public int MaxLength { get; private set; } = 1024;
    public int WordNgrams { get; private set; } = 2;

    public static RunnerOptions Parse(string[] args)
    {
        var o = new RunnerOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            switch (name)
            {
                case "--model": o.Model = Value(); break;
                case "--mode": o.Mode = OneOf(name, Value(), "step", "soak", "e2e"); break;
                case "--data": o.Data = OneOf(name, Value(), "batches", "text"); break;
                case "--steps": o.Steps = Int(); break;
                case "--warmup": o.Warmup = Int(); break;
                case "--threads": o.Threads = Int(); break;
                case "--seed": o.Seed = Int(); break;
                case "--label": o.Label = Value(); break;
                case "--sample-every": o.SampleEvery = Int(); break;
                case "--trim-every": o.TrimEvery = Int(); break;
                case "--no-perf-defaults": o.PerformanceDefaults = false; break;
                case "--train": o.TrainFile = Value(); break;
                case "--test": o.TestFile = Value(); break;
                case "--epochs": o.Epochs = Int(); break;
                case "--lr": o.LearningRate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--batch": o.BatchSize = Int(); break;
                case "--buckets": o.Buckets = Int(); break;
                case "--dim": o.Dimension = Int(); break;
                case "--max-length": o.MaxLength = Int(); break;
                case "--word-ngrams": o.WordNgrams = Int(); break;
                default: throw new ArgumentException($"Unknown argument '{name}'.");
            }
        }
        if (o.Mode == "e2e" && (o.TrainFile is null || o.TestFile is null))
            throw new ArgumentException("--mode e2e needs --train and --test.");
        return o;
    }

    private static string OneOf(string option, string value, params string[] allowed) =>
        allowed.Contains(value) ? value : throw new ArgumentException($"{option} must be one of {string.Join(", ", allowed)} (was '{value}').");
}
