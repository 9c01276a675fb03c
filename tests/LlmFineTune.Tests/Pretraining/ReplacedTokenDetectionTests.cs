using System.Text.Json.Nodes;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Pretraining;
using LlmFineTune.Tests.Backbones;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Pretraining;

[TestClass]
public sealed class ReplacedTokenDetectionTests
{
    [TestInitialize]
    public void Seed() => manual_seed(5);

    [TestMethod]
    public void Parity_FixtureFromIndependentPyTorchImplementation_MatchesWithin1e4()
    {
        // scripts/make_electra_parity_fixture.py: ElectraForPreTraining's discriminator in eager PyTorch, reading the directory from disk.
        string dir = Fixtures.Path("electra-tiny-parity");
        var reference = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "reference.json")))!.AsObject();
        using var electra = LanguageModelDirectory.LoadReplacedTokenDetection(dir, TinyWordTokenizer.Synthetic(64));
        using var scope = NewDisposeScope();

        var logits = electra.forward(BertBackboneTests.Matrix(reference["input_ids"]!), BertBackboneTests.Matrix(reference["attention_mask"]!));

        BertBackboneTests.AssertClose(reference, "discriminator_logits", logits);
    }

    [TestMethod]
    public void StateDict_IsTheSavedLayoutOfTheFixture_EncoderHeadAndGenerator()
    {
        // The fixture's tensors are named as the script documents the saved layout; a fresh model of its sizes has exactly those.
        string dir = Fixtures.Path("electra-tiny-parity");
        var file = SafeTensors.ReadHeader(Path.Combine(dir, ModelDirectory.WeightsFileName));
        using var electra = new ReplacedTokenDetection(new BertBackbone(ModelDirectory.ReadEncoderConfig(dir)), TinyWordTokenizer.Synthetic(64));

        var names = electra.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);

        CollectionAssert.AreEquivalent(file.Keys.ToList(), names.Keys.ToList());
        foreach (var (name, shape) in names)
            CollectionAssert.AreEqual(file[name].Shape, shape, name);
        Assert.AreEqual(8, electra.GeneratorConfig.HiddenSize, "a quarter of the discriminator's 32");
        Assert.AreEqual(1, electra.GeneratorConfig.NumAttentionHeads, "the discriminator's head width (8)");
    }

    [TestMethod]
    public void Parameters_GeneratorSharesTheEncodersEmbeddings_RegisteredOnce()
    {
        using var electra = new ReplacedTokenDetection(new BertBackbone(BertBackboneTests.Tiny(32)), TinyWordTokenizer.Synthetic(32));

        var names = electra.named_parameters().Select(p => p.name).ToList();

        Assert.AreEqual(1, names.Count(n => n.EndsWith("word_embeddings.weight", StringComparison.Ordinal)), string.Join(", ", names));
        Assert.AreEqual(1, names.Count(n => n.EndsWith("position_embeddings.weight", StringComparison.Ordinal)));
        Assert.IsFalse(names.Any(n => n.StartsWith("generator.", StringComparison.Ordinal) && n.Contains("embeddings.", StringComparison.Ordinal)), "the generator has no tables of its own");
    }

    [TestMethod]
    public void Replace_SamplesByInverseCdf_ReplacedOnlyWhereTheSampleDiffers()
    {
        // Three masked positions of one row, whose originals are 1, 1 and 2; the generator's softmax is [0.5, 0.25, 0.25].
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 9, 4, 4, 4, 9 }, [1, 5]);
        var chosen = tensor(new[] { false, true, true, true, false }, [1, 5]);
        var originals = tensor(new long[] { 1, 1, 2 });
        var logits = log(tensor(new[] { 0.5f, 0.25f, 0.25f })).unsqueeze(0).expand(3, 3);
        var draws = tensor(new[] { 0.1f, 0.6f, 0.9f });

        var (corrupted, replaced) = ReplacedTokenDetection.Replace(ids, chosen, originals, logits, draws);

        CollectionAssert.AreEqual(new long[] { 9, 0, 1, 2, 9 }, corrupted.data<long>().ToArray(), "draws 0.1, 0.6, 0.9 pick ids 0, 1, 2");
        CollectionAssert.AreEqual(new[] { 0f, 1f, 0f, 0f, 0f }, replaced.data<float>().ToArray(), "sampling the original is no replacement");
        Assert.IsFalse(corrupted.requires_grad || replaced.requires_grad);
    }

    [TestMethod]
    public void CreateBatch_ElectraMasking_DrawsOnlyAtMaskedPositionsAndNoRandomTokens()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(64);
        using var electra = new ReplacedTokenDetection(new BertBackbone(BertBackboneTests.Tiny(64)), tokenizer);
        var random = new Random(3);
        var sequences = Enumerable.Range(0, 50).Select(_ => tokenizer.Encode(string.Join(' ', Enumerable.Range(0, 20).Select(_ => tokenizer[random.Next(5, 64)])))).ToArray();

        using var batch = electra.CreateBatch(sequences, new Random(9));

        long[] ids = batch.InputIds.data<long>().ToArray(), labels = batch.Labels!.data<long>().ToArray();
        float[] draws = batch.Targets!.data<float>().ToArray();
        int chosen = labels.Count(l => l != -100);
        Assert.AreEqual(0.15, chosen / 1000.0, 0.03, "ELECTRA masks 15 % of the 1,000 words");
        for (int i = 0; i < ids.Length; i++)
        {
            if (labels[i] == -100) { Assert.AreEqual(0f, draws[i]); continue; }
            Assert.IsTrue(ids[i] == 4 || ids[i] == labels[i], "a masked position holds [MASK] or the original, never a random token");
            Assert.IsTrue(draws[i] is >= 0f and < 1f);
        }
        Assert.AreEqual(0.85, ids.Where((id, i) => labels[i] != -100 && id == 4).Count() / (double)chosen, 0.08, "85 % [MASK]");
    }

    [TestMethod]
    public void Train_FrozenRandomGenerator_DiscriminatorSpotsTheTokensItSamples()
    {
        // The corpus uses half of the vocabulary. The generator is frozen at its random start, so it keeps sampling from the whole
        // vocabulary, and its samples from the unused half are replacements the discriminator can learn to spot from the token
        // alone: this checks the path from sampling to the discriminator's labels and loss, without waiting for context to be learned.
        var tokenizer = TinyWordTokenizer.Synthetic(45);
        var random = new Random(2);
        string Document() => string.Join(' ', Enumerable.Range(0, 14).Select(_ => tokenizer[5 + random.Next(20)]));
        var documents = Enumerable.Range(0, 200).Select(_ => Document()).ToList();
        using var electra = new ReplacedTokenDetection(new BertBackbone(BertBackboneTests.Tiny(45)), tokenizer);
        foreach (var (_, parameter) in electra.named_parameters().Where(p => p.name.StartsWith("generator.", StringComparison.Ordinal)))
            parameter.requires_grad = false;
        var task = new PretrainingTask(electra, tokenizer, documents, new PretrainingOptions { MaxLength = 16, BatchSize = 16 });

        new Trainer(new TrainerOptions { Epochs = 8, LearningRate = 3e-3, BatchSize = 16 }).Train(task);

        electra.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tokenizer.Encode(Document()).Select(i => (long)i).ToArray();
        var unused = new[] { 3, 7, 11 };
        foreach (int position in unused) ids[position] = 25 + position;
        var probability = electra.forward(tensor(ids, [1, ids.Length]), ones(1, ids.Length, dtype: ScalarType.Int64)).sigmoid().data<float>().ToArray();
        double replaced = unused.Average(p => probability[p]);
        double original = Enumerable.Range(1, ids.Length - 2).Except(unused).Average(p => probability[p]);
        Assert.IsGreaterThan(original + 0.3, replaced, $"p(replaced) {replaced:F2} on tokens the corpus never uses, {original:F2} on its own");
    }

    [TestMethod]
    [DataRow(0.15)]
    [DataRow(0.3)]
    public void FreshDiscriminator_PredictsTheMaskingShare_NotEvenOdds(double probability)
    {
        // A fresh generator rarely samples the original, so about the masked share of tokens is replaced at the first step; a head
        // that started at even odds began far above the base rate's entropy and spent its first steps learning the base rate.
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        var options = new ReplacedTokenDetectionOptions { Masking = new MaskingOptions { Probability = probability, MaskFraction = 0.85, RandomFraction = 0 } };
        using var electra = new ReplacedTokenDetection(new BertBackbone(BertBackboneTests.Tiny(32)), tokenizer, options);
        var sequences = Enumerable.Range(0, 8).Select(i => tokenizer.Encode(string.Join(' ', Enumerable.Range(0, 12).Select(j => tokenizer[5 + (i * 7 + j) % 27])))).ToArray();
        using var batch = electra.CreateBatch(sequences, new Random(1));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        double mean = electra.forward(batch.InputIds, batch.AttentionMask).sigmoid().mean().item<float>();

        Assert.AreEqual(probability, mean, 0.03, "p(replaced) of a fresh discriminator");
    }

    [TestMethod]
    public void Loss_IsGeneratorLossPlusWeightedDiscriminatorLoss_AndTrainsBoth()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var electra = new ReplacedTokenDetection(new BertBackbone(BertBackboneTests.Tiny(32)), tokenizer, new ReplacedTokenDetectionOptions { DiscriminatorWeight = 1e-6 });
        var sequences = Enumerable.Range(0, 8).Select(i => tokenizer.Encode(string.Join(' ', Enumerable.Range(0, 12).Select(j => tokenizer[5 + (i * 7 + j) % 27])))).ToArray();
        using var batch = electra.CreateBatch(sequences, new Random(1));
        using var scope = NewDisposeScope();

        var loss = electra.Loss(batch);
        loss.backward();

        double chance = Math.Log(32);
        Assert.AreEqual(chance, loss.item<float>(), 0.3, "with λ ≈ 0 the loss is the fresh generator's cross-entropy, near log(vocab)");
        var gradients = electra.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        Assert.IsNotNull(gradients["generator.embeddings_project.weight"], "the generator learns from its MLM loss");
        Assert.IsNotNull(gradients["discriminator_predictions.dense_prediction.weight"], "the discriminator learns from its loss");
        Assert.IsNotNull(gradients["bert.embeddings.word_embeddings.weight"]);
    }
}
