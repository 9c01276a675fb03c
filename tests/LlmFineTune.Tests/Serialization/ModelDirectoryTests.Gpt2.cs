using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Pretraining;
using LlmFineTune.Tests.Backbones;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Serialization;

/// <summary>GPT-2 model directories: our causal-LM and classifier checkpoints in HF layout, and HF's own.</summary>
public sealed partial class ModelDirectoryTests
{
    private static CausalDecoderConfig TinyDecoder() => new() { VocabSize = 32, NPositions = 24, NEmbd = 16, NLayer = 2, NHead = 4, BosTokenId = 2, EosTokenId = 3, PadTokenId = 0 };

    private static JsonNode Config(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, ModelDirectory.ConfigFileName)))!;

    private static IReadOnlyDictionary<string, SafeTensorEntry> Weights(string dir) => SafeTensors.ReadHeader(Path.Combine(dir, ModelDirectory.WeightsFileName));

    private void CopyFixture(string name)
    {
        foreach (string file in Directory.GetFiles(Fixtures.Path(name)))
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
    }

    private void EditConfig(Action<JsonNode> edit)
    {
        var config = Config(directory);
        edit(config);
        File.WriteAllText(Path.Combine(directory, ModelDirectory.ConfigFileName), config.ToJsonString());
    }

    private static void Train(TextClassifier model, LabelMap labels) =>
        new Trainer(new TrainerOptions { Epochs = 1 }).Train(model, TextDataset.FromExamples(Texts.Select((t, i) => TextExample.Labeled(t, labels[i % labels.Count])), labelMap: labels));

    [TestMethod]
    public void SaveLoad_CausalLanguageModel_ReproducesLogitsExactlyInGpt2LmHeadModelLayout()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var clm = new CausalLanguageModel(new CausalDecoder(TinyDecoder()), tokenizer);
        clm.eval();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 2, 7, 9, 3, 2, 5, 3, 0 }, [2, 4]);
        var mask = ids.ne(0).to_type(ScalarType.Int64);

        LanguageModelDirectory.SaveCausalLanguageModel(clm, tokenizer, directory);
        using var reloaded = LanguageModelDirectory.LoadCausalLanguageModel(directory, TinyWordTokenizer.Load(directory));
        using var decoder = ModelDirectory.LoadDecoder(directory);

        Assert.IsTrue(reloaded.forward(ids, mask).eq(clm.forward(ids, mask)).all().item<bool>(), "bit-identical logits");
        Assert.IsTrue(decoder.forward(ids, mask).eq(clm.Decoder.forward(ids, mask)).all().item<bool>());
        var weights = Weights(directory);
        CollectionAssert.AreEqual(new long[] { 16, 48 }, weights["transformer.h.0.attn.c_attn.weight"].Shape, "HF Conv1D layout [in, out]");
        CollectionAssert.AreEqual(new long[] { 64, 16 }, weights["transformer.h.1.mlp.c_proj.weight"].Shape);
        foreach (string name in new[] { "transformer.wte.weight", "transformer.wpe.weight", "transformer.h.1.ln_2.bias", "transformer.ln_f.weight" })
            Assert.IsTrue(weights.ContainsKey(name), name);
        Assert.IsFalse(weights.Keys.Any(k => k.StartsWith("lm_head", StringComparison.Ordinal)), "the LM head is tied to wte, not stored twice");
        Assert.HasCount(4 + 2 * 12, weights);
        var config = Config(directory);
        Assert.AreEqual("gpt2", (string?)config["model_type"]);
        Assert.AreEqual("GPT2LMHeadModel", (string?)config["architectures"]![0]);
        Assert.AreEqual((16, 2, 4, 24), ((int)config["n_embd"]!, (int)config["n_layer"]!, (int)config["n_head"]!, (int)config["n_positions"]!));
        Assert.AreEqual((2, 3), ((int)config["bos_token_id"]!, (int)config["eos_token_id"]!));
        Assert.AreEqual("gelu_new", (string?)config["activation_function"]);
        Assert.AreEqual("gpt2", (string?)config["llmfinetune"]!["backbone"]);
    }

    [TestMethod]
    public void SaveLoad_DecoderClassifier_ReproducesScoresExactlyInGpt2ForSequenceClassificationLayout()
    {
        var labels = new LabelMap(["neg", "neu", "pos"]);
        using var model = ClassifierFactory.Create(TextDataset.FromExamples(Texts.Select((t, i) => TextExample.Labeled(t, labels[i])), labelMap: labels),
            new ClassifierFactoryOptions { Backbone = "gpt2-tiny", VocabularySize = 40, MaxLength = 12 });
        Train(model, labels);

        model.Save(directory);
        using var loaded = TextClassifier.Load(directory);

        CollectionAssert.AreEqual(model.ScoreBatch(Texts), loaded.ScoreBatch(Texts), "bit-identical scores");
        var weights = Weights(directory);
        Assert.IsTrue(weights.ContainsKey("transformer.h.1.attn.c_proj.weight"));
        CollectionAssert.AreEqual(new long[] { 3, 128 }, weights["score.weight"].Shape);
        Assert.IsFalse(weights.ContainsKey("score.bias"), "HF's GPT2ForSequenceClassification scores without a bias");
        var config = Config(directory);
        Assert.AreEqual("GPT2Model", (string?)config["architectures"]![0], "the default head pools the mean, which GPT2ForSequenceClassification does not compute");
        Assert.AreEqual("pos", (string?)config["id2label"]!["2"]);
        Assert.AreEqual(1, (int)config["label2id"]!["neu"]!);
        Assert.AreEqual(0, (int)config["pad_token_id"]!, "HF finds each row's last token by pad_token_id");
        Assert.AreEqual("gpt2-tiny", ClassifierFactory.BackboneOf(directory));
    }

    [TestMethod]
    public void SaveLoad_HandBuiltDecoderClassifierWithBias_KeepsTheBias()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        var labels = new LabelMap(["a", "b"]);
        using var model = new TextClassifier(tokenizer, new CausalDecoder(TinyDecoder()), new SingleLabelHead(16, 2), labels, maxLength: 12);
        Train(model, labels);

        model.Save(directory);
        using var loaded = TextClassifier.Load(directory, TinyWordTokenizer.Load);

        Assert.IsTrue(Weights(directory).ContainsKey("score.bias"));
        CollectionAssert.AreEqual(model.ScoreBatch(Texts), loaded.ScoreBatch(Texts));
    }

    [TestMethod]
    public void Load_HuggingFaceGpt2ForSequenceClassification_MatchesIndependentReferenceWithin1e4()
    {
        using var scope = NewDisposeScope();

        var (loaded, _, _) = BertBackboneTests.AssertFixtureLogits(Fixtures.Path("gpt2-tiny-classifier"));
        using var model = loaded;

        CollectionAssert.AreEqual(new[] { "negative", "neutral", "positive" }, model.Labels.ToArray());
        Assert.IsInstanceOfType<CausalDecoder>(model.Backbone);
    }

    [TestMethod]
    public void Load_HubStyleGpt2LmCheckpoint_RefusedAsALanguageModel()
    {
        CopyFixture("gpt2-tiny-parity");

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(directory, _ => TinyWordTokenizer.Synthetic(64)));

        Assert.Contains("holds a language model (GPT2LMHeadModel", e.Message);
        Assert.Contains("has no 'score.weight'", e.Message);
        Assert.AreEqual("gpt2", ClassifierFactory.BackboneOf(directory), "a size no preset has");
    }

    [TestMethod]
    public void LoadDecoder_AttentionSwitchItDoesNotImplement_MessageNamesFileAndField()
    {
        CopyFixture("gpt2-tiny-parity");
        EditConfig(config => config["scale_attn_by_inverse_layer_idx"] = true);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelDirectory.LoadDecoder(directory));

        Assert.Contains("config.json", e.Message);
        Assert.Contains("scale_attn_by_inverse_layer_idx", e.Message);
    }

    [TestMethod]
    public void LoadDecoder_WeightsLackABlock_RejectedNamingTheTensors()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using (var clm = new CausalLanguageModel(new CausalDecoder(TinyDecoder()), tokenizer))
            LanguageModelDirectory.SaveCausalLanguageModel(clm, tokenizer, directory);
        EditConfig(config => config["n_layer"] = 3);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelDirectory.LoadDecoder(directory));

        Assert.Contains("transformer.h.2.", e.Message);
    }

    [TestMethod]
    public void LoadEncoder_Gpt2Directory_SaysWhichModelTypeItHolds()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ModelDirectory.LoadEncoder(Fixtures.Path("gpt2-tiny-parity")));

        Assert.Contains("model_type is 'gpt2'", e.Message);
    }
}
