using LlmFineTune.Data;

namespace LlmFineTune.Tests.Data;

[TestClass]
public sealed class TextCorpusTests
{
    private TempFolder temp = null!;

    [TestInitialize]
    public void Setup() => temp = new TempFolder();

    [TestCleanup]
    public void Cleanup() => temp.Dispose();

    [TestMethod]
    public void Read_BlankLineSeparated_JoinsLinesOfADocument()
    {
        string path = temp.Write("c.txt", "first line\nstill first\n\n\n\nsecond\r\n\r\nthird\n");
        var docs = TextCorpus.FromFile(path).Read().ToArray();
        CollectionAssert.AreEqual(new[] { "first line\nstill first", "second", "third" }, docs.Select(d => d.Text).ToArray());
        Assert.AreEqual($"{path}:6", docs[1].Source);
        Assert.AreEqual(3L, docs[2].Next.Document);
    }

    [TestMethod]
    public void Read_LineMode_EachNonBlankLineIsADocument()
    {
        string path = temp.Write("c.txt", "a b\n\nc d\ne f");
        var docs = TextCorpus.FromFile(path, new() { Separator = DocumentSeparator.Line }).Read().Select(d => d.Text).ToArray();
        CollectionAssert.AreEqual(new[] { "a b", "c d", "e f" }, docs);
    }

    [TestMethod]
    public void Read_FromAnyNextPosition_ContinuesWithExactlyTheFollowingDocuments()
    {
        string a = temp.Write("a.txt", "\uFEFFdoc one\n\ndoc two\nline two\n\ndoc three\n");
        string b = temp.Write("b.txt", "doc four\n\n\ndoc five");
        var corpus = TextCorpus.FromFiles([a, b]);
        var all = corpus.Read().ToArray();
        CollectionAssert.AreEqual(new[] { "doc one", "doc two\nline two", "doc three", "doc four", "doc five" }, all.Select(d => d.Text).ToArray());
        for (int i = 0; i < all.Length; i++)
        {
            var rest = corpus.Read(all[i].Next).ToArray();
            CollectionAssert.AreEqual(all.Skip(i + 1).Select(d => d.Text).ToArray(), rest.Select(d => d.Text).ToArray(), $"resume after document {i}");
            CollectionAssert.AreEqual(all.Skip(i + 1).Select(d => d.Source).ToArray(), rest.Select(d => d.Source).ToArray(), "line numbers survive a resume");
            CollectionAssert.AreEqual(all.Skip(i + 1).Select(d => d.Next).ToArray(), rest.Select(d => d.Next).ToArray());
        }
    }

    [TestMethod]
    public void Read_InvalidUtf8_ThrowsNamingLine_OrReplaces()
    {
        string path = temp.WriteBytes("c.txt", [(byte)'o', (byte)'k', (byte)'\n', (byte)'\n', (byte)'b', 0xC0, (byte)'\n']);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextCorpus.FromFile(path).Read().ToList());
        StringAssert.StartsWith(e.Message, $"{path}:3: the bytes are not valid UTF-8");
        var docs = TextCorpus.FromFile(path, new() { Encoding = TextEncodingPolicy.Replace }).Read().ToArray();
        Assert.AreEqual("b\uFFFD", docs[1].Text);
    }

    [TestMethod]
    public void Read_DocumentOverLimit_SuggestsLineMode()
    {
        string path = temp.Write("c.txt", string.Join('\n', Enumerable.Repeat("one document per line here", 100)));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextCorpus.FromFile(path, new() { MaxDocumentChars = 500 }).Read().ToList());
        StringAssert.StartsWith(e.Message, $"{path}:1: the document is longer than MaxDocumentChars (500)");
        StringAssert.Contains(e.Message, "DocumentSeparator.Line");
        Assert.AreEqual(100, TextCorpus.FromFile(path, new() { Separator = DocumentSeparator.Line, MaxDocumentChars = 500 }).Read().Count());
    }

    [TestMethod]
    public void FromTexts_ReadsAndResumesByDocumentIndex()
    {
        var corpus = TextCorpus.FromTexts(["one", " ", "two", "three"]);
        var all = corpus.Read().ToArray();
        CollectionAssert.AreEqual(new[] { "one", "two", "three" }, all.Select(d => d.Text).ToArray());
        CollectionAssert.AreEqual(new[] { "three" }, corpus.Read(all[1].Next).Select(d => d.Text).ToArray());
        Assert.AreEqual(0, corpus.Read(all[2].Next).Count());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => corpus.Read(new CorpusPosition(0, 0, 0, 4)));
    }

    [TestMethod]
    public void Read_PositionOutsideCorpus_Throws()
    {
        string path = temp.Write("c.txt", "x\n");
        var corpus = TextCorpus.FromFile(path);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => corpus.Read(new CorpusPosition(2, 0, 0, 0)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => corpus.Read(new CorpusPosition(0, 99, 0, 0)).ToList());
        Assert.ThrowsExactly<FileNotFoundException>(() => TextCorpus.FromFile(Path.Combine(temp.Path, "none.txt")));
    }

    [TestMethod]
    public void Read_RealCorpus_StreamsAllDocumentsAndResumesMidway()
    {
        string path = SharedData.Require("corpus/debian-descriptions.txt", "debian_sections");
        var corpus = TextCorpus.FromFile(path);
        long count = 0;
        CorpusDocument middle = default, after = default;
        foreach (var doc in corpus.Read())
        {
            count++;
            if (count == 100) middle = doc;
            if (count == 101) after = doc;
        }
        Assert.IsTrue(count > 200, $"only {count} documents");
        // streaming: the first document of a 25 MB file costs kilobytes, not the file
        long before = GC.GetAllocatedBytesForCurrentThread();
        _ = corpus.Read().First();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsTrue(allocated < 1 << 20, $"{allocated} bytes allocated to read one document");
        var resumed = corpus.Read(middle.Next).First();
        Assert.AreEqual(after.Text, resumed.Text);
        Assert.AreEqual(after.Source, resumed.Source);
    }

    [TestMethod]
    public void Read_Fifo_ReadTwiceAndResumed_SameDocuments()
    {
        string path = temp.WriteFifo("corpus.txt", "doc one\n\ndoc two\nline two\n\ndoc three\n");
        var corpus = TextCorpus.FromFile(path);

        var first = corpus.Read().ToArray();
        var second = corpus.Read().ToArray();
        var resumed = corpus.Read(first[0].Next).Select(d => d.Text).ToArray();

        CollectionAssert.AreEqual(new[] { "doc one", "doc two\nline two", "doc three" }, first.Select(d => d.Text).ToArray());
        CollectionAssert.AreEqual(first.Select(d => d.Text).ToArray(), second.Select(d => d.Text).ToArray(), "a pipe is read once and kept");
        CollectionAssert.AreEqual(new[] { "doc two\nline two", "doc three" }, resumed);
        Assert.AreEqual($"{path}:3", first[1].Source);
    }

    [TestMethod]
    public void Read_CrOnlyLineEndings_BlankLinesSeparateDocuments()
    {
        string path = temp.Write("c.txt", "doc one\rstill one\r\rdoc two\r");

        var docs = TextCorpus.FromFile(path).Read().Select(d => d.Text).ToArray();

        CollectionAssert.AreEqual(new[] { "doc one\nstill one", "doc two" }, docs);
    }

    [TestMethod]
    public void FromFile_Directory_ThrowsSayingItIsADirectory()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => TextCorpus.FromFile(temp.Path));

        Assert.AreEqual($"{temp.Path}: is a directory, not a corpus file. Pass the corpus file inside it.", e.Message);
    }
}
