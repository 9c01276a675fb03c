using System.Text.Json.Nodes;

namespace LlmFineTune.Tests.Cli;

/// <summary><c>llmft</c> with a multi-label model: <c>predict --threshold</c>, <c>evaluate</c>'s P@k/R@k and <c>--label-separator</c>.</summary>
[TestClass]
public sealed class MultiLabelCliTests
{
    private static string root = "";
    private static string testPath = "";
    private static string model = "";

    /// <summary>Each text has its topic and the topic's group (leisure or serious) as labels.</summary>
    private static IEnumerable<string> FastText(int perClass, int seed) => TestData.Topical(perClass, seed).Select(e =>
        $"__label__{e.Label} __label__{(e.Label is "sports" or "cooking" ? "leisure" : "serious")} {e.Text}");

    [ClassInitialize]
    public static void Train(TestContext context)
    {
        root = Directory.CreateTempSubdirectory("llmft-multi-").FullName;
        string train = Path.Combine(root, "train.txt");
        testPath = Path.Combine(root, "test.txt");
        File.WriteAllLines(train, FastText(perClass: 20, seed: 1));
        File.WriteAllLines(testPath, FastText(perClass: 6, seed: 2));
        model = Path.Combine(root, "model");
        var run = CliRun.Of("finetune", "--train", train, "--output", model, "--buckets", "4096", "--epochs", "6", "--lr", "0.1");
        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "MultiLabel");
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(root, recursive: true);

    [TestMethod]
    public void Evaluate_MultiLabel_PrintsPrecisionAndRecallAtK()
    {
        var at1 = CliRun.Of("evaluate", "--model", model, "--test", testPath);
        var at2 = CliRun.Of("evaluate", "--model", model, "--test", testPath, "--k", "2");

        Assert.AreEqual(0, at1.ExitCode, at1.Error);
        var p1 = Metric(at1.Output, "P@1");
        var r1 = Metric(at1.Output, "R@1");
        var p2 = Metric(at2.Output, "P@2");
        var r2 = Metric(at2.Output, "R@2");
        // Two true labels per text: R@1 is at most 1/2 and equals P@1 / 2; P@2 equals R@2.
        Assert.AreEqual(p1 / 2, r1, 1e-4);
        Assert.AreEqual(p2, r2, 1e-4);
        Assert.IsGreaterThan(0.8, p1, "the topics are learnable");
        Assert.IsGreaterThanOrEqualTo(r1, r2, "more guesses find more labels");
    }

    private static double Metric(string output, string name)
    {
        var words = output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return double.Parse(words[Array.IndexOf(words, name) + 1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [TestMethod]
    public void Predict_Threshold_DecidesWhichLabelsApply()
    {
        const string text = "the striker scored a goal in the match\n";
        var none = CliRun.WithInput(text, "predict", "--model", model, "--threshold", "1");
        var all = CliRun.WithInput(text, "predict", "--model", model, "--threshold", "0");
        var top = CliRun.WithInput(text, "predict", "--model", model, "--top-k", "2");

        Assert.AreEqual(0, none.ExitCode, none.Error);
        Assert.HasCount(0, JsonNode.Parse(none.Output)!["labels"]!.AsArray());
        Assert.HasCount(6, JsonNode.Parse(all.Output)!["labels"]!.AsArray());
        CollectionAssert.AreEquivalent(new[] { "sports", "leisure" }, JsonNode.Parse(top.Output)!["scores"]!.AsObject().Select(s => s.Key).ToArray());
    }

    [TestMethod]
    public void Finetune_LabelSeparator_SplitsTheLabelColumn()
    {
        string csv = Path.Combine(root, "multi.csv");
        File.WriteAllLines(csv, ["text,label", .. TestData.Topical(perClass: 4, seed: 3).Select(e => $"{e.Text},{e.Label}|{(e.Label is "sports" or "cooking" ? "leisure" : "serious")}")]);

        var run = CliRun.Of("finetune", "--train", csv, "--output", Path.Combine(root, "csv-model"), "--buckets", "1024", "--epochs", "1", "--head", "multi", "--label-separator", "|");

        Assert.AreEqual(0, run.ExitCode, run.Error);
        StringAssert.Contains(run.Output, "6 labels (MultiLabel)");
    }
}
