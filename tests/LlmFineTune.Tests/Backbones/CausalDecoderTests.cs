using System.Text.Json.Nodes;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Pretraining;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Backbones;

[TestClass]
public sealed class CausalDecoderTests
{
    private static CausalDecoderConfig Tiny() => new() { VocabSize = 32, NPositions = 24, NEmbd = 16, NLayer = 2, NHead = 4 };

    [TestInitialize]
    public void Seed() => manual_seed(13);

    [TestMethod]
    public void Forward_ChangingALaterToken_LeavesEarlierStatesUnchanged()
    {
        using var decoder = new CausalDecoder(Tiny());
        decoder.eval();
        using var scope = NewDisposeScope();
        var a = tensor(new long[] { 5, 6, 7, 8, 9 }, [1, 5]);
        var b = tensor(new long[] { 5, 6, 7, 20, 21 }, [1, 5]);

        var statesA = decoder.forward(a, ones_like(a));
        var statesB = decoder.forward(b, ones_like(b));

        Assert.IsTrue(statesA.narrow(1, 0, 3).allclose(statesB.narrow(1, 0, 3), rtol: 0, atol: 1e-6), "no position sees the future");
        Assert.IsFalse(statesA.narrow(1, 3, 2).allclose(statesB.narrow(1, 3, 2)));
    }

    [TestMethod]
    public void Forward_PaddedBatch_PooledIsLastRealTokenAndNamesAreGpt2()
    {
        using var decoder = new CausalDecoder(Tiny());
        decoder.eval();
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 5, 6, 7, 0, 0, 8, 9, 10, 11, 12 }, [2, 5]);
        var mask = tensor(new long[] { 1, 1, 1, 0, 0, 1, 1, 1, 1, 1 }, [2, 5]);

        var output = decoder.Forward(ids, mask);
        var alone = decoder.forward(ids.narrow(0, 0, 1).narrow(1, 0, 3), mask.narrow(0, 0, 1).narrow(1, 0, 3));

        CollectionAssert.AreEqual(new long[] { 2, 16 }, output.Pooled!.shape);
        Assert.IsTrue(output.Pooled[0].allclose(alone[0, 2], rtol: 0, atol: 1e-5));
        Assert.IsTrue(output.Pooled[1].allclose(output.TokenStates![1, 4], rtol: 0, atol: 0));
        var names = decoder.state_dict().Keys.ToHashSet();
        foreach (string expected in new[] { "wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.attn.c_attn.weight", "h.1.attn.c_proj.bias", "h.1.mlp.c_fc.weight", "h.1.mlp.c_proj.weight", "ln_f.bias" })
            Assert.Contains(expected, names);
        CollectionAssert.AreEqual(new long[] { 16, 48 }, decoder.state_dict()["h.0.attn.c_attn.weight"].shape, "Conv1D layout [in, out]");
        Assert.HasCount(3, decoder.LayerGroups());
    }

    [TestMethod]
    public void CausalLanguageModel_ShortRunOnPatternText_PerplexityFalls()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var clm = new CausalLanguageModel(new CausalDecoder(Tiny()), tokenizer);
        var random = new Random(2);
        // Each document counts upwards, so the next token follows from the current one.
        var documents = Enumerable.Range(0, 48).Select(_ => { int s = random.Next(10); return string.Join(' ', Enumerable.Range(s, 12).Select(i => tokenizer[5 + i])); }).ToList();
        var task = new PretrainingTask(clm, tokenizer, documents, new PretrainingOptions { MaxLength = 16, BatchSize = 16, Packing = false });
        var heldOut = documents.Take(4).ToList();
        var before = task.Evaluate(heldOut);

        new Trainer(new TrainerOptions { Epochs = 6, LearningRate = 3e-3 }, schedule: new LlmFineTune.Training.Schedules.ConstantSchedule()).Train(task); // written for a constant rate; the default now decays
        var after = task.Evaluate(heldOut);

        Assert.IsLessThan(before.Perplexity * 0.5, after.Perplexity, $"perplexity {before.Perplexity:F1} -> {after.Perplexity:F1}");
        Assert.AreEqual(4L * 13, after.PredictedTokens, "every next token after the first of each 14-token sequence");
    }

    [TestMethod]
    public void Parity_HubStyleCheckpointFromIndependentPyTorchImplementation_MatchesWithin1e4()
    {
        string dir = Fixtures.Path("gpt2-tiny-parity");
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "reference.json")))!.AsObject();
        using var clm = LanguageModelDirectory.LoadCausalLanguageModel(dir, TinyWordTokenizer.Synthetic(64));
        using var scope = NewDisposeScope();
        var ids = BertBackboneTests.Matrix(reference["input_ids"]!);
        var mask = BertBackboneTests.Matrix(reference["attention_mask"]!);

        var states = clm.Decoder.forward(ids, mask);
        var logits = clm.forward(ids, mask);

        BertBackboneTests.AssertClose(reference, "last_hidden_state", states);
        BertBackboneTests.AssertClose(reference, "lm_logits", logits);
        Assert.AreEqual(64, clm.Decoder.Config.NInner, "n_inner is read, not assumed to be 4 × n_embd");
    }

    [TestMethod]
    public void Preset_DecoderNames_HaveTheEncoderPresetSizes()
    {
        foreach (var (decoderName, encoderName) in CausalDecoderConfig.PresetNames.Zip(BertBackboneConfig.PresetNames))
        {
            var decoder = CausalDecoderConfig.Preset(decoderName, 1000);
            var encoder = BertBackboneConfig.Preset(encoderName, 1000);

            Assert.AreEqual(decoderName, "gpt2" + encoderName["bert".Length..]);
            Assert.AreEqual((encoder.HiddenSize, encoder.NumHiddenLayers, encoder.NumAttentionHeads, encoder.IntermediateSize), (decoder.NEmbd, decoder.NLayer, decoder.NHead, decoder.InnerSize));
        }
        var gpt2 = CausalDecoderConfig.Preset("gpt2-base", 50257);
        Assert.AreEqual((768, 12, 12, 3072), (gpt2.NEmbd, gpt2.NLayer, gpt2.NHead, gpt2.InnerSize), "OpenAI's smallest GPT-2");
        Assert.ThrowsExactly<ArgumentException>(() => CausalDecoderConfig.Preset("gpt2-huge", 10));
    }
}
