using System.Text;
using LlmFineTune.Data;

namespace LlmFineTune.Tests.Data;

[TestClass]
public sealed class TextDatasetLoaderTests
{
    private TempFolder temp = null!;

    [TestInitialize]
    public void Setup() => temp = new TempFolder();

    [TestCleanup]
    public void Cleanup() => temp.Dispose();

    [TestMethod]
    public void FromTsv_Headerless_SplitsOnFirstTab()
    {
        string path = temp.Write("a.tsv", "spam\tbuy now\tcheap\r\n\nham\thello there\n");
        var data = TextDataset.FromTsv(path);
        Assert.AreEqual(2, data.Count);
        Assert.AreEqual("buy now\tcheap", data[0].Text);
        Assert.AreEqual("spam", data[0].Label);
        Assert.AreEqual($"{path}:3", data[1].Source);
        CollectionAssert.AreEqual(new[] { "ham", "spam" }, data.LabelMap.ToArray());
        Assert.AreEqual(2, data.LoadReport!.Loaded);
        Assert.AreEqual(0, data.LoadReport.Skipped);
    }

    [TestMethod]
    public void FromTsv_LineWithoutTab_ThrowsNamingLineAndFix()
    {
        string path = temp.Write("a.tsv", "spam\tbuy\nno tab here\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromTsv(path));
        StringAssert.StartsWith(e.Message, $"{path}:2: expected label<TAB>text");
        StringAssert.Contains(e.Message, "InvalidRows = InvalidRowPolicy.Skip");
        Assert.AreEqual(2L, e.Data["Line"]);
    }

    [TestMethod]
    public void FromTsv_WithHeader_SelectsColumnsAndRejectsRaggedRows()
    {
        string path = temp.Write("a.tsv", "id\ttext\tlabel\n1\tgood film\tpos\n2\tbad\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromTsv(path, new() { HasHeader = true }));
        StringAssert.StartsWith(e.Message, $"{path}:3: the row has 2 fields but the header has 3");
        var data = TextDataset.FromTsv(path, new() { HasHeader = true, InvalidRows = InvalidRowPolicy.Skip });
        Assert.AreEqual("good film", data.Single().Text);
        Assert.AreEqual(1, data.LoadReport!.SkippedByReason[SkipReason.RaggedRow]);
    }

    [TestMethod]
    public void FromCsv_Rfc4180Quoting_ParsesFieldsAndKeepsLineNumbers()
    {
        string csv = "label,text,extra\n" +
                     "a,\"hello, world\",x\n" +
                     "b,\"she said \"\"hi\"\"\nand left\",y\n" +
                     "c,plain,z\n";
        string path = temp.Write("a.csv", csv);
        var data = TextDataset.FromCsv(path);
        Assert.AreEqual(3, data.Count);
        Assert.AreEqual("hello, world", data[0].Text);
        Assert.AreEqual("she said \"hi\"\nand left", data[1].Text);
        Assert.AreEqual($"{path}:3", data[1].Source);
        Assert.AreEqual($"{path}:5", data[2].Source);
        Assert.AreEqual("c", data[2].Label);
    }

    [TestMethod]
    public void FromCsv_ColumnsByName_CaseInsensitiveFallbackAndSemicolon()
    {
        string path = temp.Write("a.csv", "Body;Category\r\nprinter broken;hardware\r\n\"cannot log in; again\";account\r\n");
        var data = TextDataset.FromCsv(path, new() { TextField = "body", LabelField = "category", Delimiter = ';' });
        Assert.AreEqual("cannot log in; again", data[1].Text);
        Assert.AreEqual("account", data[1].Label);
    }

    [TestMethod]
    public void FromCsv_MissingColumn_ThrowsListingColumns()
    {
        string path = temp.Write("a.csv", "message,category\nhi,a\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromCsv(path));
        StringAssert.StartsWith(e.Message, $"{path}:1: the header has no column 'text' (columns: 'message', 'category'). Set TextField");
    }

    [TestMethod]
    public void FromCsv_UnclosedQuote_ThrowsNamingRecordStart()
    {
        string path = temp.Write("a.csv", "text,label\nok,a\n\"never closed,b\nmore,c\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromCsv(path));
        StringAssert.StartsWith(e.Message, $"{path}:3: a quoted field is never closed");
    }

    [TestMethod]
    public void FromCsv_TextAfterClosingQuote_Throws()
    {
        string path = temp.Write("a.csv", "text,label\n\"quoted\"tail,a\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromCsv(path));
        StringAssert.StartsWith(e.Message, $"{path}:2: text follows the closing quote of field 1");
    }

    [TestMethod]
    public void FromCsv_Regression_ParsesInvariantNumbersAndRejectsOthers()
    {
        string path = temp.Write("a.csv", "text,label\ngreat,4.5\nmeh,2\nodd,\"3,5\"\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromCsv(path, new() { Kind = TaskKind.Regression }));
        StringAssert.StartsWith(e.Message, $"{path}:4: the target '3,5' is not a finite number");
        var data = TextDataset.FromCsv(path, new() { Kind = TaskKind.Regression, InvalidRows = InvalidRowPolicy.Skip });
        Assert.AreEqual(TaskKind.Regression, data.Kind);
        CollectionAssert.AreEqual(new float?[] { 4.5f, 2f }, data.Select(x => x.Value).ToArray());
        Assert.AreEqual(0, data.LabelMap.Count);
    }

    [TestMethod]
    public void FromCsv_MultiLabel_SplitsLabelField()
    {
        string path = temp.Write("a.csv", "text,label\nrain and wind,\"weather, storm\"\nsunny,weather\n");
        var data = TextDataset.FromCsv(path, new() { Kind = TaskKind.MultiLabel });
        CollectionAssert.AreEqual(new[] { "weather", "storm" }, data[0].Labels!.ToArray());
        CollectionAssert.AreEqual(new[] { "storm", "weather" }, data.LabelMap.ToArray());
    }

    [TestMethod]
    public void FromJsonLines_StringsArraysNumbersAndFieldNames()
    {
        string path = temp.Write("a.jsonl", "{\"body\":\"first\",\"y\":1}\n\n{\"body\":\"second\",\"y\":0,\"other\":[1,2]}\n");
        var data = TextDataset.FromJsonLines(path, new() { TextField = "body", LabelField = "y" });
        Assert.AreEqual(TaskKind.SingleLabel, data.Kind);
        CollectionAssert.AreEqual(new[] { "1", "0" }, data.Select(x => x.Label).ToArray());

        string multi = temp.Write("m.jsonl", "{\"text\":\"a\",\"label\":[\"x\",\"y\"]}\n{\"text\":\"b\",\"label\":[\"y\"]}\n");
        var multiData = TextDataset.FromJsonLines(multi);
        Assert.AreEqual(TaskKind.MultiLabel, multiData.Kind);
        CollectionAssert.AreEqual(new[] { "x", "y" }, multiData.LabelMap.ToArray());

        string values = temp.Write("r.jsonl", "{\"text\":\"a\",\"label\":0.25}\n");
        Assert.AreEqual(0.25f, TextDataset.FromJsonLines(values, new() { Kind = TaskKind.Regression })[0].Value);
    }

    [TestMethod]
    public void FromJsonLines_BadJsonAndMissingFields_ThrowNamingLine()
    {
        string bad = temp.Write("b.jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\n");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromJsonLines(bad)).Message, $"{bad}:2: the line is not valid JSON");

        string missing = temp.Write("c.jsonl", "{\"text\":\"a\"}\n");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromJsonLines(missing)).Message, $"{missing}:1: field 'label' is missing");

        string noText = temp.Write("d.jsonl", "{\"label\":\"a\"}\n");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromJsonLines(noText)).Message, $"{noText}:1: the text field is missing");
    }

