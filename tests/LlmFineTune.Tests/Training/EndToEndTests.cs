using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using TorchSharp;

namespace LlmFineTune.Tests.Training;

[TestClass]
public sealed class EndToEndTests
{
    [TestInitialize]
    public void Seed() => torch.manual_seed(7);

    [TestMethod]
    public void BagClassifier_LearnableTopics_AccuracyWellAboveChance()
    {
        var train = TestData.Topical(perClass: 40, seed: 1);
        var test = TestData.Topical(perClass: 25, seed: 2);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 4096 });
        using var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 16), new SingleLabelHead(16, train.LabelMap.Count), train.LabelMap, maxLength: 64);
        double chance = 1.0 / train.LabelMap.Count;

        var before = new Evaluator().Evaluate(model, test);
        var result = new Trainer(new TrainerOptions { Epochs = 8, BatchSize = 16, LearningRate = 0.05 }).Train(model, train);
        var after = new Evaluator().Evaluate(model, test);

        Assert.IsLessThan(result.History[0].Loss * 0.5, result.FinalLoss, "loss should at least halve");
        Assert.IsGreaterThan(0.85, after.Accuracy, $"accuracy {after.Accuracy:F3} (chance {chance:F2}, untrained {before.Accuracy:F3})");
        Assert.AreEqual(test.Count, after.Count);
    }

    [TestMethod]
    public void Predict_AfterTraining_ReturnsLabelWithDistribution()
    {
        var train = TestData.Topical(perClass: 30, seed: 3);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 4096 });
        using var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 16), new SingleLabelHead(16, train.LabelMap.Count), train.LabelMap, maxLength: 64);
        new Trainer(new TrainerOptions { Epochs = 8, LearningRate = 0.05 }).Train(model, train);

        var prediction = model.Predict("the telescope saw a comet near the galaxy");

        Assert.AreEqual("space", prediction.Label);
        Assert.AreEqual(1.0, prediction.Scores.Values.Sum(), 1e-4);
        Assert.AreEqual(prediction.Scores.Values.Max(), prediction.Score);
    }
}
