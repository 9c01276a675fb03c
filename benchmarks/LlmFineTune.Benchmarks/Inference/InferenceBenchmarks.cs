using BenchmarkDotNet.Attributes;
using LlmFineTune.Modeling;

namespace LlmFineTune.Benchmarks.Inference;

/// <summary>
/// Prediction through <see cref="TextClassifier"/> at 128 tokens per text: one text (the serving case; each iteration is one
/// call, so the P50/P99 columns are per-call latencies) and a batch of 64 (the bulk case; texts/s), tokenization and
/// collation included. Models: see <see cref="InferenceModels"/>.
/// </summary>
[MemoryDiagnoser]
[PerCallJob(iterations: 200, warmups: 10)]
public class InferenceBenchmarks
{
    private TextClassifier? model;
    private string[] texts = [];
    private string[][] batches = [];
    private int next;

    /// <summary>The model.</summary>
    [Params("bag", "bert-mini")]
    public string Model { get; set; } = "bag";

    [GlobalSetup]
    public void Setup()
    {
        model = InferenceModels.Create(Model);
        texts = InferenceModels.Texts(256);
        batches = texts.Chunk(64).ToArray();
    }

    /// <summary>One text, a different one each call (the tokenizer has no cache to hit).</summary>
    [Benchmark(Baseline = true)]
    [TextsPerOperation(1)]
    public Prediction PredictOne() => model!.Predict(texts[next++ % texts.Length]);

    [Benchmark]
    [TextsPerOperation(64)]
    public IReadOnlyList<Prediction> PredictBatchOf64() => model!.PredictBatch(batches[next++ % batches.Length]);

    [GlobalCleanup]
    public void Cleanup() => model?.Dispose();
}
