using System.Text;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Serving;
using LlmFineTune.Tests.Data;
using LlmFineTune.Tests.Training;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using Microsoft.Extensions.Options;

namespace LlmFineTune.Tests.Reliability;

/// <summary>
/// The bad-input matrix: every user mistake gives one specific exception type whose message names
/// the place (file and line, option, label) and the fix, and none reaches libtorch.
/// </summary>
[TestClass]
public sealed class BadInputMatrixTests
{
    /// <summary>Stands for a byte that is not valid UTF-8 in the DataRows below.</summary>
    private const char InvalidByte = '\uFFFF';

    private TempFolder temp = null!;

    [TestInitialize]
    public void Setup() => temp = new TempFolder();

    [TestCleanup]
    public void Cleanup() => temp.Dispose();

    [TestMethod]
    [DataRow("tsv", "", false, "", "the file has no examples", DisplayName = "empty file (TSV)")]
    [DataRow("csv", "", null, "", "the file is empty; expected a header line", DisplayName = "empty file (CSV)")]
    [DataRow("jsonl", "", null, "", "the file has no examples", DisplayName = "empty file (JSON lines)")]
    [DataRow("csv", "text,label\n", null, "", "the file has no examples", DisplayName = "header only (CSV)")]
    [DataRow("tsv", "text\tlabel\n", true, "", "the file has no examples", DisplayName = "header only (TSV)")]
    [DataRow("tsv", "pos\tfine\nbad line\n", false, ":2", "the line has no tab", DisplayName = "missing label (TSV)")]
    [DataRow("jsonl", "{\"text\":\"x\"}\n", null, ":1", "field 'label' is missing. Set LabelField", DisplayName = "missing label (JSON lines)")]
    [DataRow("csv", "text,label\nhello,\n", null, ":2", "a label is empty", DisplayName = "empty label (CSV)")]
    [DataRow("fasttext", "__label__a\n", null, ":1", "the text is empty", DisplayName = "empty text (fastText)")]
    [DataRow("csv", "text,label\n,pos\n", null, ":2", "the text is empty", DisplayName = "empty text (CSV)")]
    [DataRow("tsv", "pos\tcaf\uFFFF\n", false, ":1", "not valid UTF-8. Save the file as UTF-8", DisplayName = "invalid UTF-8")]
    [DataRow("csv", "text,label\n\"unclosed,pos\nmore,neg\n", null, ":2", "a quoted field is never closed", DisplayName = "broken CSV quoting (unclosed)")]
    [DataRow("csv", "text,label\n\"a\"b,pos\n", null, ":2", "text follows the closing quote", DisplayName = "broken CSV quoting (text after quote)")]
    [DataRow("csv", "text,label\n\"left open,pos\n\"fine\",neg\n", null, ":2", "the quote that opens field 1 is probably never closed", DisplayName = "CSV quote left open on line 2, closed by line 3's")]
    [DataRow("tsv", "p\0o\0s\0\t\0x\0\n\0", false, ":1", "is NUL, which text never holds: the file is probably UTF-16", DisplayName = "UTF-16 without byte order mark")]
    [DataRow("jsonl", "{\"text\":\"a\",\"label\":\"x\",\"label\":\"y\"}\n", null, ":1", "field 'label' appears more than once", DisplayName = "duplicate label key (JSON lines)")]
    [DataRow("jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\",\"label\":\"y\"}\n{\"text\":\"c\",\"label\":[]}\n", null, ":3", "is an array here but a string on 2 other lines", DisplayName = "one empty label array among strings (JSON lines)")]
    [DataRow("jsonl", "[{\"text\":\"a\",\"label\":\"x\"}]\n", null, ":1", "found an array. JSON lines hold one object per line; convert a file holding one JSON array with: jq -c '.[]' FILE.", DisplayName = "one JSON array instead of JSON lines")]
    [DataRow("csv", "text;label\ngood;pos\n", null, ":1", "The header is one column holding ';', so the file is probably separated by ';': set Delimiter = ';'.", DisplayName = "semicolon CSV read with a comma")]
    [DataRow("csv", "text\tlabel\ngood\tpos\n", null, ":1", "The header is one column holding '\\t', so the file is probably separated by '\\t': read it as TSV.", DisplayName = "TSV read as CSV")]
    [DataRow("tsv", "__label__pos good film\n", false, ":1", "The line looks like fastText (it starts with the label prefix): read the file as fastText.", DisplayName = "fastText read as TSV")]
    [DataRow("tsv", "{\"text\":\"a\",\"label\":\"x\"}\n", false, ":1", "The line looks like JSON: read the file as JSON lines.", DisplayName = "JSON lines read as TSV")]
    [DataRow("fasttext", "pos\tgood film\n", null, ":1", "The line holds a tab: if the file is label<TAB>text, read it as TSV.", DisplayName = "TSV named .txt read as fastText")]
    [DataRow("tsv", "first review text\tpos\nsecond review text\tneg\nthird review text\tpos\nfourth review text\tneg\nfifth review text\tpos\nsixth review text\tneg\nseventh review text\tpos\neighth review text\tneg\n", null, "", "columns are probably swapped; a TSV file without a header line is read as label<TAB>text", DisplayName = "swapped columns (TSV)")]
    public void Load_BadFile_InvalidDataExceptionNamingFileLineAndFix(string format, string content, bool? hasHeader, string line, string expected)
    {
        byte[] bytes = [.. content.Split(InvalidByte).SelectMany((part, i) => i == 0 ? Encoding.UTF8.GetBytes(part) : [0xFF, .. Encoding.UTF8.GetBytes(part)])];
        string path = temp.WriteBytes("data." + format, bytes);
        var options = new TextDatasetLoadOptions { HasHeader = hasHeader };

        var e = Assert.ThrowsExactly<InvalidDataException>(() => format switch
        {
            "tsv" => TextDataset.FromTsv(path, options),
            "csv" => TextDataset.FromCsv(path, options),
            "jsonl" => TextDataset.FromJsonLines(path, options),
            _ => TextDataset.FromFastText(path, options),
        });

        Assert.StartsWith(path + line + ":", e.Message, "the message names the file and line");
        Assert.Contains(expected, e.Message);
    }

