using LlmFineTune.Data;
using LlmFineTune.Tests.Data;
using LlmFineTune.Tokenization;
using Microsoft.Extensions.Options;

namespace LlmFineTune.Tests.Tokenization;

[TestClass]
public sealed class WordPieceTrainerTests
{
    private static readonly string[] Texts =
    [
        "The runner was running and the runners ran.",
        "Running is fun; runners love running!",
        "Unrelated words: banana, bandana, cabana.",
        "The banana runner",
    ];

    private static IEnumerable<string> Corpus() => Enumerable.Repeat(Texts, 5).SelectMany(t => t);

    [TestMethod]
    public void Train_VocabularyStartsWithSpecialsThenAlphabetAndLearnsFrequentWords()
    {
        var tokenizer = new WordPieceTrainer(new() { VocabularySize = 80, MinFrequency = 2 }).Train(Corpus());
        var vocab = tokenizer.Vocabulary;
        CollectionAssert.AreEqual(new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }, vocab.Take(5).ToArray());
        Assert.AreEqual(80, vocab.Count);
        Assert.IsTrue(vocab.Contains("running"), string.Join(" ", vocab));
        Assert.IsTrue(vocab.Contains("##s"));
        Assert.AreEqual(new SpecialTokens(Pad: 0, Unknown: 1, Classification: 2, Separator: 3, Mask: 4), tokenizer.Special);
        var ids = tokenizer.Encode("The runners");
        Assert.IsFalse(ids.Contains(1), "no [UNK] for seen characters");
        Assert.AreEqual("the runners", tokenizer.Decode(ids));
    }

    [TestMethod]
    public void Train_IsDeterministic()
    {
        var options = new WordPieceTrainerOptions { VocabularySize = 70 };
        CollectionAssert.AreEqual(new WordPieceTrainer(options).Train(Corpus()).Vocabulary.ToArray(), new WordPieceTrainer(options).Train(Corpus()).Vocabulary.ToArray());
    }

    [TestMethod]
    public void Train_MinFrequencyStopsMerging()
    {
        var alphabetOnly = new WordPieceTrainer(new() { VocabularySize = 1000, MinFrequency = 1000 }).Train(Corpus());
        // specials + alphabet + ##alphabet and no merges
        int alphabet = Corpus().SelectMany(t => t.ToLowerInvariant()).Where(c => !char.IsWhiteSpace(c)).Distinct().Count();
        Assert.AreEqual(5 + 2 * alphabet, alphabetOnly.VocabularySize);
        var merged = new WordPieceTrainer(new() { VocabularySize = 1000, MinFrequency = 2 }).Train(Corpus());
        Assert.IsTrue(merged.VocabularySize > alphabetOnly.VocabularySize);
        Assert.IsTrue(merged.VocabularySize < 1000, "merging stops when no pair is frequent enough");
    }

    [TestMethod]
    public void Train_SavedVocabularyReloadsToTheSameIds()
    {
        using var temp = new TempFolder();
        var tokenizer = new WordPieceTrainer(new() { VocabularySize = 60, AdditionalSpecialTokens = ["[unused0]"] }).Train(Corpus());
        Assert.AreEqual("[unused0]", tokenizer.TokenOf(5));
        tokenizer.Save(temp.Path);
        var loaded = WordPieceTokenizer.FromVocabulary(Path.Combine(temp.Path, WordPieceTokenizer.VocabFileName));
        foreach (string text in Texts)
            CollectionAssert.AreEqual(tokenizer.Encode(text), loaded.Encode(text));
    }

    [TestMethod]
    public void Train_FromRealCorpus_CoversCommonText()
    {
        string path = SharedData.Require("corpus/debian-descriptions.txt", "debian_sections");
        var slice = new TakeCorpus(TextCorpus.FromFile(path), 3000);
        var tokenizer = new WordPieceTrainer(new() { VocabularySize = 3000 }).Train(slice);
        Assert.AreEqual(3000, tokenizer.VocabularySize);
        var ids = tokenizer.Encode("This package provides the library and development files.");
        Assert.IsFalse(ids.Contains(tokenizer.Special.Unknown!.Value));
        Assert.IsTrue(tokenizer.Vocabulary.Contains("package"));
        Assert.IsTrue(ids.Length < 20, $"common words stay whole or nearly ({ids.Length} ids)");
    }

    [TestMethod]
    public void Options_Invalid_Throw()
    {
        StringAssert.Contains(Assert.ThrowsExactly<OptionsValidationException>(() => new WordPieceTrainer(new() { VocabularySize = 5 })).Message, "Property VocabularySize: must exceed the 5 special tokens (was 5).");
        StringAssert.Contains(Assert.ThrowsExactly<OptionsValidationException>(() => new WordPieceTrainer(new() { AdditionalSpecialTokens = ["[PAD]"] })).Message, "Property AdditionalSpecialTokens: special tokens must be distinct");
        Assert.ThrowsExactly<InvalidDataException>(() => new WordPieceTrainer().Train(["  ", ""]));
    }

    /// <summary>The first documents of a corpus, to keep the test fast.</summary>
    private sealed class TakeCorpus(ITextCorpus inner, int count) : ITextCorpus
    {
        public IEnumerable<CorpusDocument> Read(CorpusPosition from = default) => inner.Read(from).Take(count);
    }
}
