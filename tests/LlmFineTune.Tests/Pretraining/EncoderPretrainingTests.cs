using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Pretraining;
using LlmFineTune.Training;
using LlmFineTune.Training.Schedules;

namespace LlmFineTune.Tests.Pretraining;

[TestClass]
public sealed class EncoderPretrainingTests
{
    private static readonly List<string> Documents = TestData.Topical(perClass: 12, seed: 4).Select(e => e.Text).ToList();
    private string directory = "";

    [TestInitialize]
    public void Setup() => directory = Directory.CreateTempSubdirectory("llmft-encoder-pretraining-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(directory, recursive: true);

    private static EncoderPretrainingOptions Tiny(int steps) =>
        new() { Backbone = "bert-tiny", VocabularySize = 100, MaxLength = 16, BatchSize = 8, Steps = steps, LearningRate = 2e-3, HeldOutDocuments = 8 };

    [TestMethod]
    public void Run_SmallCorpus_LowersHeldOutLossAndSavesALoadableEncoder()
    {
        var result = EncoderPretraining.Run(Documents, directory, Tiny(steps: 30));

        Assert.AreEqual(30, result.Training.Steps);
        Assert.IsLessThan(result.Before!.Loss, result.After!.Loss, "pretraining learns the topic vocabulary");
        using var encoder = ModelDirectory.LoadEncoder(directory);
        Assert.AreEqual(result.VocabularySize, encoder.Config.VocabSize);
        Assert.AreEqual(16, encoder.Config.MaxPositionEmbeddings);
        Assert.HasCount(result.VocabularySize, File.ReadAllLines(Path.Combine(directory, "vocab.txt")));
    }

    [TestMethod]
    public void Run_Gpt2Tiny_CausalLmLowersHeldOutLossAndSavesALoadableDecoder()
    {
        var options = Tiny(steps: 12);
        options.Backbone = "gpt2-tiny";

        var result = EncoderPretraining.Run(Documents, directory, options);

        Assert.AreEqual(12, result.Training.Steps);
        Assert.IsLessThan(result.Before!.Perplexity * 0.6, result.After!.Perplexity, $"held-out perplexity {result.Before.Perplexity:F1} -> {result.After.Perplexity:F1}");
        using var decoder = ModelDirectory.LoadDecoder(directory);
        Assert.AreEqual(result.VocabularySize, decoder.Config.VocabSize);
        Assert.AreEqual(16, decoder.Config.NPositions);
        Assert.AreEqual((2, 3, 0), (decoder.Config.BosTokenId, decoder.Config.EosTokenId, decoder.Config.PadTokenId), "WordPiece's [CLS], [SEP] and [PAD]");
    }

    [TestMethod]
    public void Run_UnknownBackbone_ThrowsListingBothFamilies()
    {
        var options = Tiny(steps: 1);
        options.Backbone = "gpt3";

        var e = Assert.ThrowsExactly<ArgumentException>(() => EncoderPretraining.Run(Documents, directory, options));

        StringAssert.Contains(e.Message, "'gpt3'");
        StringAssert.Contains(e.Message, "bert-mini");
        StringAssert.Contains(e.Message, "gpt2-mini");
    }

    [TestMethod]
    public void Run_SameSeed_IdenticalWeights()
    {
        string second = Path.Combine(directory, "again");
        EncoderPretraining.Run(Documents, directory, Tiny(steps: 3));
        EncoderPretraining.Run(Documents, second, Tiny(steps: 3));

        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(directory, ModelDirectory.WeightsFileName)), File.ReadAllBytes(Path.Combine(second, ModelDirectory.WeightsFileName)));
    }

    [TestMethod]
    public void Run_AllDocumentsHeldOut_ThrowsNamingTheCounts()
    {
        var options = Tiny(steps: 1);
        options.HeldOutDocuments = Documents.Count;

        var e = Assert.ThrowsExactly<ArgumentException>(() => EncoderPretraining.Run(Documents, directory, options));

        StringAssert.Contains(e.Message, $"holding out {Documents.Count}");
    }

    [TestMethod]
    public void Run_WithSchedule_WarmsUpThenDecays()
    {
        var options = Tiny(steps: 8);
        options.Schedule = new LinearSchedule(warmupSteps: 4);
        var rates = new List<double>();

        EncoderPretraining.Run(Documents, directory, options, new SyncProgress(p => rates.Add(p.LearningRate)));

        double[] expected = [0, 0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25];
        Assert.HasCount(expected.Length, rates);
        for (int step = 0; step < expected.Length; step++)
            Assert.AreEqual(expected[step] * options.LearningRate, rates[step], 1e-12, $"step {step}");
    }

    [TestMethod]
    public void Run_InvalidMasking_ThrowsNamingTheOption()
    {
        var options = Tiny(steps: 1);
        options.Masking = new MaskingOptions { Probability = 0 };

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => EncoderPretraining.Run(Documents, directory, options));

        Assert.AreEqual(nameof(MaskingOptions.Probability), e.ParamName);
    }
}