    [TestMethod]
    [DataRow("directory", "is a directory, not a file. Pass the file inside it.", DisplayName = "directory given as a data file")]
    [DataRow("loop", "is a symbolic link to", DisplayName = "symbolic link loop as a data file")]
    public void Load_PathThatIsNoFile_FileNotFoundSayingWhatItIs(string kind, string expected)
    {
        string path = Path.Combine(temp.Path, "train.tsv");
        if (kind == "directory")
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            File.CreateSymbolicLink(path, path + ".other");
            File.CreateSymbolicLink(path + ".other", path);
        }

        var e = Assert.ThrowsExactly<FileNotFoundException>(() => TextDatasetFiles.Load(path));

        Assert.StartsWith($"{path}: {expected}", e.Message);
    }

    [TestMethod]
    public void Load_PipeAsTestSet_LoadsWithTheModelsLabels_AndErrorsNameThePipe()
    {
        // what `--test <(head -3 test.tsv)` passes: a path that can be read once and never seeks
        var labels = new LabelMap(["neg", "pos"]);
        string good = temp.WriteFifo("63", "pos\tgood film\nneg\tbad film\npos\tfine\n");
        string bad = temp.WriteFifo("64", "pos\tgood film\nmaybe\tan unknown class\n");

        var data = TextDatasetFiles.Load(good, DatasetFormat.Tsv, new TextDatasetLoadOptions { LabelMap = labels });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextDatasetFiles.Load(bad, DatasetFormat.Tsv, new TextDatasetLoadOptions { LabelMap = labels }));

        Assert.AreEqual(3, data.Count);
        Assert.StartsWith($"{bad}:2: label 'maybe' is not one of the known labels", e.Message);
    }

    [TestMethod]
    public void Create_OneClassFile_ArgumentExceptionNamingTheFile()
    {
        string path = temp.Write("train.tsv", "pos\tgood film\npos\tgreat film\n");
        var data = TextDataset.FromTsv(path);

        var e = Assert.ThrowsExactly<ArgumentException>(() => ClassifierFactory.Create(data));

        Assert.StartsWith($"{path}: the training set has examples of only one class ('pos'); a classifier needs at least two classes.", e.Message);
        Assert.AreEqual("train", e.ParamName);
    }

    [TestMethod]
    public void Predict_FiftyMegabyteText_TruncatedToMaxLengthBeforeTheModel()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 1);
        using var model = TinyModels.Create(data);
        string huge = string.Concat(Enumerable.Repeat("goal match striker ", 50 * (1 << 20) / 19));

        var prediction = model.Predict(huge);

        Assert.AreEqual(model.MaxLength, model.Collator.Encode(huge).Length);
        Assert.AreEqual(1.0, prediction.Scores.Values.Sum(), 1e-4);
    }

    [TestMethod]
    public void TrainSaveLoad_LabelsWithSpacesAndUnicode_RoundTripExactly()
    {
        string[] names = ["très bien", "日本語 ラベル", " padded label ", "emoji 🚀"];
        var examples = Enumerable.Range(0, 24).Select(i => TextExample.Labeled($"word{i % 4} common text {i}", names[i % 4]));
        string path = temp.Write("unicode.csv", "text,label\n" + string.Concat(examples.Select(e => $"{e.Text},\"{e.Label}\"\n")));
        var data = TextDataset.FromCsv(path);
        using var model = TinyModels.Create(data);
        new Trainer(new TrainerOptions { Epochs = 3, BatchSize = 8, LearningRate = 0.1 }).Train(model, data);
        model.Save(Path.Combine(temp.Path, "model"));

        using var loaded = TextClassifier.Load(Path.Combine(temp.Path, "model"));

        // Loaders trim the ends of a label (documented); inner spaces and any Unicode survive training, saving and loading.
        CollectionAssert.AreEquivalent(names.Select(n => n.Trim()).ToArray(), loaded.Labels.ToArray());
        Assert.AreEqual(model.Predict("word1 common").Label, loaded.Predict("word1 common").Label);
        CollectionAssert.Contains(loaded.Labels.ToArray(), loaded.Predict("word1 common").Label);
    }

    [TestMethod]
    public void Train_OneClassTrainingSet_ArgumentExceptionNamingTheClass()
    {
        var twoClasses = TinyModels.SingleLabel(perClass: 4, seed: 1);
        using var model = TinyModels.Create(twoClasses);
        var oneClass = TextDataset.FromExamples(twoClasses.Where(e => e.Label == "sports"), labelMap: twoClasses.LabelMap);

        var e = Assert.ThrowsExactly<ArgumentException>(() => new Trainer().Train(model, oneClass));

        Assert.Contains("only one class ('sports')", e.Message);
        Assert.AreEqual("train", e.ParamName);
    }

    [TestMethod]
    public void Evaluate_UnknownLabel_ThrowsByDefault_SkipsAndCountsWhenAsked()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 1);
        using var model = TinyModels.Create(data);
        var test = TextDataset.FromExamples([.. data.Take(5), TextExample.Labeled("a new kind of text", "weather"), TextExample.Labeled("more weather", "weather")]);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => new Evaluator().Evaluate(model, test));
        var report = new Evaluator(new EvaluationOptions { UnknownLabels = UnknownLabelHandling.Skip, BootstrapSamples = 0 }).Evaluate(model, test);

        Assert.Contains("'weather'", e.Message);
        Assert.Contains("UnknownLabels = Skip", e.Message);
        Assert.AreEqual(2, report.Skipped);
        Assert.AreEqual(5, report.Count);
    }

    [TestMethod]
    public void Construct_TokenizerWithMoreIdsThanEmbeddingRows_ArgumentException()
    {
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 100 });
        using var backbone = new BagOfNgrams(50, 4);
        using var head = new SingleLabelHead(4, 2);

        var e = Assert.ThrowsExactly<ArgumentException>(() => new TextClassifier(tokenizer, backbone, head, ModelFixtures.Labels));

        Assert.AreEqual("tokenizer", e.ParamName);
        Assert.Contains("101 ids but the backbone's embedding table has 50 rows", e.Message);
    }

    [TestMethod]
    public void Predict_TokenizerEmitsIdOutsideItsVocabulary_CaughtInManagedCode()
    {
        var liar = new LyingTokenizer();
        using var model = new TextClassifier(liar, new BagOfNgrams(liar.VocabularySize, 4), new SingleLabelHead(4, 2), ModelFixtures.Labels);

        var e = Assert.ThrowsExactly<ArgumentException>(() => model.Predict("anything"));

        Assert.Contains("holds id 4000 at position 1, outside the tokenizer's vocabulary [0, 9]", e.Message);
    }

    [TestMethod]
    [DataRow("TrainerOptions.BatchSize", "BatchSize", DisplayName = "TrainerOptions.BatchSize 0")]
    [DataRow("TrainerOptions.LearningRate", "LearningRate", DisplayName = "TrainerOptions.LearningRate negative")]
    [DataRow("TrainerOptions.Epochs", "Epochs", DisplayName = "TrainerOptions.Epochs 0")]
    [DataRow("HeadOptions.Dropout", "Dropout", DisplayName = "HeadOptions.Dropout 1.5")]
    [DataRow("HeadOptions.ClassWeights", "ClassWeights", DisplayName = "HeadOptions.ClassWeights wrong count")]
    [DataRow("HashingTokenizerOptions.Buckets", "Buckets", DisplayName = "HashingTokenizerOptions.Buckets 0")]
    [DataRow("WordPieceTokenizerOptions.MaxInputCharsPerWord", "MaxInputCharsPerWord", DisplayName = "WordPieceTokenizerOptions.MaxInputCharsPerWord 0")]
    [DataRow("MicroBatchingOptions.MaxBatchSize", "MaxBatchSize", DisplayName = "MicroBatchingOptions.MaxBatchSize 0")]
    [DataRow("MicroBatchingOptions.MaxDelay", "MaxDelay", DisplayName = "MicroBatchingOptions.MaxDelay negative")]
    [DataRow("MicroBatchingOptions.QueueCapacity", "QueueCapacity", DisplayName = "MicroBatchingOptions.QueueCapacity 0")]
    [DataRow("MicroBatchingOptions.RequestTimeout", "RequestTimeout", DisplayName = "MicroBatchingOptions.RequestTimeout zero")]
    [DataRow("EvaluationOptions.BatchSize", "BatchSize", DisplayName = "EvaluationOptions.BatchSize 0")]
    public void Options_OutOfRange_SpecificExceptionNamingTheOption(string option, string name)
    {
        var data = TinyModels.SingleLabel(perClass: 2, seed: 1);
        Action act = option switch
        {
            "TrainerOptions.BatchSize" => () => new Trainer(new TrainerOptions { BatchSize = 0 }),
            "TrainerOptions.LearningRate" => () => new Trainer(new TrainerOptions { LearningRate = -1 }),
            "TrainerOptions.Epochs" => () => new Trainer(new TrainerOptions { Epochs = 0 }),
            "HeadOptions.Dropout" => () => new SingleLabelHead(4, 2, new HeadOptions { Dropout = 1.5 }).Dispose(),
            "HeadOptions.ClassWeights" => () => new SingleLabelHead(4, 2, new HeadOptions { ClassWeights = [1f, 2f, 3f] }).Dispose(),
            "HashingTokenizerOptions.Buckets" => () => new HashingTokenizer(new HashingTokenizerOptions { Buckets = 0 }),
            "WordPieceTokenizerOptions.MaxInputCharsPerWord" => () => WordPieceTokenizer.FromTokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], new WordPieceTokenizerOptions { MaxInputCharsPerWord = 0 }),
            "MicroBatchingOptions.MaxBatchSize" => () => Serve(data, new MicroBatchingOptions { MaxBatchSize = 0 }),
            "MicroBatchingOptions.MaxDelay" => () => Serve(data, new MicroBatchingOptions { MaxDelay = TimeSpan.FromSeconds(-1) }),
            "MicroBatchingOptions.QueueCapacity" => () => Serve(data, new MicroBatchingOptions { QueueCapacity = 0 }),
            "MicroBatchingOptions.RequestTimeout" => () => Serve(data, new MicroBatchingOptions { RequestTimeout = TimeSpan.Zero }),
            _ => () => new Evaluator(new EvaluationOptions { BatchSize = 0 }),
        };

        var e = Assert.Throws<Exception>(act);

        // Options bound through DI fail as OptionsValidationException; plain settings objects as ArgumentOutOfRangeException.
        Assert.IsTrue(e is OptionsValidationException or ArgumentOutOfRangeException, $"{option}: {e.GetType().Name}: {e.Message}");
        Assert.Contains(name, e.Message);
    }

    private static void Serve(ITextDataset data, MicroBatchingOptions options)
    {
        using var model = TinyModels.Create(data);
        using var service = new TextClassificationService(model, options);
    }

    /// <summary>A faulty custom tokenizer: claims 10 ids, emits 4000.</summary>
    private sealed class LyingTokenizer : ITokenizer
    {
        public int VocabularySize => 10;

        public int PadId => 0;

        public SpecialTokens Special { get; } = new(Pad: 0);

        public bool IsContinuation(int id) => false;

        public int[] Encode(string text, int maxLength = 0) => [1, 4000];

        public void Save(string directory) => throw new NotSupportedException();
    }
}
