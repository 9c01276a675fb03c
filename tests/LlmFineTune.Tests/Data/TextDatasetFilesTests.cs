using LlmFineTune.Data;

namespace LlmFineTune.Tests.Data;

[TestClass]
public sealed class TextDatasetFilesTests
{
    private string directory = "";

    [TestInitialize]
    public void Setup() => directory = Directory.CreateTempSubdirectory("llmft-files-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    [DataRow("a.tsv", DatasetFormat.Tsv)]
    [DataRow("a.CSV", DatasetFormat.Csv)]
    [DataRow("dir/a.jsonl", DatasetFormat.JsonLines)]
    [DataRow("a.txt", DatasetFormat.FastText)]
    public void FormatOf_KnownExtension_ItsFormat(string path, DatasetFormat expected) =>
        Assert.AreEqual(expected, TextDatasetFiles.FormatOf(path));

    [TestMethod]
    public void Load_EachFormatByExtension_SameExamples()
    {
        string[] files =
        [
            Write("d.tsv", "spam\tcheap pills", "ham\tlunch at noon"),
            Write("d.csv", "text,label", "cheap pills,spam", "lunch at noon,ham"),
            Write("d.jsonl", """{"text": "cheap pills", "label": "spam"}""", """{"text": "lunch at noon", "label": "ham"}"""),
            Write("d.txt", "__label__spam cheap pills", "__label__ham lunch at noon"),
        ];

        foreach (string file in files)
        {
            var data = TextDatasetFiles.Load(file);
            Assert.AreEqual(2, data.Count, file);
            Assert.AreEqual("cheap pills", data[0].Text, file);
            Assert.AreEqual("spam", data[0].Label, file);
        }
    }

    [TestMethod]
    public void Load_FormatGiven_OverridesTheExtension()
    {
        string file = Write("d.data", "spam\tcheap pills", "ham\tlunch at noon");

        var data = TextDatasetFiles.Load(file, TextDatasetFiles.ParseFormat("TSV"));

        Assert.AreEqual("ham", data[1].Label);
    }

    [TestMethod]
    public void Load_UnknownExtension_ThrowsListingTheFormats()
    {
        string file = Write("d.parquet", "x");

        var e = Assert.ThrowsExactly<ArgumentException>(() => TextDatasetFiles.Load(file));

        StringAssert.Contains(e.Message, "d.parquet");
        StringAssert.Contains(e.Message, ".tsv, .csv, .jsonl");
    }

    [TestMethod]
    public void Load_MissingFile_ThrowsNamingIt()
    {
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => TextDatasetFiles.Load(Path.Combine(directory, "none.tsv")));

        StringAssert.Contains(e.Message, "none.tsv");
    }

    [TestMethod]
    public void Load_DirectoryNamedLikeADataFile_ThrowsSayingItIsADirectory()
    {
        string path = Directory.CreateDirectory(Path.Combine(directory, "train.tsv")).FullName;

        var e = Assert.ThrowsExactly<FileNotFoundException>(() => TextDatasetFiles.Load(path));

        StringAssert.Contains(e.Message, $"{path}: is a directory, not a file");
    }

    [TestMethod]
    public void Load_DanglingSymbolicLink_ThrowsNamingItsTarget()
    {
        string path = Path.Combine(directory, "train.tsv");
        File.CreateSymbolicLink(path, Path.Combine(directory, "moved.tsv"));

        var e = Assert.ThrowsExactly<FileNotFoundException>(() => TextDatasetFiles.Load(path));

        StringAssert.StartsWith(e.Message, $"{path}: is a symbolic link to '{Path.Combine(directory, "moved.tsv")}' whose target does not exist");
    }

    [TestMethod]
    public void Load_FifoWithFormatGiven_Loads()
    {
        using var temp = new TempFolder();
        string fifo = temp.WriteFifo("63", "spam\tcheap pills\nham\tlunch at noon\n");

        var data = TextDatasetFiles.Load(fifo, DatasetFormat.Tsv);

        Assert.AreEqual(2, data.Count);
    }

    [TestMethod]
    public void ParseFormat_Unknown_ThrowsListingTheNames()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => TextDatasetFiles.ParseFormat("xml"));

        StringAssert.Contains(e.Message, "tsv, csv, jsonl");
    }

    private string Write(string name, params string[] lines)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}
