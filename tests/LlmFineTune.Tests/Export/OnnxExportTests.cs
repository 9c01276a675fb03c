using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Onnx;
using LlmFineTune.Serving;
using Microsoft.Extensions.DependencyInjection;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Export;

/// <summary>ONNX export: ONNX Runtime reproduces TorchSharp's scores, and the ONNX checker accepts every file.</summary>
[TestClass]
[DoNotParallelize]
public sealed class OnnxExportTests
{
    private const float Tolerance = 1e-4f;
    private string work = "";

    public TestContext TestContext { get; set; } = null!;

    [TestInitialize]
    public void CreateWorkspace() => work = Directory.CreateTempSubdirectory("llmft-onnx-test-").FullName;

    [TestCleanup]
    public void DeleteWorkspace() => Directory.Delete(work, recursive: true);

    [TestMethod]
    [DataRow("bag")]
    [DataRow("bert-tiny")]
    [DataRow("gpt2-tiny")]
    public void ExportOnnx_EveryHeadAndPooling_OnnxRuntimeScoresEqualTorchSharps(string family)
    {
        var texts = OnnxModels.RealTexts(12);
        // every head on the first variant; after it one head per variant, in turn (the head's graph does not depend on the pooling's)
        var variants = OnnxModels.Variants().Where(v => v.Backbone == family).ToList();
        foreach (var (variantIndex, (backbone, pooling, usePooler, hidden)) in variants.Index())
            foreach (var kind in variantIndex == 0 ? OnnxModels.Heads : [OnnxModels.Heads[variantIndex % OnnxModels.Heads.Length]])
            {
                string variant = $"{backbone} {kind} {pooling}{(usePooler ? "" : " no-pooler")} hidden={hidden}";
                using var model = OnnxModels.Create(backbone, kind, pooling, hidden, usePooler);
                string directory = Path.Combine(work, variant.Replace(' ', '_'));
                model.ExportOnnx(directory);
                using var onnx = OnnxTextClassifier.Load(directory, new OnnxTextClassifierOptions { IntraOpThreads = 1 });

                float batched = AssertSameScores(model, onnx, texts, variant + " batch of 12 (padded)");
                float single = texts.Take(3).Max(t => AssertSameScores(model, onnx, [t], variant + " single"));
                float logits = MaxDifference(TorchLogits(model, texts), onnx.Logits(texts));
                TestContext.WriteLine($"{variant}: max |Δscore| batched {batched:E2}, single {single:E2}; max |Δlogit| {logits:E2}");
                Assert.IsLessThan(Tolerance * 10, logits, variant + " logits");
            }
    }

    [TestMethod]
    public void ExportOnnx_EveryVariant_OnnxCheckerAcceptsTheFile()
    {
        string python = "/usr/bin/python3";
        if (!File.Exists(python) || Run(python, "-c", "import onnx").ExitCode != 0)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
                Assert.Fail("python3-onnx is not installed; .ci/run installs it.");
            Assert.Inconclusive("Debian's python3-onnx is not installed (apt-get install -y python3-onnx).");
        }
        var files = new List<string>();
        foreach (var (backbone, pooling, usePooler, hidden) in OnnxModels.Variants())
            foreach (var kind in OnnxModels.Heads)
            {
                using var model = OnnxModels.Create(backbone, kind, pooling, hidden, usePooler);
                string directory = Path.Combine(work, $"{backbone}-{kind}-{pooling}-{usePooler}-{hidden}");
                model.ExportOnnx(directory);
                files.Add(Path.Combine(directory, "model.onnx"));
            }

