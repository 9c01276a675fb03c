using System.Diagnostics;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Onnx;
using LlmFineTune.Serving;
using LlmFineTune.Tests.Data;
using LlmFineTune.Tokenization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace LlmFineTune.Tests.Serving;

/// <summary>Hot reload of an ONNX export served by <c>AddOnnxTextClassifier</c>: the same guarantees as <c>AddTextClassifier</c>'s.</summary>
[TestClass]
public sealed class OnnxHotReloadTests
{
    private static TempFolder folder = null!;
    private static string oldExport = "";
    private static string newExport = "";
    private static string[] texts = [];

    [ClassInitialize]
    public static void ExportModels(TestContext context)
    {
        folder = new TempFolder();
        oldExport = Export("old-");
        newExport = Export("new-");
        texts = TestData.Topical(perClass: 4, seed: 9).Select(e => e.Text).ToArray();
    }

    [ClassCleanup]
    public static void DeleteModels() => folder.Dispose();

    /// <summary>Exports an untrained model whose labels start with <paramref name="prefix"/>, to tell its answers apart.</summary>
    private static string Export(string prefix)
    {
        torch.manual_seed(5);
        string directory = Path.Combine(folder.Path, prefix + "export");
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 512 });
        using var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 4), new SingleLabelHead(4, 2), new LabelMap([prefix + "a", prefix + "b"]), maxLength: 32);
        model.ExportOnnx(directory);
        return directory;
    }

    /// <summary>Copies an export to <paramref name="name"/> in the test folder, as a save beside the served directory would write it.</summary>
    private static string CopyOf(string export, string name)
    {
        string copy = Path.Combine(folder.Path, name);
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(export))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    /// <summary>What an atomic directory save does: the new directory is renamed into the served one's place.</summary>
    private static void SwapIn(string served, string export)
    {
        string staged = CopyOf(export, Path.GetFileName(served) + ".staged");
        Directory.Move(served, served + ".old-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.Move(staged, served);
    }

    private static ServiceProvider Serve(string name, string directory) =>
        new ServiceCollection().AddOnnxTextClassifier(name, directory, new OnnxTextClassifierOptions
        {
            IntraOpThreads = 1,
            ReloadOnChange = true,
            ReloadInterval = TimeSpan.FromMilliseconds(50),
        }).BuildServiceProvider();

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task AddOnnxTextClassifier_ReloadOnChange_ExportSwappedUnderLoad_ServesTheNewModelAndDropsNoRequest()
    {
        string served = CopyOf(oldExport, "reloaded");
        await using var provider = Serve("live", served);
        var service = provider.GetRequiredKeyedService<TextClassificationService>("live");
        var first = service.Model;
        StringAssert.StartsWith((await service.ClassifyAsync(texts[0])).Label, "old-");
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var labels = new List<string>();
            for (int i = 0; i < 5000 && !stop.IsCancellationRequested; i++)
                labels.Add((await service.ClassifyAsync(texts[(i + c) % texts.Length])).Label);
            return labels;
        })).ToArray();

        SwapIn(served, newExport);
        var clock = Stopwatch.StartNew();
        while (!(await service.ClassifyAsync(texts[0])).Label.StartsWith("new-", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(20);
        stop.Cancel();
        // a request that failed during the swap would throw here
        var answered = (await Task.WhenAll(callers)).SelectMany(l => l).ToList();

        StringAssert.StartsWith((await service.ClassifyAsync(texts[0])).Label, "new-", "the new export was not served within 20 s");
        Assert.IsNotEmpty(answered);
        Assert.IsTrue(answered.All(l => l.StartsWith("new-", StringComparison.Ordinal) || l.StartsWith("old-", StringComparison.Ordinal)), string.Join(", ", answered.Distinct()));
        Assert.ThrowsExactly<ObjectDisposedException>(() => first.Predict("x"), "the retired model is disposed");
        // the service owns the models it swaps, so no fixed OnnxTextClassifier is registered beside it
        Assert.IsNull(provider.GetKeyedService<OnnxTextClassifier>("live"));
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task AddOnnxTextClassifier_ReloadOnChange_CorruptExport_KeepsServingTheOldOneAndReportsDegradedUntilAGoodOne()
    {
        string served = CopyOf(oldExport, "broken-reload");
        await using var provider = Serve("keep", served);
        var service = provider.GetRequiredKeyedService<TextClassificationService>("keep");
        var check = TextClassifierHealthCheck.Registration("keep");
        var health = check.Factory(provider);
        var context = new HealthCheckContext { Registration = check };
        Assert.AreEqual(HealthStatus.Healthy, (await health.CheckHealthAsync(context)).Status);

        // a half-written graph: ONNX Runtime cannot load it
        File.WriteAllBytes(Path.Combine(served, "model.onnx"), [1, 2, 3, 4, 5]);
        var clock = Stopwatch.StartNew();
        HealthCheckResult result;
        while ((result = await health.CheckHealthAsync(context)).Status == HealthStatus.Healthy && clock.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(20);

        Assert.AreEqual(HealthStatus.Degraded, result.Status);
        StringAssert.StartsWith(result.Description, $"Text classifier 'keep' serves its previous model: reloading {served} failed: {Path.Combine(served, "model.onnx")}: ONNX Runtime cannot load the model");
        StringAssert.StartsWith((await service.ClassifyAsync(texts[0])).Label, "old-");

        SwapIn(served, newExport);
        clock.Restart();
        while ((result = await health.CheckHealthAsync(context)).Status == HealthStatus.Degraded && clock.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(20);
        Assert.AreEqual(HealthStatus.Healthy, result.Status, result.Description);
        StringAssert.StartsWith((await service.ClassifyAsync(texts[0])).Label, "new-");
    }

    [TestMethod]
    [Timeout(30_000, CooperativeCancellation = true)]
    public async Task Watch_ReloadDuringAForwardPass_InFlightFinishOnTheOldOnnxModelWhichIsThenDisposed()
    {
        string served = CopyOf(oldExport, "in-flight");
        var options = new OnnxTextClassifierOptions { IntraOpThreads = 1, ReloadInterval = TimeSpan.FromHours(1) };
        var gate = new GatedTokenizer(new HashingTokenizer());
        var oldModel = OnnxTextClassifier.Load(served, options);
        // the service owns its models: it disposes the old one once retired
        await using var service = new TextClassificationService(new HeldClassifier(oldModel, gate), new MicroBatchingOptions { MaxBatchSize = 1 }, ownsModel: true);
        // an hour between polls: only the explicit CheckOnce below reloads
        using var watcher = OnnxServiceCollectionExtensions.Watch(service, served, options, NullLogger.Instance);
        var inFlight = service.ClassifyAsync(GatedTokenizer.Hold);
        gate.WaitUntilHeld();
        var queued = service.ClassifyAsync("queued");

        SwapIn(served, newExport);
        Assert.IsTrue(watcher.CheckOnce());

        StringAssert.StartsWith(service.Model.Labels[0], "new-");
        StringAssert.StartsWith(oldModel.Predict("still loaded").Label, "old-", "the old model is not disposed while a pass runs on it");
        gate.Release();
        StringAssert.StartsWith((await inFlight).Label, "old-");
        StringAssert.StartsWith((await queued).Label, "new-");
        Assert.ThrowsExactly<ObjectDisposedException>(() => oldModel.Predict("x"));
    }

    /// <summary>An ONNX model whose forward pass waits on <see cref="GatedTokenizer"/>'s gate when a text is "hold".</summary>
    private sealed class HeldClassifier(OnnxTextClassifier inner, GatedTokenizer gate) : ITextClassifier, IDisposable
    {
        public LabelMap Labels => inner.Labels;

        public TaskKind Task => inner.Task;

        public Prediction Predict(string text) => PredictBatch([text])[0];

        public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts)
        {
            foreach (string text in texts) gate.Encode(text);
            return inner.PredictBatch(texts);
        }

        public MultiLabelPrediction PredictLabels(string text) => inner.PredictLabels(text);

        public IReadOnlyList<MultiLabelPrediction> PredictLabelsBatch(IReadOnlyList<string> texts) => inner.PredictLabelsBatch(texts);

        public float PredictValue(string text) => inner.PredictValue(text);

        public IReadOnlyList<float> PredictValues(IReadOnlyList<string> texts) => inner.PredictValues(texts);

        public void Dispose() => inner.Dispose();
    }
}
