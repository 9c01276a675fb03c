using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Pretraining;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;

namespace LlmFineTune.Tests.Modeling;

[TestClass]
public sealed class ClassifierFactoryTests
{
    private static readonly TextDataset Train = TestData.Topical(perClass: 10, seed: 3);
    private string directory = "";

    [TestInitialize]
    public void Setup() => directory = Directory.CreateTempSubdirectory("llmft-factory-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(directory, recursive: true);

    private string SaveTrainedBag()
    {
        string saved = Path.Combine(directory, "bag");
        using var model = ClassifierFactory.Create(Train, new ClassifierFactoryOptions { BagBuckets = 512, BagDimension = 8 });
        new Trainer(new TrainerOptions { Epochs = 2, LearningRate = 0.1 }).Train(model, Train);
        model.Save(saved);
        return saved;
    }

    [TestMethod]
    public void Create_Bag_HashingTokenizerAndTheDatasetsLabels()
    {
        using var model = ClassifierFactory.Create(Train, new ClassifierFactoryOptions { BagBuckets = 512, BagDimension = 8 });

        Assert.IsInstanceOfType<HashingTokenizer>(model.Tokenizer);
        Assert.AreEqual(513, model.Tokenizer.VocabularySize);
        Assert.AreEqual("bag", model.Backbone.Kind);
        CollectionAssert.AreEqual(Train.LabelMap.ToArray(), model.Labels.ToArray());
        Assert.AreEqual(256, model.MaxLength);
    }

    [TestMethod]
    public void Create_BertTiny_WordPieceVocabularyLearnedFromTheTrainingTexts()
    {
        using var model = ClassifierFactory.Create(Train, new ClassifierFactoryOptions { Backbone = "bert-tiny", VocabularySize = 200, Head = TaskKind.MultiLabel });

        var tokenizer = (WordPieceTokenizer)model.Tokenizer;
        Assert.IsNotNull(tokenizer.IdOf("striker"), "a frequent training word becomes a piece");
        var encoder = (BertBackbone)model.Backbone;
        Assert.AreEqual(128, encoder.HiddenSize);
        Assert.AreEqual(tokenizer.VocabularySize, encoder.Config.VocabSize);
        Assert.AreEqual(128, model.MaxLength);
        Assert.AreEqual(TaskKind.MultiLabel, model.Head.Kind);
    }

    [TestMethod]
    public void Create_UnknownBackbone_ThrowsListingTheKnownOnes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ClassifierFactory.Create(Train, new ClassifierFactoryOptions { Backbone = "bert-huge" }));

