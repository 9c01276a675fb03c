using LlmFineTune.Tests.Data;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Tokenization;

[TestClass]
public sealed class TokenizersTests
{
    [TestMethod]
    public void Load_HashingTokenizer_RoundTrips()
    {
        using var temp = new TempFolder();
        var hashing = new HashingTokenizer(new() { Buckets = 1000, WordNgrams = 3, MinCharNgram = 2, MaxCharNgram = 4, Lowercase = false });
        hashing.Save(temp.Path);
        var loaded = Tokenizers.Load(temp.Path);
        Assert.IsInstanceOfType<HashingTokenizer>(loaded);
        CollectionAssert.AreEqual(hashing.Encode("Some Text here, again"), loaded.Encode("Some Text here, again"));
    }

    [TestMethod]
    public void Load_VocabWithoutConfig_IsWordPiece()
    {
        using var temp = new TempFolder();
        temp.Write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhi\n");
        var loaded = Tokenizers.Load(temp.Path);
        CollectionAssert.AreEqual(new[] { 2, 5, 3 }, loaded.Encode("HI"));
    }

    [TestMethod]
    public void Load_Gpt2FilesWithoutTokenizerClass_IsGpt2AsInHubCheckpoints()
    {
        using var temp = new TempFolder();
        File.Copy(SharedData.Require("vocab/gpt2/encoder.json", "tokenizer_vocabs"), Path.Combine(temp.Path, "vocab.json"));
        File.Copy(SharedData.Require("vocab/gpt2/vocab.bpe", "tokenizer_vocabs"), Path.Combine(temp.Path, "merges.txt"));
        temp.Write("tokenizer_config.json", "{\"model_max_length\": 1024}");

        var loaded = Tokenizers.Load(temp.Path);

        Assert.IsInstanceOfType<Gpt2Tokenizer>(loaded);
        CollectionAssert.AreEqual(new[] { 15496, 995 }, loaded.Encode("Hello world"), "GPT-2's ids");
    }

    [TestMethod]
    public void Load_UnknownClassOrEmptyDirectory_Throws()
    {
        using var temp = new TempFolder();
        Assert.ThrowsExactly<FileNotFoundException>(() => Tokenizers.Load(temp.Path));
        temp.Write("tokenizer_config.json", "{\"tokenizer_class\": \"XLMRobertaTokenizer\"}");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Tokenizers.Load(temp.Path));
        StringAssert.Contains(e.Message, "tokenizer_class 'XLMRobertaTokenizer' is not supported. Supported: 'llmfinetune-hashing', 'BertTokenizer'");
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => Tokenizers.Load(Path.Combine(temp.Path, "missing")));
    }

    [TestMethod]
    public void Hashing_EncodeIsDeterministicInRangeAndTruncated()
    {
        var hashing = new HashingTokenizer(new() { Buckets = 50 });
        var ids = hashing.Encode("the cat sat on the mat");
        CollectionAssert.AreEqual(ids, new HashingTokenizer(new() { Buckets = 50 }).Encode("the cat sat on the mat"));
        Assert.AreEqual(6 + 5, ids.Length, "six words and five bigrams");
        Assert.IsTrue(ids.All(id => id is >= 1 and <= 50));
        Assert.AreEqual(ids[0], ids[4], "the same word hashes to the same bucket");
        Assert.AreEqual(3, hashing.Encode("the cat sat on the mat", maxLength: 3).Length);
        Assert.AreEqual(1, hashing.Encode("   ").Length, "an empty text still gives one id");
    }

    [TestMethod]
    public void RealTokenizers_EncodeFromManyThreads_SameAsSequential()
    {
        var texts = Enumerable.Range(0, 200).Select(i => $"Document {i}: naïve tokenization of package descriptions, number {i * 7919}.").ToArray();
        ITokenizer[] tokenizers =
        [
            WordPieceTokenizer.FromVocabulary(SharedData.Require("vocab/bert-base-uncased/vocab.txt", "tokenizer_vocabs")),
            Gpt2Tokenizer.FromFiles(SharedData.Require("vocab/gpt2/encoder.json", "tokenizer_vocabs"), SharedData.Require("vocab/gpt2/vocab.bpe", "tokenizer_vocabs")),
            new HashingTokenizer(new() { MinCharNgram = 3, MaxCharNgram = 5 }),
        ];
        foreach (var tokenizer in tokenizers)
        {
            var sequential = texts.Select(t => tokenizer.Encode(t)).ToArray();
            var parallel = new int[texts.Length][];
            Parallel.For(0, texts.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i % texts.Length] = tokenizer.Encode(texts[i % texts.Length]));
            for (int i = 0; i < texts.Length; i++)
                CollectionAssert.AreEqual(sequential[i], parallel[i], $"{tokenizer.GetType().Name} text {i}");
        }
    }
}
