using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Backbones;

[TestClass]
public sealed class BertBackboneTests
{
    internal static BertBackboneConfig Tiny(int vocab = 32) => new()
    {
        VocabSize = vocab, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 32, MaxPositionEmbeddings = 24,
    };

    [TestInitialize]
    public void Seed() => manual_seed(11);

    [TestMethod]
    public void Forward_TinyConfig_ReturnsTokenStatesAndPooled()
    {
        using var encoder = new BertBackbone(Tiny());
        encoder.eval();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 2, 7, 9, 3, 0, 2, 5, 6, 8, 3 }, [2, 5]);

        var output = encoder.Forward(ids, ids.ne(0).to_type(ScalarType.Int64));

        CollectionAssert.AreEqual(new long[] { 2, 5, 16 }, output.TokenStates!.shape);
        CollectionAssert.AreEqual(new long[] { 2, 16 }, output.Pooled!.shape);
        Assert.IsTrue(output.Pooled.abs().le(1).all().item<bool>(), "the pooler ends in tanh");
    }

    [TestMethod]
    public void Forward_PoolerOff_ReturnsOnlyTokenStatesSoTheHeadPools()
    {
        using var encoder = new BertBackbone(Tiny()) { UsePooler = false };
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 2, 7, 9, 3 }, [1, 4]);

        var output = encoder.Forward(ids, ones_like(ids));

        Assert.IsNull(output.Pooled);
        Assert.IsNotNull(output.TokenStates);
    }

    [TestMethod]
    public void Forward_ExtraPadding_LeavesRealTokenStatesUnchanged()
    {
        using var encoder = new BertBackbone(Tiny());
        encoder.eval();
        using var scope = NewDisposeScope();
        var shortIds = tensor(new long[] { 2, 7, 9, 3 }, [1, 4]);
        var paddedIds = tensor(new long[] { 2, 7, 9, 3, 0, 0, 0 }, [1, 7]);

        var plain = encoder.forward(shortIds, ones_like(shortIds));
        var padded = encoder.forward(paddedIds, paddedIds.ne(0).to_type(ScalarType.Int64));

        Assert.IsTrue(plain.allclose(padded.narrow(1, 0, 4), rtol: 0, atol: 1e-5), "padding must be masked out of attention");
    }

    [TestMethod]
    public void ForwardFirstToken_PaddedBatch_EqualsFirstPositionOfFullPass()
    {
        using var encoder = new BertBackbone(Tiny());
        encoder.eval();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 2, 7, 9, 3, 0, 2, 5, 6, 8, 3 }, [2, 5]);
        var mask = ids.ne(0).to_type(ScalarType.Int64);

        var full = encoder.Forward(ids, mask);
        var first = encoder.ForwardFirstToken(ids, mask);

        CollectionAssert.AreEqual(new long[] { 2, 1, 16 }, first.TokenStates!.shape);
        Assert.IsTrue(first.TokenStates.allclose(full.TokenStates!.narrow(1, 0, 1), rtol: 0, atol: 1e-6), "the [CLS] state reads every position's keys and values");
        Assert.IsTrue(first.Pooled!.allclose(full.Pooled!, rtol: 0, atol: 1e-6));
    }

    [TestMethod]
    [DataRow(PoolingMode.Backbone)]
    [DataRow(PoolingMode.Cls)]
    [DataRow(PoolingMode.Mean)]
    [DataRow(PoolingMode.Max)]
    public void ClassifierNetwork_Eval_ScoresAsTheFullPass(PoolingMode pooling)
    {
        var head = new SingleLabelHead(16, 3, new HeadOptions { Pooling = pooling });
        using var model = new TextClassifier(TinyWordTokenizer.Synthetic(32), new BertBackbone(Tiny()), head, new LabelMap(["a", "b", "c"]), 16);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 2, 7, 9, 3, 0, 2, 5, 6, 8, 3 }, [2, 5]);
        var mask = ids.ne(0).to_type(ScalarType.Int64);

        var logits = model.Network.call(ids, mask);
        var full = model.Head.Forward(model.Backbone.Forward(ids, mask));

        Assert.IsTrue(logits.allclose(full, rtol: 0, atol: 1e-6), $"{pooling}: the eval shortcut must not change the logits");
    }

    [TestMethod]
    public void Parity_FixtureFromIndependentPyTorchImplementation_MatchesWithin1e4()
    {
        string dir = Fixtures.Path("bert-tiny-parity");
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "reference.json")))!.AsObject();
        using var encoder = ModelDirectory.LoadEncoder(dir);
        using var scope = NewDisposeScope();
        var ids = Matrix(reference["input_ids"]!);
        var mask = Matrix(reference["attention_mask"]!);

        var output = encoder.Forward(ids, mask);

        AssertClose(reference, "last_hidden_state", output.TokenStates!);
        AssertClose(reference, "pooler_output", output.Pooled!);
    }

    [TestMethod]
    public void StateDict_Names_AreHuggingFaceBertModelNames()
    {
        using var encoder = new BertBackbone(Tiny());

        var names = encoder.state_dict().Keys.ToHashSet();

        foreach (string expected in new[]
        {
            "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight", "embeddings.token_type_embeddings.weight",
            "embeddings.LayerNorm.weight", "encoder.layer.0.attention.self.query.weight", "encoder.layer.1.attention.self.value.bias",
            "encoder.layer.0.attention.output.dense.weight", "encoder.layer.0.attention.output.LayerNorm.bias",
            "encoder.layer.1.intermediate.dense.weight", "encoder.layer.1.output.dense.bias", "encoder.layer.1.output.LayerNorm.weight",
            "pooler.dense.weight",
        })
            Assert.Contains(expected, names);
        Assert.HasCount(5 + 2 * 16 + 2, names);
    }

    [TestMethod]
    public void Constructor_InitialisesAsHuggingFace()
    {
        using var encoder = new BertBackbone(Tiny(vocab: 2000));
        var parameters = encoder.named_parameters().ToDictionary(p => p.name, p => p.parameter);

        Assert.IsTrue(parameters["encoder.layer.0.output.LayerNorm.weight"].eq(1).all().item<bool>());
        Assert.IsTrue(parameters["encoder.layer.0.attention.self.key.bias"].eq(0).all().item<bool>());
        Assert.IsTrue(encoder.WordEmbeddings[0].eq(0).all().item<bool>(), "padding row starts at zero");
        double std = encoder.WordEmbeddings.std().item<float>();
        Assert.AreEqual(0.02, std, 0.002);
    }

    [TestMethod]
    public void LayerGroups_EmbeddingsThenOneGroupPerLayer_CoverEveryParameter()
    {
        using var encoder = new BertBackbone(Tiny());

        var groups = encoder.LayerGroups();

        Assert.HasCount(3, groups);
        TensorAssert.SameStorage(encoder.WordEmbeddings, groups[0][0], "the first group starts with the word embeddings");
        Assert.AreEqual(encoder.parameters().Count(), groups.Sum(g => g.Count));
    }

    [TestMethod]
    public void Config_HeadsDoNotDivideHidden_MessageNamesField()
    {
        var config = Tiny();
        config.NumAttentionHeads = 5;

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new BertBackbone(config));

        Assert.AreEqual("num_attention_heads", e.ParamName);
        Assert.Contains("multiple of num_attention_heads", e.Message);
    }

    [TestMethod]
    public void Preset_KnownNames_HavePublishedShapes()
    {
        var mini = BertBackboneConfig.Preset("bert-mini", 1000);
        var @base = BertBackboneConfig.Preset("bert-base", 30522);

        Assert.AreEqual((4, 256, 4, 1024), (mini.NumHiddenLayers, mini.HiddenSize, mini.NumAttentionHeads, mini.IntermediateSize));
        Assert.AreEqual((12, 768, 12, 3072), (@base.NumHiddenLayers, @base.HiddenSize, @base.NumAttentionHeads, @base.IntermediateSize));
        var e = Assert.ThrowsExactly<ArgumentException>(() => BertBackboneConfig.Preset("bert-huge", 10));
        Assert.Contains("bert-tiny, bert-mini, bert-small, bert-base", e.Message);
    }

    [TestMethod]
    public void Forward_LongerThanPositionTable_ThrowsNamingTheLimit()
    {
        using var encoder = new BertBackbone(Tiny());
        using var ids = ones(1, 25, dtype: ScalarType.Int64);

        var e = Assert.ThrowsExactly<ArgumentException>(() => encoder.forward(ids, ids));

        Assert.Contains("max_position_embeddings 24", e.Message);
    }

    /// <summary>
    /// Loads a classifier fixture written by an independent implementation (scripts/make_*_parity_fixture.py), runs its
    /// reference batch through the loaded network and checks the logits; returns the model and its logits for further checks.
    /// </summary>
    internal static (TextClassifier Model, JsonObject Reference, Tensor Logits) AssertFixtureLogits(string fixture)
    {
        var reference = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(fixture, "reference.json")))!.AsObject();
        var model = TextClassifier.Load(fixture, _ => TinyWordTokenizer.Synthetic(64));
        using var noGrad = no_grad();
        var logits = model.Network.call(Matrix(reference["input_ids"]!), Matrix(reference["attention_mask"]!));
        AssertClose(reference, "logits", logits);
        return (model, reference, logits);
    }

    internal static Tensor Matrix(JsonNode node)
    {
        var rows = node.AsArray().Select(r => r!.AsArray().Select(v => v!.GetValue<long>()).ToArray()).ToArray();
        return tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);
    }

    internal static void AssertClose(JsonObject reference, string name, Tensor actual)
    {
        long[] shape = reference[name + "_shape"]!.AsArray().Select(v => v!.GetValue<long>()).ToArray();
        var expected = tensor(reference[name]!.AsArray().Select(v => v!.GetValue<float>()).ToArray(), shape);
        CollectionAssert.AreEqual(shape, actual.shape, name);
        double worst = (expected - actual).abs().max().item<float>();
        Assert.IsLessThan(1e-4, worst, $"{name}: largest difference {worst:E2}");
    }
}