        StringAssert.Contains(e.Message, "bert-huge");
        StringAssert.Contains(e.Message, "bag, bert-tiny, bert-mini, bert-small");
    }

    [TestMethod]
    public void FromPretrained_SavedClassifierWithTheSameLabels_KeepsItsHead()
    {
        string saved = SaveTrainedBag();
        using var reference = TextClassifier.Load(saved);

        using var continued = ClassifierFactory.FromPretrained(saved, Train, new ClassifierFactoryOptions { Backbone = "bag" });

        CollectionAssert.AreEqual(reference.Predict(Train[0].Text).Scores.ToArray(), continued.Predict(Train[0].Text).Scores.ToArray());
    }

    [TestMethod]
    public void FromPretrained_SavedBagWithOtherLabels_CopiesTheBackboneUnderAFreshHead()
    {
        string saved = SaveTrainedBag();
        using var reference = TextClassifier.Load(saved);
        var twoTopics = TextDataset.FromExamples(Train.Where(e => e.Label is "sports" or "space"));

        using var continued = ClassifierFactory.FromPretrained(saved, twoTopics);

        CollectionAssert.AreEqual(new[] { "space", "sports" }, continued.Labels.ToArray());
        var expected = ((BagOfNgrams)reference.Backbone).parameters().Single().data<float>().ToArray();
        var actual = ((BagOfNgrams)continued.Backbone).parameters().Single().data<float>().ToArray();
        CollectionAssert.AreEqual(expected, actual);
    }

    [TestMethod]
    public void FromPretrained_PretrainedEncoder_LoadsItsWeightsAndVocabulary()
    {
        LanguageModelPretraining.Run(Train.Select(e => e.Text).ToList(), directory, new LanguageModelPretrainingOptions { Backbone = "bert-tiny", VocabularySize = 120, MaxLength = 24, BatchSize = 8, Steps = 2 });
        using var encoder = ModelDirectory.LoadEncoder(directory);

        using var model = ClassifierFactory.FromPretrained(directory, Train, new ClassifierFactoryOptions { MaxLength = 64 });

        Assert.AreEqual("bert-tiny", ClassifierFactory.BackboneOf(directory));
        Assert.AreEqual(24, model.MaxLength, "the length is capped at the checkpoint's positions");
        CollectionAssert.AreEqual(encoder.WordEmbeddings.data<float>().ToArray(), ((BertBackbone)model.Backbone).WordEmbeddings.data<float>().ToArray());
        CollectionAssert.AreEqual(File.ReadAllLines(Path.Combine(directory, "vocab.txt")), ((WordPieceTokenizer)model.Tokenizer).Vocabulary.ToArray());
    }

    [TestMethod]
    public void FromPretrained_CausalLmPretrainedDecoder_ClassifierOverItPoolingTheMeanWithoutBias()
    {
        LanguageModelPretraining.Run(Train.Select(e => e.Text).ToList(), directory, new LanguageModelPretrainingOptions { Backbone = "gpt2-tiny", VocabularySize = 120, MaxLength = 24, BatchSize = 8, Steps = 2 });
        using var decoder = ModelDirectory.LoadDecoder(directory);

        using var model = ClassifierFactory.FromPretrained(directory, Train, new ClassifierFactoryOptions { Backbone = "gpt2-tiny", MaxLength = 64 });

        Assert.AreEqual("gpt2-tiny", ClassifierFactory.BackboneOf(directory));
        Assert.AreEqual(24, model.MaxLength, "the length is capped at the checkpoint's n_positions");
        CollectionAssert.AreEqual(decoder.TokenEmbeddings.data<float>().ToArray(), ((CausalDecoder)model.Backbone).TokenEmbeddings.data<float>().ToArray());
        var head = (SingleLabelHead)model.Head;
        Assert.AreEqual(PoolingMode.Mean, head.Options.Pooling, "measured better than the last token after short pretraining");
        Assert.IsFalse(head.named_parameters().Any(p => p.name.EndsWith("bias", StringComparison.Ordinal)), "GPT-2's score has no bias");
        var e = Assert.ThrowsExactly<ArgumentException>(() => ClassifierFactory.FromPretrained(directory, Train, new ClassifierFactoryOptions { Backbone = "bert-tiny" }));
        StringAssert.Contains(e.Message, "gpt2-tiny model");
    }

    [TestMethod]
    public void FromPretrained_ConflictingBackbone_ThrowsNamingBoth()
    {
        using (var model = ClassifierFactory.Create(Train, new ClassifierFactoryOptions { BagBuckets = 64, BagDimension = 4 }))
            model.Save(directory);

        var e = Assert.ThrowsExactly<ArgumentException>(() => ClassifierFactory.FromPretrained(directory, Train, new ClassifierFactoryOptions { Backbone = "bert-mini" }));

        StringAssert.Contains(e.Message, "'bert-mini' conflicts");
        StringAssert.Contains(e.Message, "bag model");
    }

    [TestMethod]
    public void SaveLoad_MultiLabelAndRegressionHeads_KeepTheirKind()
    {
        foreach (var kind in new[] { TaskKind.MultiLabel, TaskKind.Regression })
        {
            string saved = Path.Combine(directory, kind.ToString());
            using (var model = ClassifierFactory.Create(Train, new ClassifierFactoryOptions { BagBuckets = 64, BagDimension = 4, Head = kind }))
                model.Save(saved);

            using var loaded = TextClassifier.Load(saved);

            Assert.AreEqual(kind, loaded.Head.Kind);
        }
    }

    [TestMethod]
    public void Recommended_PretrainedTransformer_GentlerThanScratchAndBag()
    {
        var bag = TrainerOptions.Recommended("bag", pretrained: false);
        var scratch = TrainerOptions.Recommended("bert-mini", pretrained: false);
        var pretrained = TrainerOptions.Recommended("bert-mini", pretrained: true);

        Assert.IsGreaterThan(scratch.LearningRate, bag.LearningRate);
        Assert.IsGreaterThan(pretrained.LearningRate, scratch.LearningRate);
        Assert.ThrowsExactly<ArgumentException>(() => TrainerOptions.Recommended("lstm", pretrained: false));
    }

    [TestMethod]
    [DataRow(100, 300)]
    [DataRow(2_999, 11)]
    [DataRow(3_000, 10)]
    [DataRow(50_000, 10)]
    public void Recommended_BagOnAFewExamples_EnoughEpochsToSeeTheMinimum(int examples, int epochs)
    {
        var options = TrainerOptions.Recommended("bag", pretrained: false, examples);

        Assert.AreEqual(epochs, options.Epochs);
        Assert.AreEqual(TrainerOptions.Recommended("bag", pretrained: false).LearningRate, options.LearningRate, "only the epochs depend on the size");
    }

    [TestMethod]
    [DataRow("bert-mini", true, 100, 30)]
    [DataRow("bert-mini", true, 499, 7)]
    [DataRow("bert-mini", true, 500, 6)]
    [DataRow("bert-mini", false, 100, 30)]
    [DataRow("bert-mini", false, 300, 10)]
    [DataRow("gpt2-mini", false, 90, 34)]
    [DataRow("bert", true, 20_000, 6)]
    public void Recommended_TransformerOnAFewExamples_EnoughEpochsToSeeTheMinimum(string backbone, bool pretrained, int examples, int epochs)
    {
        var options = TrainerOptions.Recommended(backbone, pretrained, examples);

        Assert.AreEqual(epochs, options.Epochs);
        Assert.AreEqual(TrainerOptions.Recommended(backbone, pretrained).LearningRate, options.LearningRate, "only the epochs depend on the size");
    }

    [TestMethod]
    public void Recommended_NoExamples_ThrowsNamingThem()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TrainerOptions.Recommended("bag", pretrained: false, 0));

        Assert.AreEqual("trainingExamples", e.ParamName);
    }
}