        // full_check adds strict shape inference; the script prints what it checked so that a silent no-op cannot pass
        var result = Run(python, ["-c", """
            import sys, onnx
            for path in sys.argv[1:]:
                model = onnx.load(path)
                onnx.checker.check_model(model, full_check=True)
                assert model.opset_import[0].version >= 17
                assert [i.name for i in model.graph.input] == ["input_ids", "attention_mask"]
                assert [o.name for o in model.graph.output] == ["logits"]
                dims = [d.dim_param for d in model.graph.input[0].type.tensor_type.shape.dim]
                assert dims == ["batch", "sequence"], dims
                print("ok", len(model.graph.node), sorted({n.op_type for n in model.graph.node}))
            """, .. files]);
        TestContext.WriteLine(result.Output);
        Assert.AreEqual(0, result.ExitCode, result.Output);
        Assert.AreEqual(files.Count, result.Output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)), result.Output);
    }

    [TestMethod]
    public void OnnxTextClassifier_Predictions_EqualTextClassifiers()
    {
        var texts = OnnxModels.RealTexts(8);
        foreach (var kind in OnnxModels.Heads)
        {
            using var model = OnnxModels.Create("bag", kind, PoolingMode.Backbone);
            string directory = Path.Combine(work, kind.ToString());
            model.ExportOnnx(directory);
            using var onnx = OnnxTextClassifier.Load(directory);
            switch (kind)
            {
                case TaskKind.SingleLabel:
                    CollectionAssert.AreEqual(model.PredictBatch(texts).Select(p => p.Label).ToList(), onnx.PredictBatch(texts).Select(p => p.Label).ToList());
                    CollectionAssert.AreEqual(model.Predict(texts[0]).Scores.Keys.ToList(), onnx.Predict(texts[0]).Scores.Keys.ToList());
                    break;
                case TaskKind.MultiLabel:
                    var expected = model.PredictLabelsBatch(texts);
                    var actual = onnx.PredictLabelsBatch(texts);
                    for (int i = 0; i < texts.Count; i++)
                        CollectionAssert.AreEqual(expected[i].Labels.ToList(), actual[i].Labels.ToList(), texts[i]);
                    Assert.IsTrue(expected.Any(p => p.Labels.Count > 0) && expected.Any(p => p.Labels.Count < 3), "thresholds should separate some labels");
                    break;
                default:
                    var values = model.PredictValues(texts);
                    var onnxValues = onnx.PredictValues(texts);
                    for (int i = 0; i < texts.Count; i++)
                        Assert.AreEqual(values[i], onnxValues[i], Tolerance * Math.Max(1, Math.Abs(values[i])), texts[i]);
                    var error = Assert.ThrowsExactly<InvalidOperationException>(() => onnx.PredictLabels(texts[0]));
                    StringAssert.Contains(error.Message, "Regression");
                    break;
            }
        }
    }

    [TestMethod]
    public void ExportOnnx_Directory_HoldsGraphConfigAndTokenizerButNoTorchWeights()
    {
        using var model = OnnxModels.Create("bert-tiny", TaskKind.MultiLabel, PoolingMode.Mean);
        ((MultiLabelHead)model.Head).SetThresholds([0.3f, 0.6f, 0.7f]);
        model.ExportOnnx(work);

        var names = Directory.GetFiles(work).Select(Path.GetFileName).ToHashSet();
        Assert.IsTrue(names.IsSupersetOf(["model.onnx", "config.json", "vocab.txt", "tokenizer_config.json"]), string.Join(", ", names));
        Assert.DoesNotContain("model.safetensors", names);
        var section = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(work, "config.json")))!["onnx"]!;
        CollectionAssert.AreEqual(new[] { 0.3f, 0.6f, 0.7f }, section["thresholds"]!.AsArray().Select(t => t!.GetValue<float>()).ToArray());
        CollectionAssert.AreEqual(model.Labels.ToArray(), section["labels"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray());
        Assert.AreEqual(48, section["max_length"]!.GetValue<int>());
    }

    [TestMethod]
    public void OnnxTextClassifier_TemperatureInConfig_DividesLogitsBeforeSoftmax()
    {
        var texts = OnnxModels.RealTexts(4);
        using var model = OnnxModels.Create("bag", TaskKind.SingleLabel, PoolingMode.Backbone);
        model.ExportOnnx(work);
        string path = Path.Combine(work, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config["llmfinetune"]!["temperature"] = 2.5;
        File.WriteAllText(path, config.ToJsonString());

        using var onnx = OnnxTextClassifier.Load(work);
        float[] scores = onnx.ScoreBatch(texts);
        float[] logits = TorchLogits(model, texts);
        int classes = model.Labels.Count;
        for (int row = 0; row < texts.Count; row++)
        {
            var scaled = logits.Skip(row * classes).Take(classes).Select(l => Math.Exp(l / 2.5)).ToArray();
            for (int c = 0; c < classes; c++)
                Assert.AreEqual(scaled[c] / scaled.Sum(), scores[row * classes + c], Tolerance);
        }
        Assert.IsGreaterThan(Tolerance * 10, MaxDifference(ScoresOf(model, texts), scores), "a temperature of 2.5 must change the probabilities");
    }

    [TestMethod]
    public void OnnxTextClassifier_ManyThreads_SameScoresAsOneByOne()
    {
        var texts = OnnxModels.RealTexts(16);
        using var model = OnnxModels.Create("bert-tiny", TaskKind.SingleLabel, PoolingMode.Cls);
        model.ExportOnnx(work);
        using var onnx = OnnxTextClassifier.Load(work, new OnnxTextClassifierOptions { IntraOpThreads = 1 });
        var expected = texts.Select(t => onnx.Predict(t)).ToList();

        var actual = new Prediction[texts.Count];
        Parallel.For(0, texts.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => actual[i % texts.Count] = onnx.Predict(texts[i % texts.Count]));

        for (int i = 0; i < texts.Count; i++)
        {
            Assert.AreEqual(expected[i].Label, actual[i].Label);
            CollectionAssert.AreEqual(expected[i].Scores.Values.ToList(), actual[i].Scores.Values.ToList());
        }
    }

    [TestMethod]
    public void AddOnnxTextClassifier_ResolvesAsITextClassifier()
    {
        using var model = OnnxModels.Create("bag", TaskKind.SingleLabel, PoolingMode.Backbone);
        model.ExportOnnx(work);
        var services = new ServiceCollection().AddOnnxTextClassifier("topics", work);
        using var provider = services.BuildServiceProvider();

        var classifier = provider.GetRequiredKeyedService<ITextClassifier>("topics");

        Assert.AreSame(provider.GetRequiredKeyedService<OnnxTextClassifier>("topics"), classifier);
        Assert.AreEqual(model.Predict("goal match league").Label, classifier.Predict("goal match league").Label);
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task AddOnnxTextClassifier_ServesTheOnnxModelThroughTheMicroBatchingService()
    {
        var texts = OnnxModels.RealTexts(24);
        using var model = OnnxModels.Create("bag", TaskKind.SingleLabel, PoolingMode.Backbone);
        model.ExportOnnx(work);
        var batching = new MicroBatchingOptions { MaxBatchSize = 8, QueueCapacity = 64 };
        using var provider = new ServiceCollection().AddOnnxTextClassifier("topics", work, new OnnxTextClassifierOptions { IntraOpThreads = 1, Batching = batching }).BuildServiceProvider();
        var onnx = provider.GetRequiredKeyedService<OnnxTextClassifier>("topics");
        var expected = texts.Select(t => onnx.Predict(t)).ToList();

        var service = provider.GetRequiredKeyedService<TextClassificationService>("topics");
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var mine = new List<(int Index, Prediction Prediction)>();
            for (int i = c; i < texts.Count; i += 4)
                mine.Add((i, await service.ClassifyAsync(texts[i])));
            return mine;
        })));

        Assert.AreSame(onnx, service.Model);
        Assert.AreEqual(TaskKind.SingleLabel, service.Kind);
        Assert.AreEqual(64, service.QueueCapacity);
        Assert.AreEqual((long)texts.Count, service.RequestsScored);
        // batched with other callers' texts (padded to the longest), so equal up to float rounding, not bit for bit
        foreach (var (index, prediction) in answers.SelectMany(a => a))
        {
            Assert.AreEqual(expected[index].Label, prediction.Label);
            foreach (var (label, score) in expected[index].Scores)
                Assert.AreEqual(score, prediction.Scores[label], 1e-6f, $"{texts[index]}: {label}");
        }
        Assert.ThrowsExactly<InvalidOperationException>(() => service.PredictValueAsync("a value?"));
    }

    [TestMethod]
    public void AddOnnxTextClassifier_BatchingOutOfRange_ThrowsAtRegistrationNamingTheOption()
    {
        var options = new OnnxTextClassifierOptions { Batching = new MicroBatchingOptions { QueueCapacity = 0 } };

        var e = Assert.ThrowsExactly<Microsoft.Extensions.Options.OptionsValidationException>(() => new ServiceCollection().AddOnnxTextClassifier("topics", work, options));

        StringAssert.Contains(e.Message, "QueueCapacity");
    }

    [TestMethod]
    public void OnnxTextClassifier_DirectoryWithoutOnnxSection_ExplainsHowToExport()
    {
        using var model = OnnxModels.Create("bag", TaskKind.SingleLabel, PoolingMode.Backbone);
        model.Save(work);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => OnnxTextClassifier.Load(work));

        StringAssert.Contains(error.Message, "config.json");
        StringAssert.Contains(error.Message, "ExportOnnx");
    }

    [TestMethod]
    public void OnnxTextClassifier_CorruptModelFile_InvalidDataNamingTheFile()
    {
        using var model = OnnxModels.Create("bag", TaskKind.SingleLabel, PoolingMode.Backbone);
        model.ExportOnnx(work);
        File.WriteAllBytes(Path.Combine(work, "model.onnx"), [1, 2, 3, 4, 5]);

        var error = Assert.ThrowsExactly<InvalidDataException>(() => OnnxTextClassifier.Load(work));

        StringAssert.Contains(error.Message, "model.onnx");
        StringAssert.Contains(error.Message, "Export the model again");
    }

    /// <summary>Asserts every score within <see cref="Tolerance"/> and that the scores are not degenerate; returns the largest difference.</summary>
    private static float AssertSameScores(TextClassifier model, OnnxTextClassifier onnx, IReadOnlyList<string> texts, string because)
    {
        float[] expected = ScoresOf(model, texts), actual = onnx.ScoreBatch(texts);
        Assert.HasCount(expected.Length, actual, because);
        float difference = MaxDifference(expected, actual);
        Assert.IsLessThan(Tolerance, difference, because);
        // a decoder's first token sees only itself, so Cls pooling gives every text the same value there
        bool textsDiffer = !(model.Backbone is CausalDecoder && ((TaskHead)model.Head).Options.Pooling == PoolingMode.Cls);
        if (model.Head.Kind == TaskKind.Regression && texts.Count > 1 && textsDiffer)
            Assert.IsGreaterThan(0.01f, expected.Max() - expected.Min(), because + ": values should vary between texts");
        else if (model.Head.Kind != TaskKind.Regression)
            Assert.IsGreaterThan(0.05f, expected.Max() - expected.Min(), because + ": scores should be far from uniform");
        return difference;
    }

    private static float[] ScoresOf(TextClassifier model, IReadOnlyList<string> texts) => model.ScoreBatch(texts);

    private static float[] TorchLogits(TextClassifier model, IReadOnlyList<string> texts)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (ids, mask) = model.Collator.Pad(texts.Select(model.Collator.Encode).ToList());
        return model.Network.call(ids, mask).contiguous().data<float>().ToArray();
    }

    private static float MaxDifference(float[] a, float[] b) =>
        a.Length == b.Length ? a.Zip(b, (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max() : float.PositiveInfinity;

    private static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
