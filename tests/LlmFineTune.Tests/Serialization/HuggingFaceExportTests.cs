using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tests.Backbones;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Serialization;

/// <summary>
/// A directory that names a Hugging Face class computes exactly what that class computes (checked against
/// independent implementations), and directories written by us or rewritten as transformers writes them load back.
/// </summary>
[TestClass]
public sealed class HuggingFaceExportTests
{
    private static readonly string[] Labels = ["negative", "neutral", "positive"];
    private static readonly string[] Texts =
    [
        "Great value: $6 a pack, I'd buy again!!",
        "Café au lait... naïve but good (really).",
        "price went up +50% = bad deal; a|b ~ c_d",
        "okay product, nothing special",
        "terrible taste, never again",
        "x\u200By and some 日本 text with many many words to go past the length limit for sure",
    ];

    private string directory = "";

    [TestInitialize]
    public void Setup() => directory = Directory.CreateTempSubdirectory("llmft-hfexport-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void Load_HuggingFaceBertForSequenceClassification_MatchesIndependentReferenceWithin1e4()
    {
        using var scope = NewDisposeScope();

        var (loaded, reference, logits) = BertBackboneTests.AssertFixtureLogits(Fixtures.Path("bert-tiny-classifier"));
        using var model = loaded;

        BertBackboneTests.AssertClose(reference, "probabilities", model.Head.Scores(logits));
        CollectionAssert.AreEqual(Labels, model.Labels.ToArray());
    }

    [TestMethod]
    public void Create_DefaultBertClassifier_ClaimsBertForSequenceClassificationAndTrainsThePooler()
    {
        using var model = TrainedBert(out var poolerBefore);

        model.Save(directory);

        var config = Config(directory);
        Assert.AreEqual(HfArchitecture.BertClassifier, (string?)config["architectures"]![0]);
        Assert.AreEqual("single_label_classification", (string?)config["problem_type"]);
        Assert.AreEqual(3, (int)config["num_labels"]!);
        Assert.AreEqual(0.1, (double)config["classifier_dropout"]!, "HF's dropout before the classifier, as the head trained with");
        var poolerAfter = ((nn.Module)model.Backbone).named_parameters().Single(p => p.name == "pooler.dense.weight").parameter.data<float>().ToArray();
        Assert.IsFalse(poolerBefore.SequenceEqual(poolerAfter), "fine-tuning trains bert.pooler, which BertForSequenceClassification reads");
        var tokenizerConfig = Config(directory, "tokenizer_config.json");
        Assert.AreEqual("BertTokenizer", (string?)tokenizerConfig["tokenizer_class"]);
        Assert.AreEqual(model.MaxLength, (int)tokenizerConfig["model_max_length"]!);
        Assert.IsTrue((bool)tokenizerConfig["do_lower_case"]!);
        Assert.AreEqual("[PAD]", (string?)Config(directory, "special_tokens_map.json")["pad_token"]);
        Assert.AreEqual("pt", (string?)SafeTensorsHeader(directory)["__metadata__"]!["format"]);
    }

    [TestMethod]
    public void Save_HeadsTransformersDoesNotHave_ClaimTheBaseModelOnly()
    {
        var cases = new (Func<IBackbone> Backbone, HeadOptions Options, bool RemoveBias, string Expected)[]
        {
            (() => new BertBackbone(BertBackboneTests.Tiny()), new HeadOptions { Pooling = PoolingMode.Mean }, false, HfArchitecture.BertBase),
            (() => new BertBackbone(BertBackboneTests.Tiny()), new HeadOptions { Pooling = PoolingMode.Cls }, false, HfArchitecture.BertBase),
            (() => new BertBackbone(BertBackboneTests.Tiny()), new HeadOptions { HiddenSize = 4 }, false, HfArchitecture.BertBase),
            (() => new BertBackbone(BertBackboneTests.Tiny()), new HeadOptions(), false, HfArchitecture.BertClassifier),
            (() => new CausalDecoder(Gpt2Tiny()), new HeadOptions { Pooling = PoolingMode.Mean }, true, HfArchitecture.Gpt2Base),
            (() => new CausalDecoder(Gpt2Tiny()), new HeadOptions(), false, HfArchitecture.Gpt2Base),
            (() => new CausalDecoder(Gpt2Tiny()), new HeadOptions(), true, HfArchitecture.Gpt2Classifier),
        };
        foreach (var (backbone, options, removeBias, expected) in cases)
        {
            var head = new SingleLabelHead(16, 3, options);
            if (removeBias) head.RemoveOutputBias();
            using var model = new TextClassifier(TinyWordTokenizer.Synthetic(32), backbone(), head, new LabelMap(Labels), maxLength: 12);

            model.Save(directory);

            string because = $"{model.Backbone.Kind}, pooling {options.Pooling}, hidden {options.HiddenSize}, bias {!removeBias}";
            Assert.AreEqual(expected, (string?)Config(directory)["architectures"]![0], because);
            using var loaded = TextClassifier.Load(directory, TinyWordTokenizer.Load);
            CollectionAssert.AreEqual(model.ScoreBatch(TinyTexts), loaded.ScoreBatch(TinyTexts), because);
        }
    }

    [TestMethod]
    public void Load_DirectoryRewrittenAsTransformersSavesIt_IdenticalProbabilities()
    {
        using var model = TrainedBert(out _);
        model.Save(directory);
        var expected = model.ScoreBatch(Texts);

        foreach (bool keepOurSection in new[] { true, false })
        {
            string copy = Path.Combine(directory, keepOurSection ? "with-section" : "transformers-only");
            RewriteAsTransformers(directory, copy, keepOurSection);

            using var loaded = TextClassifier.Load(copy);

            CollectionAssert.AreEqual(expected, loaded.ScoreBatch(Texts), $"bit-identical probabilities (llmfinetune section kept: {keepOurSection})");
            CollectionAssert.AreEqual(Labels, loaded.Labels.ToArray());
            Assert.AreEqual(model.MaxLength, loaded.MaxLength);
        }
    }

    [TestMethod]
    public void Save_DefaultBertClassifier_IndependentNumpyBertForSequenceClassificationReproducesPredictions()
    {
        if (!PythonHasNumpy())
            Assert.Inconclusive("needs /usr/bin/python3 with numpy (apt-get install python3-numpy)");
        using var model = TrainedBert(out _);
        model.Save(directory);
        string texts = Path.Combine(directory, "texts.txt"), predictions = Path.Combine(directory, "predictions.jsonl");
        File.WriteAllLines(texts, Texts);
        File.WriteAllLines(predictions, model.PredictBatch(Texts).Select(p => JsonSerializer.Serialize(new { label = p.Label, scores = p.Scores })));

        var (exitCode, output) = Run("/usr/bin/python3", ScriptPath("check_hf_bert_classifier.py"), directory, texts, "--predictions", predictions, "--tolerance", "1e-4");

        Assert.AreEqual(0, exitCode, output);
        var report = JsonNode.Parse(output.Trim())!;
        Assert.AreEqual(Texts.Length, (int)report["texts"]!);
        Assert.AreEqual(model.MaxLength, (int)report["longest_ids"]!, "the long text was truncated as transformers truncates");
    }

    private static readonly string[] TinyTexts = ["w5 w7 ##w9 w8", "w10", "w11 w13 w14 w16 w17 w19 w20"];

    /// <summary>A bert-tiny classifier as <c>llmft finetune --backbone bert-tiny</c> builds it (WordPiece trained on the texts), trained a few steps.</summary>
    private static TextClassifier TrainedBert(out float[] poolerBefore)
    {
        var data = TextDataset.FromExamples(Enumerable.Range(0, 12).Select(i => TextExample.Labeled(Texts[i % Texts.Length], Labels[i % 3])), labelMap: new LabelMap(Labels));
        var model = ClassifierFactory.Create(data, new ClassifierFactoryOptions { Backbone = "bert-tiny", VocabularySize = 120, MaxLength = 16, Seed = 5 });
        poolerBefore = ((nn.Module)model.Backbone).named_parameters().Single(p => p.name == "pooler.dense.weight").parameter.data<float>().ToArray();
        new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 4, LearningRate = 1e-3, Seed = 5 }).Train(model, data);
        return model;
    }

    private static CausalDecoderConfig Gpt2Tiny() => new() { VocabSize = 32, NPositions = 16, NEmbd = 16, NLayer = 1, NHead = 2, PadTokenId = 0 };

    /// <summary>
    /// Rewrites a saved directory as transformers' save_pretrained writes it: config keys sorted with torch_dtype,
    /// transformers_version and _name_or_path added (and our section dropped unless kept); tokenizer_config with
    /// added_tokens_decoder; safetensors with the header keys in another order and no metadata.
    /// </summary>
    private static void RewriteAsTransformers(string source, string target, bool keepOurSection)
    {
        Directory.CreateDirectory(target);
        File.Copy(Path.Combine(source, "vocab.txt"), Path.Combine(target, "vocab.txt"));
        File.Copy(Path.Combine(source, "special_tokens_map.json"), Path.Combine(target, "special_tokens_map.json"));

        var config = Config(source);
        config["torch_dtype"] = "float32";
        config["transformers_version"] = "4.44.2";
        config["_name_or_path"] = "/home/someone/llmft-output";
        config["gradient_checkpointing"] = false;
        if (!keepOurSection) config.Remove("llmfinetune");
        File.WriteAllText(Path.Combine(target, "config.json"), new JsonObject(config.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString());

        var tokenizer = Config(source, "tokenizer_config.json");
        tokenizer["added_tokens_decoder"] = new JsonObject { ["0"] = new JsonObject { ["content"] = "[PAD]", ["special"] = true } };
        tokenizer["clean_up_tokenization_spaces"] = true;
        tokenizer.Remove("max_input_chars_per_word");
        File.WriteAllText(Path.Combine(target, "tokenizer_config.json"), tokenizer.ToJsonString());

        byte[] bytes = File.ReadAllBytes(Path.Combine(source, ModelDirectory.WeightsFileName));
        int headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength))!.AsObject();
        header.Remove("__metadata__");
        var reordered = new JsonObject(header.OrderByDescending(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        byte[] text = Encoding.UTF8.GetBytes(reordered.ToJsonString());
        text = [.. text, .. Enumerable.Repeat((byte)' ', (8 - text.Length % 8) % 8)];
        using var output = File.Create(Path.Combine(target, ModelDirectory.WeightsFileName));
        output.Write(BitConverter.GetBytes((ulong)text.Length));
        output.Write(text);
        output.Write(bytes, 8 + headerLength, bytes.Length - 8 - headerLength);
    }

    private static JsonObject Config(string directory, string file = ModelDirectory.ConfigFileName) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(directory, file)))!.AsObject();

    private static JsonObject SafeTensorsHeader(string directory)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(directory, ModelDirectory.WeightsFileName));
        return JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)BitConverter.ToUInt64(bytes, 0)))!.AsObject();
    }

    private static bool PythonHasNumpy() =>
        File.Exists("/usr/bin/python3") && Run("/usr/bin/python3", "-c", "import numpy").ExitCode == 0;

    private static string ScriptPath(string name) =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Fixtures.Path("bert-tiny-parity")))!, "..", "scripts", name);

    private static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
