using System.Text.Json.Nodes;
using LlmFineTune.Tests.Data;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Tokenization;

[TestClass]
public sealed class WordPieceTokenizerTests
{
    private static WordPieceTokenizer Bert() =>
        WordPieceTokenizer.FromVocabulary(SharedData.Require("vocab/bert-base-uncased/vocab.txt", "tokenizer_vocabs"));

    [TestMethod]
    public void BertVocabulary_SpecialTokensHaveBertIds()
    {
        var tokenizer = Bert();
        Assert.AreEqual(30522, tokenizer.VocabularySize);
        Assert.AreEqual(new SpecialTokens(Pad: 0, Unknown: 100, Classification: 101, Separator: 102, Mask: 103), tokenizer.Special);
        Assert.AreEqual(0, tokenizer.PadId);
    }

    [TestMethod]
    public void BertVocabulary_HelloWorld_GivesBertIds()
    {
        CollectionAssert.AreEqual(new[] { 101, 7592, 2088, 102 }, Bert().Encode("Hello World"));
    }

    [TestMethod]
    public void BertVocabulary_RareWordsSplitIntoContinuationPieces()
    {
        var tokenizer = Bert();
        var ids = tokenizer.Encode("unaffable tokenization");
        CollectionAssert.AreEqual(new[] { "[CLS]", "una", "##ffa", "##ble", "token", "##ization", "[SEP]" }, ids.Select(tokenizer.TokenOf).ToArray());
        CollectionAssert.AreEqual(new[] { false, false, true, true, false, true, false }, ids.Select(tokenizer.IsContinuation).ToArray());
        // ids are the vocabulary's line numbers
        var lines = File.ReadAllLines(SharedData.Require("vocab/bert-base-uncased/vocab.txt", "tokenizer_vocabs"));
        foreach (int id in ids) Assert.AreEqual(lines[id], tokenizer.TokenOf(id));
    }

    [TestMethod]
    public void BertVocabulary_PunctuationAccentsAndUnknowns()
    {
        var tokenizer = Bert();
        CollectionAssert.AreEqual(tokenizer.Encode("cafe, naive!"), tokenizer.Encode("Café, naïve!"));
        CollectionAssert.AreEqual(new[] { "[CLS]", "cafe", ",", "naive", "!", "[SEP]" }, tokenizer.Encode("Café, naïve!").Select(tokenizer.TokenOf).ToArray());
        CollectionAssert.AreEqual(new[] { 101, 100, 102 }, tokenizer.Encode("x\u16A0y"), "a word with an out-of-vocabulary character is [UNK]");
        CollectionAssert.AreEqual(new[] { 101, 102 }, tokenizer.Encode(""));
    }

    [TestMethod]
    public void Encode_MaxLength_TruncatesAndKeepsSeparator()
    {
        var tokenizer = Bert();
        var ids = tokenizer.Encode("one two three four five six seven", maxLength: 5);
        Assert.AreEqual(5, ids.Length);
        Assert.AreEqual(101, ids[0]);
        Assert.AreEqual(102, ids[^1]);
        CollectionAssert.AreEqual(new[] { 101 }, tokenizer.Encode("one two", maxLength: 1));
    }

    [TestMethod]
    public void Decode_RoundTripsNormalizedText()
    {
        var tokenizer = Bert();
        Assert.AreEqual("hello world", tokenizer.Decode(tokenizer.Encode("Hello World")));
        Assert.AreEqual("unaffable tokenization is fun.", tokenizer.Decode(tokenizer.Encode("Unaffable tokenization is fun.")));
    }

    [TestMethod]
    public void SaveAndLoad_RestoresSameIdsAndWritesHuggingFaceConfig()
    {
        using var temp = new TempFolder();
        var tokenizer = WordPieceTokenizer.FromTokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Hello", "world", "##s"], new() { Lowercase = false });
        tokenizer.Save(temp.Path);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "tokenizer_config.json")))!;
        Assert.AreEqual("BertTokenizer", config["tokenizer_class"]!.GetValue<string>());
        Assert.IsFalse(config["do_lower_case"]!.GetValue<bool>());
        var loaded = Tokenizers.Load(temp.Path);
        Assert.IsInstanceOfType<WordPieceTokenizer>(loaded);
        CollectionAssert.AreEqual(new[] { 2, 5, 6, 7, 3 }, loaded.Encode("Hello worlds"));
        CollectionAssert.AreEqual(tokenizer.Encode("Hello hello worlds"), loaded.Encode("Hello hello worlds"));
        Assert.AreEqual(1, loaded.Encode("hello")[1], "cased: 'hello' is unknown");
    }

    [TestMethod]
    public void FromVocabulary_BadFiles_ThrowNamingLine()
    {
        using var temp = new TempFolder();
        string repeated = temp.Write("v1.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nword\nword\n");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidDataException>(() => WordPieceTokenizer.FromVocabulary(repeated)).Message, $"{repeated}:7: token 'word' repeats line 6");
        string noMask = temp.Write("v2.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nword\n");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidDataException>(() => WordPieceTokenizer.FromVocabulary(noMask)).Message, $"{noMask}: the special token '[MASK]' is not in the vocabulary");
    }
}
