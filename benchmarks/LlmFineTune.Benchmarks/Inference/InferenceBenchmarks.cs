using BenchmarkDotNet.Attributes;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Benchmarks.Inference;

/// <summary>
/// Prediction through <see cref="TextClassifier"/>: one text (the serving case) and a batch of 64
/// (the bulk case), including tokenization and collation. bag: HashingTokenizer (words + bigrams,
/// 262,144 buckets) + BagOfNgrams(64) + SingleLabelHead(4 classes); texts of 60 words.
/// </summary>
/// <remarks>To add the encoder, build its TextClassifier in <see cref="Setup"/> for Model == "encoder".</remarks>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private TextClassifier? model;
    private string[] texts = [];

    /// <summary>The model.</summary>
    [Params("bag")]
    public string Model { get; set; } = "bag";

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkTorch.Initialize();
        var tokenizer = new HashingTokenizer();
        var labels = new LabelMap(["a", "b", "c", "d"]);
        model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 64), new SingleLabelHead(64, labels.Count), labels);
        var random = new Random(0);
        texts = [.. Enumerable.Range(0, 64).Select(_ => string.Join(' ', Enumerable.Range(0, 60).Select(_ => $"word{random.Next(5000)}")))];
    }

    [Benchmark(Baseline = true)]
    public Prediction PredictOne() => model!.Predict(texts[0]);

    [Benchmark]
    public IReadOnlyList<Prediction> PredictBatchOf64() => model!.PredictBatch(texts);

    [GlobalCleanup]
    public void Cleanup() => model?.Dispose();
}
