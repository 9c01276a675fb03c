using BenchmarkDotNet.Attributes;
using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Tokenization;
using TorchSharp;

namespace LlmFineTune.Benchmarks;

/// <summary>Collating one batch: padding already-encoded ids into tensors, and the whole path from text.</summary>
[MemoryDiagnoser]
public class CollateBenchmarks
{
    private int[][] sequences = [];
    private TextExample[] examples = [];
    private LabelMap labels = LabelMap.Empty;
    private BatchCollator builder = null!;

    [Params(32)]
    public int BatchSize { get; set; }

    [Params(128)]
    public int SequenceLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Runtime.TorchRuntime.EnsureAvailable();
        torch.set_num_threads(2);
        var tokenizer = WordPieceTokenizer.FromVocabulary(BenchmarkData.Require("vocab/bert-base-uncased/vocab.txt", "tokenizer_vocabs"));
        builder = new BatchCollator(tokenizer, SequenceLength);
        var random = new Random(1);
        // full-length rows but for a few shorter ones, so padding and the mask do real work
        sequences = Enumerable.Range(0, BatchSize)
            .Select(i => Enumerable.Range(0, i % 4 == 0 ? SequenceLength / 2 : SequenceLength).Select(_ => random.Next(1000, 30000)).ToArray())
            .ToArray();
        var (documents, _) = BenchmarkData.DebianDescriptions(200_000);
        examples = documents.Take(BatchSize).Select((d, i) => TextExample.Labeled(d, i % 2 == 0 ? "a" : "b")).ToArray();
        labels = new LabelMap(["a", "b"]);
    }

    [Benchmark(Baseline = true)]
    public long PadEncoded()
    {
        using var scope = torch.NewDisposeScope();
        var (ids, mask) = builder.Pad(sequences);
        return ids.shape[1] + mask.shape[1];
    }

    [Benchmark]
    public long TokenizeAndCollate()
    {
        using var batch = builder.Build(examples, TaskKind.SingleLabel, labels);
        return batch.InputIds.shape[1];
    }
}
