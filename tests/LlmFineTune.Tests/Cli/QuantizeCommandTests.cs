using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Tests.Data;

namespace LlmFineTune.Tests.Cli;

[TestClass]
public sealed class QuantizeCommandTests
{
    [TestMethod]
    public void Quantize_FineTunedBag_SmallerModelThatPredictsAndItsMeasuredCost()
    {
        using var folder = new TempFolder();
        var (train, test) = TestData.Topical(perClass: 24, seed: 5).StratifiedSplit(0.25, seed: 5);
        string trainPath = folder.Write("train.tsv", string.Join('\n', train.Select(e => $"{e.Label}\t{e.Text}")) + "\n");
        string testPath = folder.Write("test.tsv", string.Join('\n', test.Select(e => $"{e.Label}\t{e.Text}")) + "\n");
        string bag = Path.Combine(folder.Path, "bag");
        string small = Path.Combine(folder.Path, "small");
        Assert.AreEqual(0, CliRun.Of("finetune", "--train", trainPath, "--output", bag, "--buckets", "4096", "--epochs", "4", "--lr", "0.1").ExitCode);

        var run = CliRun.Of("quantize", "--model", bag, "--output", small, "--test", testPath);

        Assert.AreEqual(0, run.ExitCode, run.Error);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        StringAssert.Matches(lines[0], new System.Text.RegularExpressions.Regex($@"^{System.Text.RegularExpressions.Regex.Escape(bag)}: \d+\.\d\d MB -> {System.Text.RegularExpressions.Regex.Escape(small)}: \d+\.\d\d MB \(\d+\.\d%\)$"));
        StringAssert.StartsWith(lines[1], "1 weight matrices in 7 bits; kept ");
        StringAssert.StartsWith(lines[2], $"macroF1 on {testPath}: ");
        using var loaded = TextClassifier.Load(small);
        Assert.AreEqual("sports", loaded.Predict("the striker scored a goal in the match").Label);
    }

    [TestMethod]
    public void Quantize_Help_DescribesEveryFlag()
    {
        var run = CliRun.Of("quantize", "--help");

        Assert.AreEqual(0, run.ExitCode);
        foreach (string flag in new[] { "--model", "--output", "--keep-rows", "--bits", "--test", "--format" })
            StringAssert.Contains(run.Output, flag);
    }

    [TestMethod]
    public void Quantize_BitsOutOfRange_NamesTheFlagBeforeLoadingAnything()
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("quantize", "--model", Path.Combine(folder.Path, "none"), "--output", Path.Combine(folder.Path, "out"), "--bits", "9");

        Assert.AreEqual(2, run.ExitCode, run.Output + run.Error);
        Assert.HasCount(1, run.ErrorLines);
        StringAssert.Contains(run.Error, "--bits must be between 2 and 8");
    }

    [TestMethod]
    public void Quantize_MissingModel_OneLineAndExitCode2()
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("quantize", "--model", Path.Combine(folder.Path, "none"), "--output", Path.Combine(folder.Path, "out"));

        Assert.AreEqual(2, run.ExitCode, run.Output + run.Error);
        Assert.HasCount(1, run.ErrorLines);
        StringAssert.Contains(run.Error, Path.Combine(folder.Path, "none"));
    }
}
