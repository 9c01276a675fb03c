using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Pretraining;
using LlmFineTune.Tokenization;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Pretraining;

[TestClass]
public sealed class WordVectorPretrainingTests
{
    private string directory = "";

    [TestInitialize]
    public void Setup() => directory = Directory.CreateTempSubdirectory("llmft-word-vectors-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(directory, recursive: true);

    private static WordVectorOptions Small(WordVectorObjective objective = WordVectorObjective.SkipGram) => new()
    {
        Objective = objective,
        Tokenizer = new HashingTokenizerOptions { Buckets = 1024 },
        Dimension = 16,
        Epochs = 20,
        SamplingThreshold = 1, // a tiny corpus: keep every word
    };

    /// <summary>"cat" and "dog" share every context, "car" and "bus" share others.</summary>
    private static List<string> PetsAndVehicles()
    {
        var random = new Random(3);
        string[] pets = ["cat", "dog"], vehicles = ["car", "bus"];
        string[] petContexts = ["the {0} ate its food and slept", "my {0} chased a ball in the garden", "feed the hungry {0} some meat"];
        string[] vehicleContexts = ["the {0} drove down the highway fast", "park the {0} near the fuel station", "the {0} needs new tyres and oil"];
        var documents = new List<string>();
        for (int i = 0; i < 200; i++)
        {
            documents.Add(string.Format(petContexts[random.Next(petContexts.Length)], pets[random.Next(2)]));
            documents.Add(string.Format(vehicleContexts[random.Next(vehicleContexts.Length)], vehicles[random.Next(2)]));
        }
        return documents;
    }

    private static float[] Vector(BagOfNgrams bag, HashingTokenizer tokenizer, string word)
    {
        using var scope = NewDisposeScope();
        return bag.parameters().Single()[tokenizer.WordIds(word)[0][0]].data<float>().ToArray();
    }

    private static double Cosine(float[] a, float[] b) =>
        a.Zip(b, (x, y) => (double)x * y).Sum() / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));

    [TestMethod]
    [DataRow(WordVectorObjective.SkipGram)]
    [DataRow(WordVectorObjective.Cbow)]
    public void Run_WordsInTheSameContexts_EndUpCloserThanOthers(WordVectorObjective objective)
    {
        var result = WordVectorPretraining.Run(PetsAndVehicles(), directory, Small(objective));

        Assert.IsLessThan(result.FirstEpochLoss, result.LastEpochLoss);
        using var bag = (BagOfNgrams)ModelDirectory.LoadBackbone(new ModelDirectoryReader(directory), ModelParts.Default);
        var tokenizer = (HashingTokenizer)Tokenizers.Load(directory);
        double pets = Cosine(Vector(bag, tokenizer, "cat"), Vector(bag, tokenizer, "dog"));
        double across = Cosine(Vector(bag, tokenizer, "cat"), Vector(bag, tokenizer, "car"));
        Assert.IsGreaterThan(across + 0.3, pets, $"cos(cat, dog) {pets:F3}, cos(cat, car) {across:F3}");
    }

    [TestMethod]
    public void Run_SameSeed_IdenticalVectors()
    {
        string again = Path.Combine(directory, "again");
        var options = Small();
        options.Epochs = 2;

        WordVectorPretraining.Run(PetsAndVehicles(), directory, options);
        WordVectorPretraining.Run(PetsAndVehicles(), again, options);

        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(directory, ModelDirectory.WeightsFileName)), File.ReadAllBytes(Path.Combine(again, ModelDirectory.WeightsFileName)));
    }

    [TestMethod]
    public void FromPretrained_WordVectorDirectory_BagStartsFromTheVectorsWithAFreshHead()
    {
        var options = Small();
        options.Epochs = 2;
        WordVectorPretraining.Run(PetsAndVehicles(), directory, options);
        var train = TestData.Topical(perClass: 4, seed: 1);

        using var model = ClassifierFactory.FromPretrained(directory, train);
        using var saved = (BagOfNgrams)ModelDirectory.LoadBackbone(new ModelDirectoryReader(directory), ModelParts.Default);

        var bag = (BagOfNgrams)model.Backbone;
        Assert.IsTrue(bag.parameters().Single().allclose(saved.parameters().Single(), rtol: 0, atol: 0), "the table is the learned vectors");
        Assert.AreEqual(1025, bag.VocabularySize);
        Assert.AreEqual(1024, ((HashingTokenizer)model.Tokenizer).Options.Buckets, "the vectors' hashing carries over");
        Assert.HasCount(train.LabelMap.Count, model.Labels);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, ModelDirectory.ConfigFileName)))!;
        Assert.AreEqual("skipgram", (string)config["llmfinetune"]!["word_vectors"]!["objective"]!);
        Assert.AreEqual(ClassifierFactory.Bag, ClassifierFactory.BackboneOf(directory));
    }

    [TestMethod]
    public void Run_NoWords_ThrowsInvalidData()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => WordVectorPretraining.Run(["", "   "], directory, Small()));

        StringAssert.Contains(e.Message, "no words");
    }

    [TestMethod]
    public void Run_ZeroWindow_ThrowsNamingTheOption()
    {
        var options = Small();
        options.Window = 0;

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => WordVectorPretraining.Run(PetsAndVehicles(), directory, options));

        Assert.AreEqual(nameof(WordVectorOptions.Window), e.ParamName);
    }
}
