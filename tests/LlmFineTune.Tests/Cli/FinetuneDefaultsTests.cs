using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LlmFineTune.Data;

namespace LlmFineTune.Tests.Cli;

[TestClass]
public sealed class FinetuneDefaultsTests
{
    private static string root = "";
    private static string trainPath = "";

    [ClassInitialize]
    public static void CreateData(TestContext context)
    {
        root = Directory.CreateTempSubdirectory("llmft-cli-defaults-").FullName;
        trainPath = Path.Combine(root, "topics.train.tsv");
        File.WriteAllLines(trainPath, TestData.Topical(perClass: 30, seed: 21).Select(e => $"{e.Label}\t{e.Text}"));
        // a test split beside the training file, as the shared data has; it is a directory, so any attempt to read it fails
        Directory.CreateDirectory(Path.Combine(root, "topics.test.tsv"));
    }

    [ClassCleanup]
    public static void DeleteData() => Directory.Delete(root, recursive: true);

    [TestMethod]
    public void Finetune_NoValidationFile_PrintsValidationMetricEveryEpochAndTheCalibration()
    {
        string output = Path.Combine(root, "held-out");

        var run = CliRun.Of("finetune", "--train", trainPath, "--output", output, "--buckets", "4096", "--epochs", "3");

        Assert.AreEqual(0, run.ExitCode, run.Error);
        for (int epoch = 1; epoch <= 3; epoch++)
            StringAssert.Contains(run.Output, $"epoch {epoch} (step");
        StringAssert.Contains(run.Output, "validation loss");
        StringAssert.Matches(run.Output, new Regex(@"kept epoch [123] of 3: the best validation macroF1 \(\d\.\d{4}\) on the held-out part of --train"));
        StringAssert.Contains(run.Output, "calibration: temperature");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!;
        Assert.IsNotNull(config["llmfinetune"]!["temperature"]);
    }

    [TestMethod]
    public void Finetune_NoScheduleFlags_DecaysTheLearningRateAsTheLibraryDefaultDoes()
    {
        // the CLI once trained at a constant rate unless a warm-up flag was given, while the library decays linearly
        var run = CliRun.Of("finetune", "--train", trainPath, "--output", Path.Combine(root, "decay"), "--buckets", "4096", "--epochs", "3");

        Assert.AreEqual(0, run.ExitCode, run.Error);
        double[] rates = [.. Regex.Matches(run.Output, @"epoch \d+ \(step \d+, lr ([^)]+)\)").Take(3)
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];
        Assert.HasCount(3, rates, run.Output);
        Assert.IsTrue(rates[0] > rates[1] && rates[1] > rates[2], $"learning rates by epoch: {string.Join(", ", rates)}");
    }

    [TestMethod]
    public void Finetune_Autotune_ReportsTrialsAndSavesTheChosenSettingsWithoutReadingTheTestSplit()
    {
        string output = Path.Combine(root, "tuned");

        var run = CliRun.Of("finetune", "--train", trainPath, "--output", output, "--buckets", "4096", "--epochs", "2", "--autotune", "--autotune-duration", "3");

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "autotune trial 1");
        StringAssert.Contains(run.Output, "best so far");
        StringAssert.Contains(run.Output, "autotune: ");
        var autotune = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!["llmfinetune"]!["autotune"]!;
        Assert.AreEqual("macroF1", autotune["metric"]!.GetValue<string>());
        Assert.IsGreaterThanOrEqualTo(1, autotune["trials"]!.GetValue<int>());
        Assert.IsNotNull(autotune["bag_dimension"]);
        Assert.IsNotNull(autotune["learning_rate"]);
    }
}
