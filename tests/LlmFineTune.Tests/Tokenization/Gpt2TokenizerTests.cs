using LlmFineTune.Tests.Data;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Tokenization;

[TestClass]
public sealed class Gpt2TokenizerTests
{
    private static Gpt2Tokenizer Gpt2() => Gpt2Tokenizer.FromFiles(
        SharedData.Require("vocab/gpt2/encoder.json", "tokenizer_vocabs"),
        SharedData.Require("vocab/gpt2/vocab.bpe", "tokenizer_vocabs"));

    [TestMethod]
    public void Encode_GivesGpt2Ids()
    {
        var tokenizer = Gpt2();
        Assert.AreEqual(50257, tokenizer.VocabularySize);
        Assert.AreEqual(50256, tokenizer.Special.EndOfText);
        CollectionAssert.AreEqual(new[] { 15496, 995 }, tokenizer.Encode("Hello world"));
        CollectionAssert.AreEqual(new[] { 15496, 995, 50256 }, tokenizer.Encode("Hello world<|endoftext|>"));
        CollectionAssert.AreEqual(new[] { 50256 }, tokenizer.Encode(""));
    }

    [TestMethod]
    public void Decode_RoundTripsExactly_AndContinuationMarksWordPieces()
    {
        var tokenizer = Gpt2();
        const string text = "naïve tokenization, Ünïcode & spaces  twice!";
        var ids = tokenizer.Encode(text);
        Assert.AreEqual(text, tokenizer.Decode(ids));
        var tokenization = tokenizer.Encode(" tokenization");
        Assert.AreEqual(2, tokenization.Length);
        Assert.IsFalse(tokenizer.IsContinuation(tokenization[0]));
        Assert.IsTrue(tokenizer.IsContinuation(tokenization[1]));
        Assert.AreEqual(3, tokenizer.Encode(text, maxLength: 3).Length);
    }

    [TestMethod]
    public void SaveAndLoad_UsesHuggingFaceLayout()
    {
        using var temp = new TempFolder();
        var tokenizer = Gpt2();
        tokenizer.Save(temp.Path);
        Assert.IsTrue(File.Exists(Path.Combine(temp.Path, "vocab.json")));
        Assert.IsTrue(File.Exists(Path.Combine(temp.Path, "merges.txt")));
        var loaded = Tokenizers.Load(temp.Path);
        Assert.IsInstanceOfType<Gpt2Tokenizer>(loaded);
        CollectionAssert.AreEqual(tokenizer.Encode("The quick brown fox."), loaded.Encode("The quick brown fox."));
    }

    [TestMethod]
    public void FromFiles_BadVocabulary_Throws()
    {
        using var temp = new TempFolder();
        string vocab = temp.Write("vocab.json", "[1, 2]");
        string merges = temp.Write("merges.txt", "#version: 0.2\n");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidDataException>(() => Gpt2Tokenizer.FromFiles(vocab, merges)).Message, $"{vocab}: expected a JSON object");
    }
}
