using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Serving;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using TorchSharp;

namespace LlmFineTune.Tests.Serving;

[TestClass]
public sealed class TextClassificationServiceTests
{
    private static TextClassifier model = null!;
    private static string[] texts = [];

    [ClassInitialize]
    public static void TrainModel(TestContext context)
    {
        torch.manual_seed(11);
        var train = TestData.Topical(perClass: 30, seed: 4);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 4096 });
        model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 16), new SingleLabelHead(16, train.LabelMap.Count), train.LabelMap, maxLength: 64);
        new Trainer(new TrainerOptions { Epochs = 4, LearningRate = 0.05 }).Train(model, train);
        texts = TestData.Topical(perClass: 16, seed: 9).Select(e => e.Text).ToArray();
    }

    [ClassCleanup]
    public static void DisposeModel() => model.Dispose();

    [TestMethod]
    public async Task ClassifyAsync_SixteenConcurrentCallers_MatchSequentialAnswers()
    {
        var expected = texts.Select(t => model.Predict(t)).ToArray();
        await using var service = new TextClassificationService(model, new MicroBatchingOptions { MaxBatchSize = 16, MaxDelay = TimeSpan.FromMilliseconds(5) });

        var callers = Enumerable.Range(0, 16).Select(c => Task.Run(async () =>
        {
            var answers = new List<(int Index, Prediction Prediction)>();
            for (int round = 0; round < 4; round++)
                for (int i = c; i < texts.Length; i += 16)
                    answers.Add((i, await service.ClassifyAsync(texts[i])));
            return answers;
        })).ToArray();
        var all = (await Task.WhenAll(callers)).SelectMany(a => a).ToList();

        Assert.HasCount(texts.Length * 4, all);
        foreach (var (index, prediction) in all)
        {
            Assert.AreEqual(expected[index].Label, prediction.Label, texts[index]);
            Assert.AreEqual(expected[index].Score, prediction.Score, 1e-5f, texts[index]);
        }
    }

    [TestMethod]
    public async Task ClassifyAsync_BurstOfRequests_SharesForwardPasses()
    {
        await using var service = new TextClassificationService(model, new MicroBatchingOptions { MaxBatchSize = 32, MaxDelay = TimeSpan.FromMilliseconds(200) });

        var pending = texts.Select(t => service.ClassifyAsync(t)).ToArray();
        await Task.WhenAll(pending);

        Assert.IsLessThanOrEqualTo(8L, service.ForwardPasses, $"{texts.Length} requests took {service.ForwardPasses} passes");
    }

    [TestMethod]
    public async Task ClassifyAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var service = new TextClassificationService(model);
        await service.DisposeAsync();

        Assert.ThrowsExactly<ObjectDisposedException>(() => service.ClassifyAsync("anything"));
    }

    [TestMethod]
    public void Constructor_ZeroBatchSize_ThrowsNamingTheOption()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TextClassificationService(model, new MicroBatchingOptions { MaxBatchSize = 0 }));
        Assert.AreEqual("MaxBatchSize", e.ParamName);
    }
}
