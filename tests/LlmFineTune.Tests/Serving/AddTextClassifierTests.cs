using System.Collections.Concurrent;
using LlmFineTune.DependencyInjection;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Serving;
using LlmFineTune.Tests.Data;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace LlmFineTune.Tests.Serving;

[TestClass]
public sealed class AddTextClassifierTests
{
    private static TempFolder folder = null!;
    private static string modelPath = "";
    private static string[] texts = [];
    private static readonly HashSet<string> TopicLabels = ["sports", "finance", "space", "cooking"];

    [ClassInitialize]
    public static void SaveModel(TestContext context)
    {
        torch.manual_seed(3);
        folder = new TempFolder();
        modelPath = Path.Combine(folder.Path, "topics");
        var train = TestData.Topical(perClass: 20, seed: 4);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 2048 });
        using var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 16), new SingleLabelHead(16, train.LabelMap.Count), train.LabelMap, maxLength: 64);
        new Trainer(new TrainerOptions { Epochs = 3, LearningRate = 0.05 }).Train(model, train);
        model.Save(modelPath);
        texts = TestData.Topical(perClass: 8, seed: 9).Select(e => e.Text).ToArray();
    }

    [ClassCleanup]
    public static void DeleteModel() => folder.Dispose();

    private static (IHost Host, RecordingLoggerProvider Logs) BuildHost(Action<IServiceCollection> register)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var logs = new RecordingLoggerProvider();
        builder.Logging.AddProvider(logs);
        register(builder.Services);
        return (builder.Build(), logs);
    }

    [TestMethod]
    public async Task AddTextClassifier_HostStarts_LoadsOnceAndAnswersConcurrentCallersLikeTheSavedModel()
    {
        var (host, logs) = BuildHost(s => s.AddTextClassifier("topics", o =>
        {
            o.ModelPath = modelPath;
            o.Batching.MaxBatchSize = 8;
        }));
        using var _ = host;
        await host.StartAsync();
        Assert.IsTrue(logs.Messages.Any(m => m.Level == LogLevel.Information && m.Text.Contains($"Text classifier 'topics' loaded from {modelPath} in ")), string.Join("\n", logs.Messages));

        var service = host.Services.GetRequiredKeyedService<TextClassificationService>("topics");
        Assert.AreSame(service, host.Services.GetRequiredKeyedService<TextClassificationService>("topics"));
        using var reference = TextClassifier.Load(modelPath);
        var expected = texts.Select(t => reference.Predict(t)).ToArray();
        var answers = await Task.WhenAll(texts.Select((t, i) => Task.Run(() => service.ClassifyAsync(t))));

        for (int i = 0; i < texts.Length; i++)
        {
            Assert.AreEqual(expected[i].Label, answers[i].Label, texts[i]);
            Assert.AreEqual(expected[i].Score, answers[i].Score, 1e-5f, texts[i]);
        }
        Assert.IsLessThanOrEqualTo(8, service.LargestBatch);
        Assert.AreEqual(texts.Length, service.RequestsScored);
        await host.StopAsync();
    }

    [TestMethod]
    public void AddTextClassifier_MissingDirectory_FailsStartNamingThePath()
    {
        string missing = Path.Combine(folder.Path, "nowhere");
        var (host, _) = BuildHost(s => s.AddTextClassifier("spam", o => o.ModelPath = missing));
        using var _ = host;

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => host.StartAsync().GetAwaiter().GetResult());
        StringAssert.Contains(e.Message, $"Property ModelPath: text classifier 'spam': the model directory {missing} does not exist.");
    }

    [TestMethod]
    public void AddTextClassifier_DirectoryWithoutWeights_FailsStartNamingTheMissingFile()
    {
        string partial = folder.Write("partial/config.json", "{}");
        string directory = Path.GetDirectoryName(partial)!;
        var (host, _) = BuildHost(s => s.AddTextClassifier("spam", o => o.ModelPath = directory));
        using var _ = host;

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => host.StartAsync().GetAwaiter().GetResult());
        StringAssert.Contains(e.Message, $"{directory} has no model.safetensors; is it a model directory saved by TextClassifier.Save?");
    }

    [TestMethod]
    public void AddTextClassifier_CorruptConfig_FailsStartAndLogsTheProblem()
    {
        string corrupt = Path.Combine(folder.Path, "corrupt");
        Directory.CreateDirectory(corrupt);
        foreach (string file in Directory.GetFiles(modelPath))
            File.Copy(file, Path.Combine(corrupt, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(corrupt, "config.json"), "{ \"llmfinetune\": ");
        var (host, logs) = BuildHost(s => s.AddTextClassifier("spam", o => o.ModelPath = corrupt));
        using var _ = host;

        var e = Assert.ThrowsExactly<InvalidDataException>(() => host.StartAsync().GetAwaiter().GetResult());
        StringAssert.StartsWith(e.Message, $"Text classifier 'spam' could not be loaded from {corrupt}: {Path.Combine(corrupt, "config.json")}: invalid JSON");
        Assert.IsTrue(logs.Messages.Any(m => m.Level == LogLevel.Error && m.Text.Contains($"Text classifier 'spam' could not be loaded from {corrupt}")));
    }

    [TestMethod]
    public void AddTextClassifier_BadBatchingFromConfiguration_FailsStartNamingTheOption()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelPath"] = modelPath,
            ["Batching:MaxBatchSize"] = "0",
        }).Build();
        var (host, _) = BuildHost(s => s.AddTextClassifier("spam", configuration));
        using var _ = host;

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => host.StartAsync().GetAwaiter().GetResult());
        StringAssert.Contains(e.Message, "text classifier 'spam': Property Batching.MaxBatchSize: must be between 1 and 4096 (was");
    }

    [TestMethod]
    public void AddTextClassifier_SameNameTwiceAndASecondName_LoadsEachOnce()
    {
        var (host, logs) = BuildHost(s => s
            .AddTextClassifier("a", o => o.ModelPath = modelPath)
            .AddTextClassifier("a", o => o.Batching.MaxDelay = TimeSpan.Zero)
            .AddTextClassifier("b", o => o.ModelPath = modelPath));
        using var _ = host;

        host.StartAsync().GetAwaiter().GetResult();

        Assert.AreEqual(1, logs.Messages.Count(m => m.Text.Contains("Text classifier 'a' loaded")));
        Assert.AreEqual(1, logs.Messages.Count(m => m.Text.Contains("Text classifier 'b' loaded")));
        Assert.AreEqual(TimeSpan.Zero, host.Services.GetRequiredService<IOptionsMonitor<TextClassifierOptions>>().Get("a").Batching.MaxDelay);
        Assert.AreNotSame(host.Services.GetRequiredKeyedService<TextClassificationService>("a"), host.Services.GetRequiredKeyedService<TextClassificationService>("b"));
    }

    private static string CopyOfModel(string name) => ReloadDrill.CopyDirectory(modelPath, Path.Combine(folder.Path, name));

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task AddTextClassifier_ReloadOnChange_DirectorySwappedUnderLoad_ServesTheNewModelAndDropsNoRequest()
    {
        string served = CopyOfModel("reloaded");
        var (host, logs) = BuildHost(s => s.AddTextClassifier("live", o =>
        {
            o.ModelPath = served;
            o.ReloadOnChange = true;
            o.ReloadInterval = TimeSpan.FromMilliseconds(50);
        }));
        using var _ = host;
        await host.StartAsync();
        var service = host.Services.GetRequiredKeyedService<TextClassificationService>("live");
        var first = service.Model;
        using (var other = ReloadDrill.LabelledModel("new-"))
            other.Save(served + ".staged");

        var answered = await ReloadDrill.ClassifyAcrossSwap(service, texts, () => ReloadDrill.SwapIn(served, served + ".staged"), "new-");

        Assert.StartsWith("new-", (await service.ClassifyAsync(texts[0])).Label, "the new model was not served within 20 s");
        Assert.IsTrue(answered.All(l => l.StartsWith("new-", StringComparison.Ordinal) || TopicLabels.Contains(l)), string.Join(", ", answered.Distinct()));
        Assert.ThrowsExactly<ObjectDisposedException>(() => first.Predict("x"), "the retired model is disposed");
        Assert.IsTrue(logs.Messages.Any(m => m.Text == $"Text classifier 'live' reloaded its model from {served}."), string.Join("\n", logs.Messages));
        await host.StopAsync();
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task AddTextClassifier_ReloadOnChange_BrokenNewModel_KeepsServingTheOldOneAndReportsDegraded()
    {
        string served = CopyOfModel("broken-reload");
        var (host, logs) = BuildHost(s => s.AddTextClassifier("keep", o =>
        {
            o.ModelPath = served;
            o.ReloadOnChange = true;
            o.ReloadInterval = TimeSpan.FromMilliseconds(50);
        }));
        using var _ = host;
        await host.StartAsync();
        var service = host.Services.GetRequiredKeyedService<TextClassificationService>("keep");

        File.WriteAllText(Path.Combine(served, "config.json"), "{ \"llmfinetune\": ");
        var result = await ReloadDrill.WaitForHealthOtherThan(HealthStatus.Healthy, TextClassifierHealthCheck.Registration("keep"), host.Services);

        Assert.AreEqual(HealthStatus.Degraded, result.Status);
        StringAssert.StartsWith(result.Description, $"Text classifier 'keep' serves its previous model: reloading {served} failed: ");
        Assert.IsTrue(TopicLabels.Contains((await service.ClassifyAsync(texts[0])).Label));
        Assert.IsTrue(logs.Messages.Any(m => m.Level == LogLevel.Error && m.Text.Contains("could not be loaded; still serving the previous model")));
        await host.StopAsync();
    }

    [TestMethod]
    public void AddTextClassifier_ZeroReloadInterval_FailsStartNamingTheOption()
    {
        var (host, _) = BuildHost(s => s.AddTextClassifier("spam", o =>
        {
            o.ModelPath = modelPath;
            o.ReloadInterval = TimeSpan.Zero;
        }));
        using var _ = host;

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => host.StartAsync().GetAwaiter().GetResult());
        StringAssert.Contains(e.Message, "Property ReloadInterval: text classifier 'spam': must be between 10 ms and 1 hour");
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Recorder(Messages);

        public void Dispose()
        {
        }

        private sealed class Recorder(ConcurrentQueue<(LogLevel, string)> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