    [TestMethod]
    public void FromFastText_SeveralLabelsMakeMultiLabel()
    {
        string single = temp.Write("s.txt", "__label__pos great movie\n__label__neg  awful\n");
        var s = TextDataset.FromFastText(single);
        Assert.AreEqual(TaskKind.SingleLabel, s.Kind);
        Assert.AreEqual("great movie", s[0].Text);
        Assert.AreEqual("neg", s[1].Label);

        string multi = temp.Write("m.txt", "__label__a __label__b both\n__label__a one\n");
        var m = TextDataset.FromFastText(multi);
        Assert.AreEqual(TaskKind.MultiLabel, m.Kind);
        CollectionAssert.AreEqual(new[] { "a", "b" }, m[0].Labels!.ToArray());
        CollectionAssert.AreEqual(new[] { "a" }, m[1].Labels!.ToArray());
    }

    [TestMethod]
    public void FromFastText_MissingLabelOrText_Throws()
    {
        string noLabel = temp.Write("a.txt", "__label__a fine\njust text\n");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromFastText(noLabel)).Message, $"{noLabel}:2: the line has no label");
        string noText = temp.Write("b.txt", "__label__a fine\n__label__b   \n");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromFastText(noText)).Message, $"{noText}:2: the text is empty");
    }

    [TestMethod]
    public void FromFolders_OneFolderPerClass()
    {
        temp.Write("root/sports/1.txt", "goal!");
        temp.Write("root/sports/2.txt", "match report");
        temp.Write("root/cooking/1.txt", "bake the bread");
        temp.Write("root/cooking/notes.md", "ignored by the pattern");
        var data = TextDataset.FromFolders(Path.Combine(temp.Path, "root"));
        Assert.AreEqual(3, data.Count);
        CollectionAssert.AreEqual(new[] { "cooking", "sports" }, data.LabelMap.ToArray());
        Assert.AreEqual("bake the bread", data[0].Text);
        Assert.AreEqual(Path.Combine(temp.Path, "root", "cooking", "1.txt"), data[0].Source);
    }

    [TestMethod]
    public void FromFolders_EmptyFileAndBadEncoding_ThrowNamingFile()
    {
        string empty = temp.Write("r1/a/1.txt", "  \n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromFolders(Path.Combine(temp.Path, "r1")));
        StringAssert.Contains(e.Message, $"{empty}: the file is empty");
        string bad = temp.WriteBytes("r2/a/1.txt", [0x68, 0xC3, 0x28]);
        e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromFolders(Path.Combine(temp.Path, "r2")));
        StringAssert.Contains(e.Message, $"{bad}: the bytes are not valid UTF-8");
        Assert.ThrowsExactly<DirectoryNotFoundException>(() => TextDataset.FromFolders(Path.Combine(temp.Path, "nope")));
    }

    [TestMethod]
    public void InvalidUtf8_StrictThrows_ReplaceKeeps_SkipCounts()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes("a\tgood line\nb\tbad "));
        bytes.AddRange([0xFF, 0xFE]);
        bytes.AddRange(Encoding.UTF8.GetBytes(" bytes\n"));
        string path = temp.WriteBytes("a.tsv", bytes.ToArray());

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromTsv(path));
        StringAssert.StartsWith(e.Message, $"{path}:2: the bytes are not valid UTF-8");

        var replaced = TextDataset.FromTsv(path, new() { Encoding = TextEncodingPolicy.Replace });
        Assert.AreEqual("bad \uFFFD\uFFFD bytes", replaced[1].Text);

        var skipped = TextDataset.FromTsv(path, new() { InvalidRows = InvalidRowPolicy.Skip });
        Assert.AreEqual(1, skipped.Count);
        Assert.AreEqual(1, skipped.LoadReport!.SkippedByReason[SkipReason.InvalidEncoding]);
        StringAssert.StartsWith(skipped.LoadReport.SkippedSamples[0], $"{path}:2:");
        Assert.AreEqual($"{path}: 1 loaded, 1 skipped (InvalidEncoding 1)", skipped.LoadReport.ToString());
    }

    [TestMethod]
    public void EmptyText_ThrowsOrIsCounted()
    {
        string path = temp.Write("a.tsv", "a\thello\nb\t   \nc\t\n");
        StringAssert.StartsWith(Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromTsv(path)).Message, $"{path}:2: the text is empty.");
        var data = TextDataset.FromTsv(path, new() { InvalidRows = InvalidRowPolicy.Skip });
        Assert.AreEqual(2, data.LoadReport!.SkippedByReason[SkipReason.EmptyText]);
        Assert.AreEqual(1, data.LoadReport.Loaded);
    }

    [TestMethod]
    public void AllRowsInvalid_ThrowsEvenWhenSkipping()
    {
        string path = temp.Write("a.tsv", "a\t \n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromTsv(path, new() { InvalidRows = InvalidRowPolicy.Skip }));
        StringAssert.StartsWith(e.Message, $"{path}: no valid examples");
    }

    [TestMethod]
    public void EnforcedLabelMap_UnknownLabelThrows_IdsFollowTheMap()
    {
        var map = new LabelMap(["spam", "ham", "other"]);
        string path = temp.Write("a.tsv", "ham\thi\nspam\tbuy\n");
        var data = TextDataset.FromTsv(path, new() { LabelMap = map });
        Assert.AreSame(map, data.LabelMap);
        Assert.AreEqual(1, data.LabelMap.IdOf(data[0].Label!));

        string unknown = temp.Write("b.tsv", "ham\thi\nphish\tclick\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromTsv(unknown, new() { LabelMap = map }));
        StringAssert.StartsWith(e.Message, $"{unknown}:2: label 'phish' is not one of the known labels (spam, ham, other)");
    }

    [TestMethod]
    public void LabelMap_DoesNotDependOnExampleOrder()
    {
        string a = temp.Write("a.tsv", "zeta\tx\nalpha\ty\nmid\tz\n");
        string b = temp.Write("b.tsv", "mid\tz\nzeta\tx\nalpha\ty\n");
        CollectionAssert.AreEqual(TextDataset.FromTsv(a).LabelMap.ToArray(), TextDataset.FromTsv(b).LabelMap.ToArray());
    }

    [TestMethod]
    public void FiftyMegabyteLine_Loads()
    {
        string text = new string('w', 50 << 20);
        string path = temp.Write("big.tsv", "a\tsmall\nb\t" + text + "\n");
        var data = TextDataset.FromTsv(path);
        Assert.AreEqual(50 << 20, data[1].Text.Length);
    }

    [TestMethod]
    public void LineLongerThanLimit_ThrowsWithFix()
    {
        string path = temp.Write("a.tsv", "a\tsmall\nb\t" + new string('w', 5000) + "\n");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromTsv(path, new() { MaxRecordBytes = 1024 }));
        StringAssert.StartsWith(e.Message, $"{path}:2: the line is longer than 1,024 bytes");
        StringAssert.Contains(e.Message, "MaxRecordBytes");
    }

    [TestMethod]
    public void MissingFile_ThrowsFileNotFound()
    {
        Assert.ThrowsExactly<FileNotFoundException>(() => TextDataset.FromCsv(Path.Combine(temp.Path, "none.csv")));
    }

    [TestMethod]
    public void RealTsv_LoadsEveryLine()
    {
        string path = SharedData.Require("labeled/debian-sections-topical.train.tsv", "debian_sections");
        var data = TextDataset.FromTsv(path);
        Assert.AreEqual(File.ReadLines(path).Count(l => l.Length > 0), data.Count);
        Assert.AreEqual(19, data.LabelMap.Count);
    }

    [TestMethod]
    public void FromTsv_FirstLineLabelTabText_ReadAsHeaderWithANote()
    {
        string path = temp.Write("a.tsv", "label\ttext\npos\tgood\tfilm\nneg\tbad film\n");

        var data = TextDataset.FromTsv(path);
        var asData = TextDataset.FromTsv(path, new() { HasHeader = false });

        CollectionAssert.AreEqual(new[] { "neg", "pos" }, data.LabelMap.ToArray(), "no class named 'label'");
        Assert.AreEqual("good\tfilm", data[0].Text, "tabs after the start of the last column belong to the text");
        Assert.AreEqual($"{path}:2", data[0].Source);
        StringAssert.StartsWith(data.LoadReport!.Notes.Single(), $"{path}:1: the line names the text and label columns, so it was read as a header. Set HasHeader = false");
        CollectionAssert.Contains(asData.LabelMap.ToArray(), "label", "HasHeader = false reads the line as an example");
    }

    [TestMethod]
    public void FromTsv_FirstLineNamesColumnsInAnotherOrder_ColumnsFollowTheHeader()
    {
        string path = temp.Write("a.tsv", "id\tText\tLabel\n1\tgood film\tpos\n2\tbad film\tneg\n");

        var data = TextDataset.FromTsv(path);

        Assert.AreEqual("good film", data[0].Text);
        Assert.AreEqual("pos", data[0].Label);
    }

    [TestMethod]
    public void FromTsv_FirstLineStartsWithLabelColumnName_SkippedWithANote()
    {
        string path = temp.Write("a.tsv", "Label\tsentence\npos\tgood film\nneg\tbad film\n");

        var data = TextDataset.FromTsv(path);

        CollectionAssert.AreEqual(new[] { "neg", "pos" }, data.LabelMap.ToArray());
        StringAssert.StartsWith(data.LoadReport!.Notes.Single(), $"{path}:1: the line starts with the column name 'label', so it was skipped as a header");
    }

    [TestMethod]
    public void FromTsv_SwappedColumns_ThrowsNamingFileAndColumnOrder()
    {
        string path = temp.Write("a.tsv", string.Concat(Enumerable.Range(0, 12).Select(i => $"review number {i} of the film\t{(i % 2 == 0 ? "pos" : "neg")}\n")));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromTsv(path));

        StringAssert.StartsWith(e.Message, $"{path}: the labels look like texts: 12 of 12 examples have a label of their own, while the texts take only 2 values ('pos', 'neg')");
        StringAssert.Contains(e.Message, "The columns are probably swapped; a TSV file without a header line is read as label<TAB>text");
    }

    [TestMethod]
    public void FromCsv_SwappedColumnsWithoutHeader_ThrowsNamingTheCsvOrder()
    {
        string path = temp.Write("a.csv", string.Concat(Enumerable.Range(0, 10).Select(i => $"{(i % 3 == 0 ? "pos" : "neg")},a review of film {i}\n")));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromCsv(path, new() { HasHeader = false }));

        StringAssert.Contains(e.Message, "a CSV file without a header line is read as text,label");
    }

    [TestMethod]
    public void FromTsv_ManyClassesWithDistinctTexts_NotMistakenForSwappedColumns()
    {
        // extreme classification: every example its own class, but the texts are texts and longer than the labels
        string path = temp.Write("a.tsv", string.Concat(Enumerable.Range(0, 30).Select(i => $"c{i}\tsome text about topic number {i}\n")));

        Assert.AreEqual(30, TextDataset.FromTsv(path).LabelMap.Count);
    }

    [TestMethod]
    public void FromTsv_CrOnlyLineEndings_ReadAsLines()
    {
        string path = temp.Write("a.tsv", "pos\tgood film\rneg\tbad film\r\rpos\tfine\r");

        var data = TextDataset.FromTsv(path);

        CollectionAssert.AreEqual(new[] { "good film", "bad film", "fine" }, data.Select(e => e.Text).ToArray());
        Assert.AreEqual($"{path}:4", data[2].Source);
    }

    [TestMethod]
    public void FromCsv_CrOnlyLineEndings_ReadAsLines()
    {
        string path = temp.Write("a.csv", "text,label\r\"two\rlines\",a\rplain,b\r");

        var data = TextDataset.FromCsv(path);

        CollectionAssert.AreEqual(new[] { "two\nlines", "plain" }, data.Select(e => e.Text).ToArray());
        Assert.AreEqual($"{path}:4", data[1].Source);
    }

    [TestMethod]
    public void FromTsv_StrayCarriageReturnInLfFile_StaysInTheText()
    {
        string path = temp.Write("a.tsv", "pos\tgood\rfilm\nneg\tbad\r\n");

        var data = TextDataset.FromTsv(path);

        CollectionAssert.AreEqual(new[] { "good\rfilm", "bad" }, data.Select(e => e.Text).ToArray());
    }

    [TestMethod]
    public void FromTsvAndCsv_WhiteSpaceOnlyLines_SkippedLikeBlankOnes()
    {
        string tsv = temp.Write("a.tsv", "pos\tgood\n   \nneg\tbad\n \t \n");
        string csv = temp.Write("a.csv", "text,label\ngood,pos\n  \nbad,neg\n\t\n");

        Assert.AreEqual(2, TextDataset.FromTsv(tsv).Count);
        Assert.AreEqual(2, TextDataset.FromCsv(csv).Count);
    }

    [TestMethod]
    public void FromTsv_Utf16WithByteOrderMark_ThrowsSayingUtf16()
    {
        string path = temp.WriteBytes("a.tsv", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("pos\tgood\nneg\tbad\n")).ToArray());

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromTsv(path, new() { Encoding = TextEncodingPolicy.Replace }));

        StringAssert.StartsWith(e.Message, $"{path}:1: the file is UTF-16 (it starts with a UTF-16 byte order mark), not UTF-8. Save it as UTF-8");
    }

    [TestMethod]
    public void FromTsv_Utf16WithoutByteOrderMark_ThrowsAtTheFirstNul()
    {
        string path = temp.WriteBytes("a.tsv", Encoding.Unicode.GetBytes("pos\tgood\nneg\tbad\n"));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromTsv(path));

        StringAssert.StartsWith(e.Message, $"{path}:1: byte 2 of the line is NUL");
        StringAssert.Contains(e.Message, "probably UTF-16 or binary");
    }

    [TestMethod]
    public void FromJsonLines_OneNumberSpelledThreeWays_OneClass()
    {
        string path = temp.Write("a.jsonl", string.Join('\n',
            """{"text":"a","label":1}""", """{"text":"b","label":1.0}""", """{"text":"c","label":1e0}""",
            """{"text":"d","label":"1"}""", """{"text":"e","label":0.50}""", """{"text":"f","label":-0.0}"""));

        var data = TextDataset.FromJsonLines(path);

        CollectionAssert.AreEqual(new[] { "0", "0.5", "1" }, data.LabelMap.ToArray());
        CollectionAssert.AreEqual(new[] { "1", "1", "1", "1", "0.5", "0" }, data.Select(e => e.Label).ToArray());
    }

    [TestMethod]
    public void FromJsonLines_DuplicateLabelKey_ThrowsNamingTheLine()
    {
        string path = temp.Write("a.jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\"label\":\"x\",\"label\":\"y\"}\n");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromJsonLines(path));

        StringAssert.StartsWith(e.Message, $"{path}:2: field 'label' appears more than once in the object. Keep one.");
    }

    [TestMethod]
    public void FromJsonLines_OneEmptyArrayAmongStrings_ThrowsNamingItsLine()
    {
        string path = temp.Write("a.jsonl", string.Join('\n',
            """{"text":"a","label":"x"}""", """{"text":"b","label":"y"}""", """{"text":"c","label":[]}""", """{"text":"d","label":"x"}"""));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromJsonLines(path));
        var skipped = TextDataset.FromJsonLines(path, new() { InvalidRows = InvalidRowPolicy.Skip });
        var multi = TextDataset.FromJsonLines(path, new() { Kind = TaskKind.MultiLabel });

        StringAssert.StartsWith(e.Message, $"{path}:3: field 'label' is an array here but a string on 3 other lines (the first is line 1)");
        Assert.AreEqual(TaskKind.SingleLabel, skipped.Kind);
        Assert.AreEqual(3, skipped.Count);
        Assert.AreEqual(1, skipped.LoadReport!.SkippedByReason[SkipReason.Malformed]);
        Assert.AreEqual(TaskKind.MultiLabel, multi.Kind);
        Assert.AreEqual(0, multi[2].Labels!.Count);
    }

    [TestMethod]
    public void FromCsv_QuoteLeftOpenOnLine2_ReportedOnLine2()
    {
        // the quote opened on line 2 "closes" at the start of line 3, which then reads as text after a closing quote
        string path = temp.Write("a.csv", "text,label\n\"left open,pos\n\"fine\",neg\n");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromCsv(path));

        StringAssert.StartsWith(e.Message, $"{path}:2: the quote that opens field 1 is probably never closed: the field runs on to line 3");
        Assert.AreEqual(2L, e.Data["Line"]);
    }

    [TestMethod]
    public void FromCsv_QuoteLeftOpenInALaterLineOfARecord_ReportedWhereItOpens()
    {
        string path = temp.Write("a.csv", "text,label\n\"two\nlines\",\"never closed\nmore\n");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromCsv(path));

        StringAssert.StartsWith(e.Message, $"{path}:3: a quoted field is never closed");
    }

    [TestMethod]
    public void FromTsv_Fifo_Loads()
    {
        string path = temp.WriteFifo("train.tsv", "pos\tgood film\nneg\tbad film\n");

        var data = TextDataset.FromTsv(path);

        Assert.AreEqual(2, data.Count);
        Assert.AreEqual($"{path}:2", data[1].Source);
    }

    [TestMethod]
    public void FromCsv_FifoWithError_MessageNamesTheFifoAndLine()
    {
        string path = temp.WriteFifo("train.csv", "text,label\ngood,pos\n,neg\n");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDataset.FromCsv(path));

        StringAssert.StartsWith(e.Message, $"{path}:3: the text is empty");
    }

    [TestMethod]
    public void FromTsv_Directory_ThrowsSayingItIsADirectory()
    {
        string directory = Directory.CreateDirectory(Path.Combine(temp.Path, "train.tsv")).FullName;

        var e = Assert.ThrowsExactly<FileNotFoundException>(() => TextDataset.FromTsv(directory));

        Assert.AreEqual($"{directory}: is a directory, not a file. Pass the file inside it.", e.Message);
    }

    [TestMethod]
    public void FromTsv_SymbolicLinkLoop_ThrowsSayingItLoops()
    {
        string a = Path.Combine(temp.Path, "a.tsv"), b = Path.Combine(temp.Path, "b.tsv");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);

        var e = Assert.ThrowsExactly<FileNotFoundException>(() => TextDataset.FromTsv(a));

        StringAssert.StartsWith(e.Message, $"{a}: is a symbolic link to '{b}' that cannot be followed (it probably loops back on itself)");
    }
}
