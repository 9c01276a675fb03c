using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Pretraining;
using LlmFineTune.Tests.Backbones;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Serialization;

[TestClass]
public sealed partial class ModelDirectoryTests
{
    private static readonly string[] Texts = ["w5 w7 ##w9 w8", "w10", "w11 w13 w14 w16 w17 w19 w20"];
    private string directory = "";

    [TestInitialize]
    public void Setup()
    {
        manual_seed(21);
        directory = Directory.CreateTempSubdirectory("llmft-modeldir-").FullName;
    }

    [TestCleanup]
    public void Cleanup() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void SaveLoad_SixThousandClasses_LoadsAndFineTunesFrom()
    {
        // Before: the size check counted labels² head parameters and refused every model above ~5,800 classes.
        var labels = new LabelMap(Enumerable.Range(0, 6000).Select(i => "c" + i));
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 16 });
        using var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 2), new SingleLabelHead(2, labels.Count), labels, maxLength: 8);
        model.Save(directory);

        using var loaded = TextClassifier.Load(directory);
        using var continued = ClassifierFactory.FromPretrained(directory, TextDataset.FromExamples(labels.Select(l => TextExample.Labeled("text " + l, l)), labelMap: labels));

        CollectionAssert.AreEqual(model.Predict("some text").Scores.Values.ToArray(), loaded.Predict("some text").Scores.Values.ToArray());
        Assert.AreEqual(6000, continued.Labels.Count);
    }

    [TestMethod]
    public void SaveLoad_BertClassifier_ReproducesScoresExactlyWithHuggingFaceLayout()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        var labels = new LabelMap(["neg", "neu", "pos"]);
        using var model = new TextClassifier(tokenizer, new BertBackbone(BertBackboneTests.Tiny()), new SingleLabelHead(16, 3), labels, maxLength: 12);
        new Trainer(new TrainerOptions { Epochs = 1 }).Train(model, TextDataset.FromExamples(Texts.Select((t, i) => TextExample.Labeled(t, labels[i])), labelMap: labels));

        model.Save(directory);
        using var loaded = TextClassifier.Load(directory, TinyWordTokenizer.Load);

        CollectionAssert.AreEqual(model.ScoreBatch(Texts), loaded.ScoreBatch(Texts), "bit-identical scores");
        var names = SafeTensors.ReadHeader(Path.Combine(directory, ModelDirectory.WeightsFileName)).Keys.ToHashSet();
        Assert.Contains("bert.embeddings.word_embeddings.weight", names);
        Assert.Contains("bert.encoder.layer.1.attention.self.query.weight", names);
        Assert.Contains("bert.pooler.dense.weight", names);
        Assert.Contains("classifier.weight", names);
        Assert.Contains("classifier.bias", names);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, ModelDirectory.ConfigFileName)))!;
        Assert.AreEqual("bert", (string?)config["model_type"]);
        Assert.AreEqual("BertForSequenceClassification", (string?)config["architectures"]![0]);
        Assert.AreEqual("pos", (string?)config["id2label"]!["2"]);
        Assert.AreEqual(1, (int)config["label2id"]!["neu"]!);
        Assert.AreEqual(16, (int)config["hidden_size"]!);
        Assert.AreEqual(12, (int)config["llmfinetune"]!["max_length"]!);
        Assert.IsTrue(File.Exists(Path.Combine(directory, "vocab.txt")));
    }

    [TestMethod]
    public void SaveLoad_BagClassifier_ReproducesScoresExactly()
    {
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 512 });
        var labels = new LabelMap(["a", "b"]);
        using var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 8), new SingleLabelHead(8, 2), labels, maxLength: 32);

        model.Save(directory);
        using var loaded = TextClassifier.Load(directory);

        CollectionAssert.AreEqual(model.ScoreBatch(["a quick test", "another one"]), loaded.ScoreBatch(["a quick test", "another one"]));
        Assert.IsInstanceOfType<BagOfNgrams>(loaded.Backbone);
        Assert.Contains("backbone.embeddings.weight", SafeTensors.ReadHeader(Path.Combine(directory, ModelDirectory.WeightsFileName)).Keys.ToList());
    }

    [TestMethod]
    public void SaveLoad_MultiLabelMlpHeadWithWordPiece_KeepsHeadShapeThresholdsAndTokenizer()
    {
        var tokenizer = WordPieceTokenizer.FromTokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "quick", "test", "another", "one", "##s"]);
        var labels = new LabelMap(["x", "y", "z"]);
        var options = new HeadOptions { Pooling = PoolingMode.Mean, HiddenSize = 6, Dropout = 0.2 };
        var head = new MultiLabelHead(16, 3, options);
        head.SetThresholds([0.3f, 0.5f, 0.7f]);
        using var model = new TextClassifier(tokenizer, new BertBackbone(BertBackboneTests.Tiny(vocab: tokenizer.VocabularySize)), head, labels, maxLength: 12);

        model.Save(directory);
        using var loaded = TextClassifier.Load(directory);

        string[] texts = ["a quick test", "another ones"];
        CollectionAssert.AreEqual(model.ScoreBatch(texts), loaded.ScoreBatch(texts), "bit-identical scores");
        var loadedHead = (MultiLabelHead)loaded.Head;
        CollectionAssert.AreEqual(new[] { 0.3f, 0.5f, 0.7f }, loadedHead.Thresholds.ToArray());
        Assert.AreEqual(PoolingMode.Mean, loadedHead.Options.Pooling);
        Assert.AreEqual(6, loadedHead.Options.HiddenSize);
        Assert.IsInstanceOfType<WordPieceTokenizer>(loaded.Tokenizer);
    }

    [TestMethod]
    public void Load_HeadOptionsWithUnknownPooling_ThrowsNamingTheField()
    {
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 64 });
        using (var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 4), new RegressionHead(4), LabelMap.Empty, maxLength: 8))
            model.Save(directory);
        string config = Path.Combine(directory, ModelDirectory.ConfigFileName);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"pooling\": \"Backbone\"", "\"pooling\": \"Median\""));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(directory));

        StringAssert.Contains(e.Message, "head_options.pooling");
        StringAssert.Contains(e.Message, "'Median'");
    }

    [TestMethod]
    public void Load_HuggingFaceMaskedLmCheckpoint_RefusedNamingTheCommandThatMakesAClassifier()
    {
        string fixture = Fixtures.Path("bert-tiny-parity");
        foreach (string file in Directory.GetFiles(fixture)) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));

        // Before: a classifier with a fresh random head, whose answers changed from run to run.
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(directory, _ => TinyWordTokenizer.Synthetic(64)));

        Assert.Contains("holds a language model (BertForMaskedLM", e.Message);
        Assert.Contains($"llmft finetune --from {directory}", e.Message);
    }

    [TestMethod]
    public void Load_PretrainOutput_RefusedAndFromPretrainedStillFineTunesIt()
    {
        var tokenizer = WordPieceTokenizer.FromTokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "w1", "w2"]);
        using (var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny()), tokenizer))
            LanguageModelDirectory.SaveMaskedLanguageModel(mlm, tokenizer, directory);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(directory));
        using var classifier = ClassifierFactory.FromPretrained(directory, TextDataset.FromExamples([TextExample.Labeled("w1", "a"), TextExample.Labeled("w2", "b")]));

        Assert.Contains("not a classifier", e.Message);
        CollectionAssert.AreEqual(new[] { "a", "b" }, classifier.Labels.ToArray());
    }

    [TestMethod]
    public void SaveLoad_MaskedLanguageModel_ReproducesMlmLogitsAndMatchesFixture()
    {
        string fixture = Fixtures.Path("bert-tiny-parity");
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(fixture, "reference.json")))!.AsObject();
        var tokenizer = TinyWordTokenizer.Synthetic(64);
        using var mlm = LanguageModelDirectory.LoadMaskedLanguageModel(fixture, tokenizer);
        using var scope = NewDisposeScope();
        var ids = BertBackboneTests.Matrix(reference["input_ids"]!);
        var mask = BertBackboneTests.Matrix(reference["attention_mask"]!);
        var logits = mlm.forward(ids, mask);
        BertBackboneTests.AssertClose(reference, "mlm_logits", logits);

        LanguageModelDirectory.SaveMaskedLanguageModel(mlm, tokenizer, directory);
        using var reloaded = LanguageModelDirectory.LoadMaskedLanguageModel(directory, TinyWordTokenizer.Load(directory));

        Assert.IsTrue(reloaded.forward(ids, mask).eq(logits).all().item<bool>());
        var names = SafeTensors.ReadHeader(Path.Combine(directory, ModelDirectory.WeightsFileName)).Keys.ToList();
        Assert.Contains("cls.predictions.transform.LayerNorm.weight", names);
        Assert.Contains("cls.predictions.bias", names);
    }

    [TestMethod]
    public void LoadEncoder_ConfigFieldOutOfRange_MessageNamesFileAndField()
    {
        File.WriteAllText(Path.Combine(directory, "config.json"), """{"model_type":"bert","vocab_size":10,"hidden_size":30,"num_hidden_layers":1,"num_attention_heads":4,"intermediate_size":8}""");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelDirectory.LoadEncoder(directory));

        Assert.Contains("config.json", e.Message);
        Assert.Contains("num_attention_heads", e.Message);
    }

    [TestMethod]
    public void LoadEncoder_WeightsLackEncoderTensors_RejectedNamingThem()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using (var model = new TextClassifier(tokenizer, new BertBackbone(BertBackboneTests.Tiny()), new SingleLabelHead(16, 2), new LabelMap(["a", "b"])))
            model.Save(directory);
        var config = BertBackboneTests.Tiny();
        config.NumHiddenLayers = 3;
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "config.json")))!;
        json["num_hidden_layers"] = 3;
        File.WriteAllText(Path.Combine(directory, "config.json"), json.ToJsonString());

        var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelDirectory.LoadEncoder(directory));

        Assert.Contains("bert.encoder.layer.2.", e.Message);
    }
}
