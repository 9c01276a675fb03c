using LlmFineTune.Data;
using LlmFineTune.Modeling;
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
        using var model = ReloadDrill.LabelledModel(prefix);
        model.ExportOnnx(directory);
        return directory;
    }

    private static string CopyOf(string export, string name) => ReloadDrill.CopyDirectory(export, Path.Combine(folder.Path, name));

    /// <summary>Stages a copy of <paramref name="export"/> beside the served directory and renames it into place.</summary>
    private static void SwapIn(string served, string export) => ReloadDrill.SwapIn(served, CopyOf(export, Path.GetFileName(served) + ".staged"));

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

        // a request that failed across the swap would throw here
        var answered = await ReloadDrill.ClassifyAcrossSwap(service, texts, () => SwapIn(served, newExport), "new-");

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
        Assert.AreEqual(HealthStatus.Healthy, (await check.Factory(provider).CheckHealthAsync(new HealthCheckContext { Registration = check })).Status);

        // a half-written graph: ONNX Runtime cannot load it
        File.WriteAllBytes(Path.Combine(served, "model.onnx"), [1, 2, 3, 4, 5]);
        var result = await ReloadDrill.WaitForHealthOtherThan(HealthStatus.Healthy, check, provider);

        Assert.AreEqual(HealthStatus.Degraded, result.Status);
        StringAssert.StartsWith(result.Description, $"Text classifier 'keep' serves its previous model: reloading {served} failed: {Path.Combine(served, "model.onnx")}: ONNX Runtime cannot load the model");
        StringAssert.StartsWith((await service.ClassifyAsync(texts[0])).Label, "old-");

        SwapIn(served, newExport);
        result = await ReloadDrill.WaitForHealthOtherThan(HealthStatus.Degraded, check, provider);
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

    [TestMethod]
    public void AddOnnxTextClassifier_ZeroReloadInterval_ThrowsAtRegistrationNamingTheOption()
    {
        var options = new OnnxTextClassifierOptions { ReloadOnChange = true, ReloadInterval = TimeSpan.Zero };

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ServiceCollection().AddOnnxTextClassifier("spam", oldExport, options));

        Assert.AreEqual(nameof(options.ReloadInterval), e.ParamName);
        StringAssert.StartsWith(e.Message, "ReloadInterval must be between 10 ms and 1 hour.");
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
