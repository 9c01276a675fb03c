using System.Text.Json.Nodes;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Pretraining;
using LlmFineTune.Training;
using LlmFineTune.Training.Schedules;

namespace LlmFineTune.Tests.Pretraining;

[TestClass]
public sealed class LanguageModelPretrainingTests
{
    private static readonly List<string> Documents = TestData.Topical(perClass: 12, seed: 4).Select(e => e.Text).ToList();
    private string directory = "";

    [TestInitialize]
    public void Setup() => directory = Directory.CreateTempSubdirectory("llmft-encoder-pretraining-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(directory, recursive: true);

    private static LanguageModelPretrainingOptions Tiny(int steps) =>
        new() { Backbone = "bert-tiny", VocabularySize = 100, MaxLength = 16, BatchSize = 8, Steps = steps, LearningRate = 2e-3, HeldOutDocuments = 8 };

    [TestMethod]
    public void Run_SmallCorpus_LowersHeldOutLossAndSavesALoadableEncoder()
    {
        var result = LanguageModelPretraining.Run(Documents, directory, Tiny(steps: 30));

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

        var result = LanguageModelPretraining.Run(Documents, directory, options);

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

        var e = Assert.ThrowsExactly<ArgumentException>(() => LanguageModelPretraining.Run(Documents, directory, options));

        StringAssert.Contains(e.Message, "'gpt3'");
        StringAssert.Contains(e.Message, "bert-mini");
        StringAssert.Contains(e.Message, "gpt2-mini");
    }

    [TestMethod]
    public void Run_SameSeed_IdenticalWeights()
    {
        string second = Path.Combine(directory, "again");
        LanguageModelPretraining.Run(Documents, directory, Tiny(steps: 3));
        LanguageModelPretraining.Run(Documents, second, Tiny(steps: 3));

        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(directory, ModelDirectory.WeightsFileName)), File.ReadAllBytes(Path.Combine(second, ModelDirectory.WeightsFileName)));
    }

    [TestMethod]
    public void Run_AllDocumentsHeldOut_ThrowsNamingTheCounts()
    {
        var options = Tiny(steps: 1);
        options.HeldOutDocuments = Documents.Count;

        var e = Assert.ThrowsExactly<ArgumentException>(() => LanguageModelPretraining.Run(Documents, directory, options));

        StringAssert.Contains(e.Message, $"holding out {Documents.Count}");
    }

    [TestMethod]
    public void Run_WithSchedule_WarmsUpThenDecays()
    {
        var options = Tiny(steps: 8);
        options.Schedule = new LinearSchedule(warmupSteps: 4);
        var rates = new List<double>();

        LanguageModelPretraining.Run(Documents, directory, options, new SyncProgress(p => rates.Add(p.LearningRate)));

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

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LanguageModelPretraining.Run(Documents, directory, options));

        Assert.AreEqual(nameof(MaskingOptions.Probability), e.ParamName);
    }

    [TestMethod]
    public void Defaults_AreTheMeasuredRecipe()
    {
        var options = new LanguageModelPretrainingOptions();

        Assert.AreEqual(1e-3, options.LearningRate);
        Assert.AreEqual(1.0, options.MaxGradientNorm);
        Assert.AreEqual(0.3, options.Masking.Probability);
        Assert.AreEqual(0.0, options.Dropout);
        Assert.AreEqual(64, options.MaxLength);
        Assert.IsNull(options.Schedule, "null is 5 % warm-up, then linear decay");
    }

    [TestMethod]
    public void Run_DefaultRecipe_NoDropoutInConfigAndRecipeSaved()
    {
        var options = new LanguageModelPretrainingOptions { Backbone = "bert-tiny", VocabularySize = 100, MaxLength = 16, BatchSize = 8, Steps = 40 };
        var rates = new List<double>();

        var result = LanguageModelPretraining.Run(Documents, directory, options, new SyncProgress(p => rates.Add(p.LearningRate)));

        Assert.AreEqual(0.0, ModelDirectory.ReadEncoderConfig(directory).HiddenDropoutProb);
        Assert.AreEqual(0.0, ModelDirectory.ReadEncoderConfig(directory).AttentionProbsDropoutProb);
        var recipe = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, LanguageModelPretraining.RecipeFileName)))!;
        Assert.AreEqual(40, (int)recipe["steps"]!);
        Assert.AreEqual(2, (int)recipe["warmup_steps"]!, "5 % of 40 steps");
        Assert.AreEqual(0.3, (double)recipe["mask_probability"]!);
        Assert.AreEqual(1.0, (double)recipe["max_gradient_norm"]!);
        Assert.AreEqual(result.Training.Steps, rates.Count);
        Assert.AreEqual(0.5e-3, rates[1], 1e-15, "warming up");
        Assert.AreEqual(1e-3 / 38, rates[^1], 1e-15, "decayed to the last step");
    }

    [TestMethod]
    public void Run_TimeBudgetWithFixedStepTime_TrainsTheCalibratedStepsAndSavesThem()
    {
        var options = Tiny(steps: 1);
        options.Steps = null;
        options.TimeBudget = TimeSpan.FromSeconds(10);
        options.CalibrationSteps = 3;
        options.Clock = new FixedStepClock(TimeSpan.FromMilliseconds(250));
        var rates = new List<double>();

        var result = LanguageModelPretraining.Run(Documents, directory, options, new SyncProgress(p => rates.Add(p.LearningRate)));

        Assert.AreEqual(new PretrainingCalibration(TimeSpan.FromSeconds(10), 3, 0.25, 40), result.Calibration! with { PaddedTokensPerStep = null },
            "every step takes 250 ms whatever its size, so the fit is the plain mean");
        Assert.IsGreaterThan(0, result.Calibration.PaddedTokensPerStep!.Value);
        Assert.AreEqual(40, result.Training.Steps);
        var recipe = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, LanguageModelPretraining.RecipeFileName)))!;
        Assert.AreEqual(40, (int)recipe["steps"]!);
        Assert.AreEqual(10.0, (double)recipe["time_budget_seconds"]!);
        Assert.AreEqual(0.25, (double)recipe["calibration"]!["seconds_per_step"]!);
        Assert.AreEqual(result.Calibration.PaddedTokensPerStep!.Value, (double)recipe["calibration"]!["padded_tokens_per_step"]!);
        // The schedule spans the calibrated steps: 2 warm-up steps (5 %), then decay to the 40th.
        Assert.HasCount(40, rates);
        Assert.AreEqual(0.0, rates[0]);
        Assert.AreEqual(options.LearningRate, rates[2], 1e-15);
        Assert.AreEqual(options.LearningRate / 38, rates[^1], 1e-15);
    }

    [TestMethod]
    public void Run_TimeBudgetThenItsStepCount_IdenticalWeights()
    {
        var budgeted = Tiny(steps: 1);
        budgeted.Steps = null;
        budgeted.TimeBudget = TimeSpan.FromSeconds(3);
        budgeted.Clock = new FixedStepClock(TimeSpan.FromSeconds(0.5));
        var result = LanguageModelPretraining.Run(Documents, directory, budgeted);
        string again = Path.Combine(directory, "again");

        LanguageModelPretraining.Run(Documents, again, Tiny(steps: result.Calibration!.Steps));

        Assert.AreEqual(6, result.Training.Steps);
        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(directory, ModelDirectory.WeightsFileName)), File.ReadAllBytes(Path.Combine(again, ModelDirectory.WeightsFileName)),
            "calibration trains a throwaway model, so the budgeted run is the plain run of its step count");
    }

    [TestMethod]
    public void Run_TimeBudgetAndSteps_ThrowsNamingBoth()
    {
        var options = Tiny(steps: 5);
        options.TimeBudget = TimeSpan.FromMinutes(1);

        var e = Assert.ThrowsExactly<ArgumentException>(() => LanguageModelPretraining.Run(Documents, directory, options));

        StringAssert.Contains(e.Message, "Steps or TimeBudget");
    }

    [TestMethod]
    public void Run_From_ContinuesTheSavedWeightsAndVocabulary()
    {
        string first = Path.Combine(directory, "first"), second = Path.Combine(directory, "second");
        var original = LanguageModelPretraining.Run(Documents, first, Tiny(steps: 6));
        var options = Tiny(steps: 4);
        options.From = first;
        options.VocabularySize = 50; // not used: the directory's vocabulary carries over

        var continued = LanguageModelPretraining.Run(Documents, second, options);

        Assert.AreEqual(original.After!.Loss, continued.Before!.Loss, 1e-5, "the same held-out texts and masks score the loaded model as the saved one");
        Assert.AreEqual(original.VocabularySize, continued.VocabularySize);
        Assert.AreEqual(File.ReadAllText(Path.Combine(first, "vocab.txt")), File.ReadAllText(Path.Combine(second, "vocab.txt")));
        Assert.AreEqual(first, (string)JsonNode.Parse(File.ReadAllText(Path.Combine(second, LanguageModelPretraining.RecipeFileName)))!["from"]!);
    }

    [TestMethod]
    public void Run_Electra_LowersHeldOutLossSavesAFineTunableEncoderAndContinuesExactly()
    {
        string first = Path.Combine(directory, "first"), second = Path.Combine(directory, "second");
        var options = Tiny(steps: 30);
        options.ReplacedTokenDetection = new ReplacedTokenDetectionOptions();

        var result = LanguageModelPretraining.Run(Documents, first, options);

        Assert.IsLessThan(result.Before!.Loss, result.After!.Loss, "generator + 50 x discriminator loss falls");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(first, ModelDirectory.ConfigFileName)))!;
        Assert.AreEqual("bert", (string)config["model_type"]!, "the discriminator is saved as a plain BERT encoder");
        Assert.AreEqual("electra", (string)JsonNode.Parse(File.ReadAllText(Path.Combine(first, LanguageModelPretraining.RecipeFileName)))!["objective"]!);
        using (var encoder = ModelDirectory.LoadEncoder(first))
            Assert.AreEqual(result.VocabularySize, encoder.Config.VocabSize);
        using (var classifier = LlmFineTune.Modeling.ClassifierFactory.FromPretrained(first, TestData.Topical(perClass: 4, seed: 1)))
            Assert.AreEqual("bert", classifier.Backbone.Kind);

        // the generator and the replaced-token head are saved too, so continuing scores the held-out texts as the first run ended
        var more = Tiny(steps: 1);
        more.From = first;
        more.ReplacedTokenDetection = new ReplacedTokenDetectionOptions();
        var continued = LanguageModelPretraining.Run(Documents, second, more);
        Assert.AreEqual(result.After.Loss, continued.Before!.Loss, 1e-4);
    }

    [TestMethod]
    public void Run_ElectraOnADecoder_ThrowsNamingTheOption()
    {
        var options = Tiny(steps: 1);
        options.Backbone = "gpt2-tiny";
        options.ReplacedTokenDetection = new ReplacedTokenDetectionOptions();

        var e = Assert.ThrowsExactly<ArgumentException>(() => LanguageModelPretraining.Run(Documents, directory, options));

        StringAssert.Contains(e.Message, nameof(LanguageModelPretrainingOptions.ReplacedTokenDetection));
    }

    [TestMethod]
    public void Run_FromBagDirectory_ThrowsPointingToWordVectors()
    {
        string bag = Path.Combine(directory, "bag");
        WordVectorPretraining.Run(Documents, bag, new WordVectorOptions { Tokenizer = new() { Buckets = 256 }, Dimension = 4, Epochs = 1 });
        var options = Tiny(steps: 1);
        options.From = bag;

        var e = Assert.ThrowsExactly<ArgumentException>(() => LanguageModelPretraining.Run(Documents, directory, options));

        StringAssert.Contains(e.Message, nameof(WordVectorPretraining));
    }
}
