using LlmFineTune.Data;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Onnx;
using LlmFineTune.Tests.Export;

namespace LlmFineTune.Tests.Cli;

[TestClass]
[DoNotParallelize]
public sealed class ExportCommandTests
{
    private string work = "";

    [TestInitialize]
    public void CreateWorkspace() => work = Directory.CreateTempSubdirectory("llmft-export-cli-").FullName;

    [TestCleanup]
    public void DeleteWorkspace() => Directory.Delete(work, recursive: true);

    [TestMethod]
    public void Export_FormatOnnx_WritesADirectoryOnnxRuntimePredictsLikeTheModel()
    {
        var texts = OnnxModels.RealTexts(6);
        string saved = Path.Combine(work, "model"), exported = Path.Combine(work, "onnx");
        using (var model = OnnxModels.Create("bert-tiny", TaskKind.SingleLabel, PoolingMode.Mean))
            model.Save(saved);
        using var reloaded = LlmFineTune.Modeling.TextClassifier.Load(saved);

        var run = CliRun.Of("export", "--model", saved, "--format", "onnx", "--output", exported);

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "model.onnx");
        using var onnx = OnnxTextClassifier.Load(exported);
        CollectionAssert.AreEqual(reloaded.PredictBatch(texts).Select(p => p.Label).ToList(), onnx.PredictBatch(texts).Select(p => p.Label).ToList());
        var expected = reloaded.ScoreBatch(texts);
        var actual = onnx.ScoreBatch(texts);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-4f);
    }

    [TestMethod]
    public void Export_UnknownFormat_IsAUserErrorNamingTheChoices()
    {
        var run = CliRun.Of("export", "--model", work, "--format", "tflite", "--output", Path.Combine(work, "out"));

        Assert.AreEqual(2, run.ExitCode);
        StringAssert.Contains(run.Error, "onnx");
    }
}
