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
        // Chance is 1/12; the quick run reaches about 0.66.
        Assert.IsGreaterThan(0.5, double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture), output);
    }

    [GeneratedRegex(@"^accuracy (\d\.\d+) on 300 test tickets", RegexOptions.Multiline)]
    private static partial Regex AccuracyLine();
}
