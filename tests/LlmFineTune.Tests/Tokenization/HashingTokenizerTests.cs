using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Tokenization;

[TestClass]
public sealed class HashingTokenizerTests
{
    [TestMethod]
    public void WordIds_WithCharNgrams_AreEncodeSplitByWord()
    {
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 5000, WordNgrams = 1, MinCharNgram = 2, MaxCharNgram = 3 });
        const string text = "The cat, the HAT!";

        var words = tokenizer.WordIds(text);

        Assert.HasCount(6, words, "the, cat, ',', the, hat, '!'");
        CollectionAssert.AreEqual(tokenizer.Encode(text), words.SelectMany(w => w).ToArray(), "word by word, the same ids as the bag sees");
        CollectionAssert.AreEqual(words[0], words[3], "lower-cased like Encode");
        Assert.AreEqual(tokenizer.Encode("cat")[0], words[1][0], "the word's own id comes first");
        Assert.HasCount(1 + 4 + 3, words[1], "cat, then <c ca at t>, then <ca cat at>");
    }
}
