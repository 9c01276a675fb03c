using System.Buffers.Binary;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Plotting;
using LlmFineTune.Tests.Evaluation;

namespace LlmFineTune.Tests.Plotting;

[TestClass]
public sealed class EvaluationPlotsTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private string directory = null!;

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("llmft-plots-").FullName;

    [TestCleanup]
    public void DeleteDirectory()
    {
        // Keep the pictures for a person to look at when asked (LLMFT_KEEP_PLOTS=1).
        if (Environment.GetEnvironmentVariable("LLMFT_KEEP_PLOTS") != "1")
            Directory.Delete(directory, recursive: true);
    }

    [TestMethod]
    public void ConfusionMatrix_FourClasses_WritesPngOfSensibleSize()
    {
        var (probabilities, targets) = BootstrapTests.Noisy(200, seed: 3);
        var report = MetricFixtures.SingleLabel(probabilities, targets, MetricFixtures.FourClasses);
        string path = Path.Combine(directory, "confusion.png");

        EvaluationPlots.ConfusionMatrix(report, path);

        AssertPng(path, minWidth: 600, minHeight: 600);
    }

    [TestMethod]
    public void ReliabilityDiagram_WritesPng()
    {
        var (probabilities, targets) = BootstrapTests.Noisy(200, seed: 4);
        var report = MetricFixtures.SingleLabel(probabilities, targets, MetricFixtures.FourClasses);
        string path = Path.Combine(directory, "reliability.png");

        EvaluationPlots.ReliabilityDiagram(report, path);

        AssertPng(path, minWidth: 700, minHeight: 600);
    }

    [TestMethod]
    public void TrainingCurves_LossAndMetric_WritesPng()
    {
        var loss = new MetricSeries("train loss", Enumerable.Range(1, 40).Select(s => ((double)s, 1.4 * Math.Exp(-s / 12.0) + 0.05)).ToList());
        var metric = new MetricSeries("validation macroF1", [(10, 0.55), (20, 0.78), (30, 0.86), (40, 0.88)], RightAxis: true);
        string path = Path.Combine(directory, "curves.png");

        EvaluationPlots.TrainingCurves([loss, metric], path);

        AssertPng(path, minWidth: 900, minHeight: 500);
    }

    [TestMethod]
    public void TrainingCurves_ValueLabelAndStepTicks_WritesPng()
    {
        var f1 = new MetricSeries("bag", [(2, 0.26), (Math.Log10(500), 0.51), (Math.Log10(9189), 0.70)]);
        string path = Path.Combine(directory, "labels.png");

        EvaluationPlots.TrainingCurves([f1], path, "macro-F1 vs labels", "labels", "macro-F1", [(2, "100"), (Math.Log10(500), "500"), (Math.Log10(9189), "all (9,189)")]);

        AssertPng(path, minWidth: 900, minHeight: 500);
    }

    [TestMethod]
    public void TrainingCurves_NoPoints_Throws()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => EvaluationPlots.TrainingCurves([new MetricSeries("loss", [])], Path.Combine(directory, "x.png")));
        StringAssert.Contains(e.Message, "No series");
        Assert.IsFalse(File.Exists(Path.Combine(directory, "x.png")));
    }

    [TestMethod]
    public void ConfusionMatrix_RegressionReport_ThrowsNamingTask()
    {
        var report = MultiLabelAndRegressionMetricsTests.Regression([1f, 2f], [1f, 3f]);

        var e = Assert.ThrowsExactly<ArgumentException>(() => EvaluationPlots.ConfusionMatrix(report, Path.Combine(directory, "x.png")));
        StringAssert.Contains(e.Message, "Regression");
    }

    [TestMethod]
    public void EmbeddedFont_ServesItsFamilyOnly()
    {
        var resolver = new EmbeddedFontResolver();

        using var typeface = resolver.CreateTypeface(EmbeddedFontResolver.Family, bold: true, italic: false);

        Assert.IsNotNull(typeface);
        Assert.AreEqual("DejaVu Sans", typeface.FamilyName);
        Assert.IsTrue(typeface.GlyphCount > 1000, $"{typeface.GlyphCount} glyphs");
        Assert.IsNull(resolver.CreateTypeface("Arial", bold: false, italic: false));
    }

    private static void AssertPng(string path, int minWidth, int minHeight)
    {
        Assert.IsTrue(File.Exists(path), path);
        byte[] bytes = File.ReadAllBytes(path);
        CollectionAssert.AreEqual(PngSignature, bytes[..8], "PNG signature");
        Assert.AreEqual("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        int width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16));
        int height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        Assert.IsTrue(width >= minWidth && width <= 4000, $"width {width}");
        Assert.IsTrue(height >= minHeight && height <= 4000, $"height {height}");
        Assert.IsTrue(bytes.Length > 10_000, $"only {bytes.Length} bytes: is anything drawn?");
        Assert.AreEqual("IEND", System.Text.Encoding.ASCII.GetString(bytes, bytes.Length - 8, 4), "complete file");
        Assert.AreEqual(0, Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp").Length, "no temporary file left");
    }
}
