using BenchmarkDotNet.Attributes;
using LlmFineTune.Tokenization;
using TorchSharp;

namespace LlmFineTune.Benchmarks;

/// <summary>Tokenization throughput on real text: the first ~1 MB of the debian-descriptions corpus, no truncation.</summary>
[MemoryDiagnoser]
public class TokenizationBenchmarks
{
    /// <summary>Bytes of text each benchmark tokenizes per invocation (the column divides by this).</summary>
    public static long CorpusBytes { get; private set; }

    private string[] documents = [];
    private HashingTokenizer hashing = null!;
    private WordPieceTokenizer wordPiece = null!;

    [GlobalSetup]
    public void Setup()
    {
        Runtime.TorchRuntime.EnsureAvailable();
        torch.set_num_threads(2);
        (documents, long bytes) = BenchmarkData.DebianDescriptions(1_000_000);
        CorpusBytes = bytes;
        hashing = new HashingTokenizer();
        wordPiece = WordPieceTokenizer.FromVocabulary(BenchmarkData.Require("vocab/bert-base-uncased/vocab.txt", "tokenizer_vocabs"));
    }

    [Benchmark(Baseline = true)]
    public long Hashing() => EncodeAll(hashing);

    [Benchmark]
    public long WordPiece() => EncodeAll(wordPiece);

    private long EncodeAll(ITokenizer tokenizer)
    {
        long ids = 0;
        foreach (string document in documents) ids += tokenizer.Encode(document).Length;
        return ids;
    }
}
