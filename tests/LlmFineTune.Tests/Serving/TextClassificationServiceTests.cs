using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Serving;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using LlmFineTune.Tests.Training;
using Microsoft.Extensions.Options;
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
    [Timeout(30_000, CooperativeCancellation = true)]
    public async Task ClassifyAsync_RequestsQueuedDuringAPass_ShareTheNextPasses()
    {
        var (gated, gate) = GatedModel();
        await using var service = new TextClassificationService(gated, new MicroBatchingOptions { MaxBatchSize = 32, MaxDelay = TimeSpan.Zero }, ownsModel: true);
        var held = service.ClassifyAsync(GatedTokenizer.Hold);
        gate.WaitUntilHeld();
        var queued = Enumerable.Range(0, 64).Select(i => service.ClassifyAsync($"text {i}")).ToArray();

        gate.Release();
        await Task.WhenAll([held, .. queued]);

        // everything queued while the model was busy goes in at once, without any wait
        Assert.AreEqual(3L, service.ForwardPasses);
        Assert.AreEqual(32, service.LargestBatch);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task ClassifyAsync_LoneCaller_IsNotHeldForMaxDelay()
    {
        var maxDelay = TimeSpan.FromSeconds(10);
        await using var service = new TextClassificationService(model, new MicroBatchingOptions { MaxBatchSize = 32, MaxDelay = maxDelay });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (int i = 0; i < 5; i++)
            await service.ClassifyAsync(texts[i]);

        // a batch waits for company only when recent batches were bigger; one caller's never were
        Assert.IsLessThan(maxDelay, clock.Elapsed, "a lone request waited for company that never comes");
        Assert.AreEqual(5L, service.ForwardPasses);
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
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => new TextClassificationService(model, new MicroBatchingOptions { MaxBatchSize = 0 }));
        StringAssert.Contains(e.Message, "Property MaxBatchSize: must be between 1 and");
    }

    /// <summary>An untrained bag model whose serving thread a test can hold inside a forward pass.</summary>
    internal static (TextClassifier Model, GatedTokenizer Gate) GatedModel(params string[] labels)
    {
        torch.manual_seed(5);
        var gate = new GatedTokenizer(new HashingTokenizer(new HashingTokenizerOptions { Buckets = 256 }));
        var labelMap = new LabelMap(labels.Length == 0 ? ["a", "b"] : labels);
        return (new TextClassifier(gate, new BagOfNgrams(gate.VocabularySize, 4), new SingleLabelHead(4, labelMap.Count), labelMap, maxLength: 16), gate);
    }

    [TestMethod]
    [Timeout(30_000, CooperativeCancellation = true)]
    public async Task ClassifyAsync_QueueFull_RefusesWithOverloadedAndServesTheQueuedOnes()
    {
        var (gated, gate) = GatedModel();
        await using var service = new TextClassificationService(gated, new MicroBatchingOptions { MaxBatchSize = 1, MaxDelay = TimeSpan.Zero, QueueCapacity = 2 }, ownsModel: true, name: "full");
        var held = service.ClassifyAsync(GatedTokenizer.Hold);
        gate.WaitUntilHeld();
        var queued = new[] { service.ClassifyAsync("one"), service.ClassifyAsync("two") };

        var e = Assert.ThrowsExactly<ClassifierOverloadedException>(() => service.ClassifyAsync("three"));

        Assert.AreEqual("Text classifier 'full' is overloaded: 2 requests are already waiting (MicroBatchingOptions.QueueCapacity). Retry later, or raise QueueCapacity or MaxBatchSize.", e.Message);
        Assert.AreEqual(2, service.QueueDepth);
        gate.Release();
        await held;
        await Task.WhenAll(queued);
        Assert.AreEqual(3L, service.RequestsScored);
        Assert.AreEqual(0, service.QueueDepth);
    }

    [TestMethod]
    [Timeout(30_000, CooperativeCancellation = true)]
    public async Task ClassifyAsync_CancelledWhileQueued_LeavesTheQueueAndOthersAreAnswered()
    {
        var (gated, gate) = GatedModel();
        await using var service = new TextClassificationService(gated, new MicroBatchingOptions { MaxBatchSize = 4, MaxDelay = TimeSpan.Zero, QueueCapacity = 2 }, ownsModel: true);
        var held = service.ClassifyAsync(GatedTokenizer.Hold);
        gate.WaitUntilHeld();
        using var cancel = new CancellationTokenSource();
        var abandoned = service.ClassifyAsync("abandoned", cancel.Token);
        var kept = service.ClassifyAsync("kept");

        cancel.Cancel();

        var e = await Assert.ThrowsAsync<OperationCanceledException>(() => abandoned);
        Assert.AreEqual(cancel.Token, e.CancellationToken);
        Assert.AreEqual(1, service.QueueDepth, "the cancelled request must free its place at once");
        var refilled = service.ClassifyAsync("refilled"); // its place is free again
        gate.Release();
        await Task.WhenAll(held, kept, refilled);
        Assert.AreEqual(3L, service.RequestsScored, "the cancelled text must not be scored");
    }

    [TestMethod]
    [Timeout(30_000, CooperativeCancellation = true)]
    public async Task ClassifyAsync_NoAnswerWithinRequestTimeout_FailsWithTimeoutAndLeavesTheQueue()
    {
        var (gated, gate) = GatedModel();
        await using var service = new TextClassificationService(gated, new MicroBatchingOptions { MaxBatchSize = 1, RequestTimeout = TimeSpan.FromMilliseconds(100) }, ownsModel: true, name: "slow");
        var held = service.ClassifyAsync(GatedTokenizer.Hold);
        gate.WaitUntilHeld();
        var waiting = service.ClassifyAsync("waiting");

        var e = await Assert.ThrowsAsync<TimeoutException>(() => waiting);

        StringAssert.StartsWith(e.Message, "Text classifier 'slow' did not answer within 00:00:00.1000000 (MicroBatchingOptions.RequestTimeout)");
        Assert.AreEqual(0, service.QueueDepth);
        await Assert.ThrowsAsync<TimeoutException>(() => held); // held past its own timeout too
        gate.Release();
    }

    [TestMethod]
    public void Constructor_ZeroQueueCapacity_ThrowsNamingTheOption()
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => new TextClassificationService(model, new MicroBatchingOptions { QueueCapacity = 0 }));
        StringAssert.Contains(e.Message, "Property QueueCapacity: must be between 1 and");
    }

    [TestMethod]
    public async Task ClassifyLabelsAsync_MultiLabelModel_AnswersInTheMultiLabelShape()
    {
        var data = TinyModels.MultiLabel(count: 60, seed: 2);
        using var multi = TinyModels.Create(data);
        new Trainer(new TrainerOptions { Epochs = 3, LearningRate = 0.1 }).Train(multi, data);
        var inputs = data.Take(12).Select(e => e.Text).ToArray();
        var expected = multi.PredictLabelsBatch(inputs);
        await using var service = new TextClassificationService(multi);

        var answers = await Task.WhenAll(inputs.Select(t => service.ClassifyLabelsAsync(t)));

        Assert.AreEqual(TaskKind.MultiLabel, service.Kind);
        for (int i = 0; i < inputs.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i].Labels.ToList(), answers[i].Labels.ToList(), inputs[i]);
            foreach (var (label, score) in expected[i].Scores)
                Assert.AreEqual(score, answers[i].Scores[label], 1e-6f);
        }
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => service.ClassifyAsync("stock market"));
        Assert.AreEqual("Text classifier 'default' serves a MultiLabel model; use ClassifyLabelsAsync instead.", e.Message);
    }

    [TestMethod]
    public async Task PredictValueAsync_RegressionModel_AnswersWithTheValue()
    {
        var data = TinyModels.Regression(count: 30, seed: 2);
        using var regression = TinyModels.Create(data);
        var inputs = data.Take(6).Select(e => e.Text).ToArray();
        var expected = regression.PredictValues(inputs);
        await using var service = new TextClassificationService(regression);

        var answers = await Task.WhenAll(inputs.Select(t => service.PredictValueAsync(t)));

        CollectionAssert.AreEqual(expected.Select(v => new RegressionPrediction(v)).ToList(), answers);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => service.ClassifyLabelsAsync("x"));
        StringAssert.EndsWith(e.Message, "serves a Regression model; use PredictValueAsync instead.");
    }

    [TestMethod]
    [Timeout(30_000, CooperativeCancellation = true)]
    public async Task ReplaceModel_DuringAForwardPass_InFlightFinishOnTheOldModelWhichIsThenDisposed()
    {
        var (old, gate) = GatedModel("old-a", "old-b");
        var (next, _) = GatedModel("new-a", "new-b");
        await using var service = new TextClassificationService(old, new MicroBatchingOptions { MaxBatchSize = 1 }, ownsModel: true);
        var inFlight = service.ClassifyAsync(GatedTokenizer.Hold);
        gate.WaitUntilHeld();
        var queued = service.ClassifyAsync("queued");

        service.ReplaceModel(next);

        Assert.AreSame(next, service.Model);
        gate.Release();
        StringAssert.StartsWith((await inFlight).Label, "old-");
        StringAssert.StartsWith((await queued).Label, "new-");
        StringAssert.StartsWith((await service.ClassifyAsync("later")).Label, "new-");
        Assert.ThrowsExactly<ObjectDisposedException>(() => old.Predict("x"));
    }
}
