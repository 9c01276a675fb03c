using System.Text.Json.Nodes;
using LlmFineTune.Tests.Data;

namespace LlmFineTune.Tests.Examples;

[TestClass]
public sealed class SpamFilterTests
{
    [TestMethod]
    [TestCategory("Slow")]
    public void Run_Quick_WritesReportsAndSeparatesSpamFromHam()
    {
        SharedData.Require("labeled/spamassassin.train.tsv", "spamassassin");
        string reports = Directory.CreateTempSubdirectory("llmft-spam-test-").FullName;
        try
        {
            var output = new StringWriter();
            var error = new StringWriter();

            int code = LlmFineTune.Examples.SpamFilter.Program.Run(["--quick", "--out", reports], output, error);

            Assert.AreEqual(0, code, error.ToString());
            var report = JsonNode.Parse(File.ReadAllText(Path.Combine(reports, "report.json")))!.AsObject();
            Assert.HasCount(2, report["labels"]!.AsArray());
            Assert.AreEqual(100, report["count"]!.GetValue<int>());
            Assert.IsGreaterThan(0.8, report["accuracy"]!.GetValue<double>(), "bag-of-words separates spam from ham even on 200 mails");
            Assert.IsGreaterThan(1000L, new FileInfo(Path.Combine(reports, "confusion-matrix.png")).Length);
            StringAssert.Contains(output.ToString(), "spam");
        }
        finally
        {
            Directory.Delete(reports, recursive: true);
        }
    }
}
