using BenchmarkDotNet.Attributes;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Onnx;

namespace LlmFineTune.Benchmarks.Inference;

/// <summary>
/// The same classifier predicted by TorchSharp (<see cref="TextClassifier"/>) and by ONNX Runtime
/// (<see cref="OnnxTextClassifier"/> on its exported graph), 2 threads each: one text (serving) and
/// 64 texts (bulk), tokenization included. bag: hashing tokenizer + BagOfNgrams(64); bert-mini: a
/// WordPiece vocabulary of 8,000 + the bert-mini encoder (4 layers, 256 wide), mean pooling, 128
/// tokens at most. Texts of 60 words; 4 classes.
/// </summary>
[MemoryDiagnoser]
public class OnnxInferenceBenchmarks
{
    private TextClassifier? torchModel;
    private OnnxTextClassifier? onnxModel;
    private ITextClassifier? classifier;
    private string[] texts = [];
    private string exported = "";

    /// <summary>The model.</summary>
    [Params("bag", "bert-mini")]
    public string Model { get; set; } = "bag";

    /// <summary>What runs it: "torchsharp" or "onnxruntime".</summary>
    [Params("torchsharp", "onnxruntime")]
    public string Runtime { get; set; } = "torchsharp";

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkTorch.Initialize();
        var random = new Random(0);
        texts = [.. Enumerable.Range(0, 64).Select(_ => string.Join(' ', Enumerable.Range(0, 60).Select(_ => $"word{random.Next(5000)}")))];
        string[] labels = ["a", "b", "c", "d"];
        var train = TextDataset.FromExamples(texts.Select((t, i) => TextExample.Labeled(t, labels[i % labels.Length])));
        torchModel = ClassifierFactory.Create(train, new ClassifierFactoryOptions
        {
            Backbone = Model == "bag" ? ClassifierFactory.Bag : Model,
            MaxLength = Model == "bag" ? null : 128,
            VocabularySize = 8000,
        });
        exported = Directory.CreateTempSubdirectory("llmft-onnx-bench-").FullName;
        torchModel.ExportOnnx(exported);
        onnxModel = OnnxTextClassifier.Load(exported, new OnnxTextClassifierOptions { IntraOpThreads = BenchmarkTorch.Threads });
        classifier = Runtime == "onnxruntime" ? onnxModel : torchModel;
    }

    [Benchmark(Baseline = true)]
    public Prediction PredictOne() => classifier!.Predict(texts[0]);

    [Benchmark]
    public IReadOnlyList<Prediction> PredictBatchOf64() => classifier!.PredictBatch(texts);

    [GlobalCleanup]
    public void Cleanup()
    {
        torchModel?.Dispose();
        onnxModel?.Dispose();
        if (Directory.Exists(exported)) Directory.Delete(exported, recursive: true);
    }
}
