using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmFineTune.Tests.Examples;

[TestClass]
public sealed partial class CustomHeadAndOptimizerExampleTests
{
    [TestMethod]
    [TestCategory("Slow")]
    public void CustomHeadAndOptimizer_QuickRun_TrainsWithTheUserHeadAndOptimizerAndLearns()
    {
        using var example = ExampleProcess.Start("CustomHeadAndOptimizer", "--quick");

        int exitCode = example.WaitForExit(TimeSpan.FromSeconds(30));

        string output = example.Output;
        Assert.AreEqual(0, exitCode, output);
        StringAssert.Contains(output, "with head FocalLossHead and optimizer Lion on 720 tickets, 12 intents (quick run)");
        StringAssert.Contains(output, "| true \\ predicted |");
        var accuracy = AccuracyLine().Match(output);
        Assert.IsTrue(accuracy.Success, output);
        // Chance is 1/12; the quick run (user backbone, head and optimizer) reaches about 0.65.
        Assert.IsGreaterThan(0.5, double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture), output);
    }

    [TestMethod]
    [TestCategory("Slow")]
    public void CustomHeadAndOptimizer_SavedModel_LoadsInAFreshProcessAndPredictsIdentically()
    {
        using var folder = new Data.TempFolder();
        string directory = Path.Combine(folder.Path, "model");
        string saved;
        using (var training = ExampleProcess.Start("CustomHeadAndOptimizer", "--quick", "--save", directory))
        {
            Assert.AreEqual(0, training.WaitForExit(TimeSpan.FromSeconds(60)), training.Output);
            saved = training.Output;
        }

        using var loading = ExampleProcess.Start("CustomHeadAndOptimizer", "--load", directory);
        Assert.AreEqual(0, loading.WaitForExit(TimeSpan.FromSeconds(30)), loading.Output);

        StringAssert.Contains(loading.Output, "Loaded a hashed-conv model with head FocalLossHead");
        var expected = ProbeLines(saved);
        Assert.HasCount(2, expected, saved);
        // "R"-formatted probabilities: equal text is equal floats.
        CollectionAssert.AreEqual(expected, ProbeLines(loading.Output), loading.Output);
        var section = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "config.json")))!["llmfinetune"]!;
        Assert.AreEqual("hashed-conv", section["backbone"]!.GetValue<string>());
        Assert.AreEqual("focal", section["head"]!.GetValue<string>());
        Assert.AreEqual(2.0, section["head_options"]!["gamma"]!.GetValue<double>());
        Assert.AreEqual("lion", section["optimizer"]!["name"]!.GetValue<string>());
        Assert.AreEqual(0.99, section["optimizer"]!["options"]!["beta2"]!.GetValue<double>());
    }

    private static List<string> ProbeLines(string output) =>
        [.. output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("probe '", StringComparison.Ordinal))];

    [GeneratedRegex(@"^accuracy (\d\.\d+) on 300 test tickets", RegexOptions.Multiline)]
    private static partial Regex AccuracyLine();
}
