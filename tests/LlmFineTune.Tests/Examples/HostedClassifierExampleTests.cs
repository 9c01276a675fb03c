using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Onnx;
using LlmFineTune.Tokenization;
using LlmFineTune.Tests.Data;
using TorchSharp;

namespace LlmFineTune.Tests.Examples;

[TestClass]
public sealed class HostedClassifierExampleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("Slow")]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task HostedClassifier_SixteenConcurrentCallers_GetTheAnswersOfASequentialRun()
    {
        using var folder = new TempFolder();
        string modelPath = Path.Combine(folder.Path, "model");
        // Ten examples per intent keep the example's own training step short.
        string data = Path.Combine(ExampleProcess.OutputFolder("HostedClassifier"), "data", "support-tickets");
        var lines = File.ReadAllLines(Path.Combine(data, "train.tsv"));
        string trainPath = folder.Write("train.tsv", string.Join('\n', lines.GroupBy(l => l.Split('\t')[0]).SelectMany(g => g.Take(10))) + "\n");
        var texts = File.ReadAllLines(Path.Combine(data, "test.tsv")).Select(l => l.Split('\t')[1]).Take(96).ToArray();
        int port = FreeLoopbackPort();

        using var example = ExampleProcess.Start("HostedClassifier", "--model", modelPath, "--train", trainPath, "--epochs", "3", "--port", port.ToString());
        example.WaitForOutput($"Serving {modelPath} on http://127.0.0.1:{port}", TimeSpan.FromSeconds(45));
        StringAssert.Contains(example.Output, $"Text classifier 'tickets' loaded from {modelPath} in ");

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var clock = Stopwatch.StartNew();
        var callers = Enumerable.Range(0, 16).Select(c => Task.Run(async () =>
        {
            var answers = new List<(int Index, Answer Answer)>();
            for (int i = c; i < texts.Length; i += 16)
            {
                using var response = await client.PostAsJsonAsync("/classify", new { text = texts[i] }, TestContext.CancellationToken);
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
                answers.Add((i, (await response.Content.ReadFromJsonAsync<Answer>(TestContext.CancellationToken))!));
            }
            return answers;
        })).ToArray();
        var all = (await Task.WhenAll(callers)).SelectMany(a => a).ToList();
        double seconds = clock.Elapsed.TotalSeconds;
        var stats = await client.GetFromJsonAsync<Stats>("/stats", TestContext.CancellationToken);
        TestContext.WriteLine($"{all.Count} requests from 16 callers in {seconds:F2} s ({all.Count / seconds:F0}/s); {stats}");

        using var sequential = TextClassifier.Load(modelPath);
        Assert.HasCount(texts.Length, all);
        foreach (var (index, answer) in all)
        {
            var expected = sequential.Predict(texts[index]);
            Assert.AreEqual(expected.Label, answer.Label, texts[index]);
            Assert.AreEqual(expected.Score, answer.Score, 1e-5f, texts[index]);
            foreach (var (label, score) in expected.Scores)
                Assert.AreEqual(score, answer.Scores[label], 1e-5f, $"{texts[index]}: {label}");
        }
        Assert.AreEqual(texts.Length, stats!.RequestsScored);
        using var empty = await client.PostAsJsonAsync("/classify", new { text = "" }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [TestMethod]
    [TestCategory("Slow")]
    public void HostedClassifier_CorruptModel_FailsToStartNamingThePath()
    {
        using var folder = new TempFolder();
        string modelPath = Path.Combine(folder.Path, "model");
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 16 });
        using (var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 4), new SingleLabelHead(4, 2), new LabelMap(["a", "b"])))
            model.Save(modelPath);
        string weights = Path.Combine(modelPath, "model.safetensors");
        File.WriteAllText(weights, "not a safetensors file");

        using var example = ExampleProcess.Start("HostedClassifier", "--model", modelPath, "--port", FreeLoopbackPort().ToString());

        Assert.AreEqual(2, example.WaitForExit(TimeSpan.FromSeconds(30)), example.Output);
        StringAssert.Contains(example.Output, $"Text classifier 'tickets' could not be loaded from {modelPath}: {weights}: ");
    }

    [TestMethod]
    [TestCategory("Slow")]
    [Timeout(90_000, CooperativeCancellation = true)]
    public async Task HostedClassifier_BurstsOverATinyQueue_AnswersEither200Or429WithRetryAfter()
    {
        using var folder = new TempFolder();
        string modelPath = Path.Combine(folder.Path, "model");
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 1024 });
        using (var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 8), new SingleLabelHead(8, 2), new LabelMap(["a", "b"])))
            model.Save(modelPath);
        int port = FreeLoopbackPort();
        using var example = ExampleProcess.Start("HostedClassifier", "--model", modelPath, "--port", port.ToString(), "--queue", "1");
        example.WaitForOutput($"Serving {modelPath} on http://127.0.0.1:{port}", TimeSpan.FromSeconds(45));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var health = await client.GetAsync("/health", TestContext.CancellationToken);
        Assert.AreEqual("Healthy", await health.Content.ReadAsStringAsync(TestContext.CancellationToken));

        // bounded: at most 20 bursts of 64 concurrent requests, until one is refused
        var statuses = new List<HttpStatusCode>();
        string? refusal = null;
        for (int burst = 0; burst < 20 && refusal is null; burst++)
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
                client.PostAsJsonAsync("/classify", new { text = $"request {burst} {i} about a parcel" }, TestContext.CancellationToken)));
            foreach (var response in responses)
            {
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && refusal is null)
                {
                    Assert.AreEqual("1", response.Headers.RetryAfter?.ToString());
                    refusal = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
                }
                response.Dispose();
            }
        }

        Assert.IsTrue(statuses.All(s => s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests), string.Join(", ", statuses.Distinct()));
        Assert.IsNotNull(refusal, $"no request out of {statuses.Count} was refused by a queue of 1");
        StringAssert.Contains(refusal, "Text classifier 'tickets' is overloaded: 1 requests are already waiting");
        Assert.Contains(HttpStatusCode.OK, statuses);
    }

    [TestMethod]
    [TestCategory("Slow")]
    [Timeout(90_000, CooperativeCancellation = true)]
    public async Task HostedClassifier_Onnx_ServesTheExportThroughTheSameService()
    {
        using var folder = new TempFolder();
        string modelPath = Path.Combine(folder.Path, "model");
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 1024 });
        torch.manual_seed(3);
        using (var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 8), new SingleLabelHead(8, 3), new LabelMap(["a", "b", "c"])))
            model.Save(modelPath);
        int port = FreeLoopbackPort();
        using var example = ExampleProcess.Start("HostedClassifier", "--model", modelPath, "--port", port.ToString(), "--onnx");
        example.WaitForOutput($"Serving {modelPath} on http://127.0.0.1:{port}", TimeSpan.FromSeconds(45));
        StringAssert.Contains(example.Output, $"Exported {modelPath} to {modelPath}-onnx");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var texts = Enumerable.Range(0, 32).Select(i => $"parcel {i} arrived late and broken, refund {i * 7}").ToArray();

        // bounded: 8 callers, 4 requests each
        var answers = (await Task.WhenAll(Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
        {
            var mine = new List<(int Index, Answer Answer)>();
            for (int i = c; i < texts.Length; i += 8)
            {
                using var response = await client.PostAsJsonAsync("/classify", new { text = texts[i] }, TestContext.CancellationToken);
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
                mine.Add((i, (await response.Content.ReadFromJsonAsync<Answer>(TestContext.CancellationToken))!));
            }
            return mine;
        })))).SelectMany(a => a).ToList();
        var stats = await client.GetFromJsonAsync<Stats>("/stats", TestContext.CancellationToken);
        using var health = await client.GetAsync("/health", TestContext.CancellationToken);

        using var onnx = OnnxTextClassifier.Load(modelPath + "-onnx");
        Assert.HasCount(texts.Length, answers);
        foreach (var (index, answer) in answers)
        {
            var expected = onnx.Predict(texts[index]);
            Assert.AreEqual(expected.Label, answer.Label, texts[index]);
            foreach (var (label, score) in expected.Scores)
                Assert.AreEqual(score, answer.Scores[label], 1e-6f, $"{texts[index]}: {label}");
        }
        Assert.AreEqual(texts.Length, stats!.RequestsScored);
        Assert.AreEqual("Healthy", await health.Content.ReadAsStringAsync(TestContext.CancellationToken));
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Answer(string Label, float Score, Dictionary<string, float> Scores);

    private sealed record Stats(long RequestsScored, long ForwardPasses, int LargestBatch, int QueueDepth);
}
