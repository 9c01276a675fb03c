using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;

namespace LlmFineTune.Tests.Evaluation;

[TestClass]
public sealed class EvaluationReportTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public void ToJson_SingleLabel_HasDocumentedCamelCaseTopLevelFields()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets);

        var json = JsonNode.Parse(report.ToJson())!.AsObject();

        foreach (string field in new[] { "schemaVersion", "task", "count", "labels", "accuracy", "macroF1", "logLoss", "perClass", "confusionMatrix", "intervals", "calibration", "examples" })
            Assert.IsTrue(json.ContainsKey(field), $"missing '{field}'");
        Assert.AreEqual("singleLabel", json["task"]!.GetValue<string>());
        Assert.AreEqual(report.MacroF1!.Value, json["macroF1"]!.GetValue<double>());
        Assert.AreEqual("b", json["perClass"]![1]!["label"]!.GetValue<string>());
        Assert.AreEqual(2, json["confusionMatrix"]![2]![2]!.GetValue<long>());
        Assert.IsNotNull(json["intervals"]!["accuracy"]!["lower"]);
        Assert.IsFalse(json.ContainsKey("mse"), "metrics of other tasks are left out");
    }

    [TestMethod]
    public void FromJson_EveryTaskKind_RoundTripsExactly()
    {
        var reports = new[]
        {
            MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets),
            // NaN AUCs must survive the trip.
            MetricFixtures.SingleLabel(MetricFixtures.Rows(3, [0, 0, 0]), [0, 0, 0]),
            MultiLabelAndRegressionMetricsTests.MultiLabel([0.9f, 0.2f, 0.1f, 0.6f, 0.4f, 0.35f], [[0], [0, 1]], [0.5, 0.5, 0.3]),
            MultiLabelAndRegressionMetricsTests.Regression([1.5f, 2f, 2f, 5f], [1f, 2f, 3f, 4f]),
        };

        foreach (var report in reports)
        {
            string json = report.ToJson();
            var back = EvaluationReport.FromJson(json);

            Assert.AreEqual(json, back.ToJson(), report.Task.ToString());
            Assert.AreEqual(report.Task, back.Task);
            foreach (string name in report.AvailableMetrics)
                Assert.AreEqual(report.GetMetric(name), back.GetMetric(name), name);
        }
        Assert.IsTrue(double.IsNaN(EvaluationReport.FromJson(reports[1].ToJson()).RocAuc!.Value));
    }

    [TestMethod]
    public void SaveLoad_File_RoundTripsAndComparesFromDisk()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets);
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"report-{Guid.NewGuid():N}.json");

        report.Save(path);
        var loaded = EvaluationReport.Load(path);

        Assert.AreEqual(report.ToJson(), loaded.ToJson());
        Assert.AreEqual(0, Evaluator.Compare(report, loaded).Difference);
        File.Delete(path);
    }

    [TestMethod]
    public void FromJson_NewerSchema_ThrowsWithFix()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => EvaluationReport.FromJson("""{"schemaVersion": 99, "task": "singleLabel"}"""));
        StringAssert.Contains(e.Message, "schemaVersion 99");
    }

    [TestMethod]
    public void Load_BadJson_ThrowsNamingFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-report-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"accuracy": "high"}""");
        try
        {
            var e = Assert.ThrowsExactly<InvalidDataException>(() => EvaluationReport.Load(path));
            StringAssert.Contains(e.Message, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void GetMetric_KnownNames_ReturnProperties()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets);

        Assert.AreEqual(report.Accuracy, report.GetMetric("accuracy"));
        Assert.AreEqual(report.MacroF1, report.GetMetric("macroF1"));
        Assert.AreEqual(report.MacroF1, report.GetMetric("MacroF1"), "case-insensitive");
        Assert.AreEqual(report.LogLoss, report.GetMetric("logLoss"));
        Assert.AreEqual(report.BalancedAccuracy, report.GetMetric("balancedAccuracy"));
        Assert.AreEqual(report.MicroF1, report.GetMetric("microF1"));
        Assert.AreEqual(report.WeightedF1, report.GetMetric("weightedF1"));
        Assert.AreEqual(report.ExpectedCalibrationError, report.GetMetric("expectedCalibrationError"));
    }

    [TestMethod]
    public void GetMetric_UnknownName_ThrowsListingValidNames()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets);

        var e = Assert.ThrowsExactly<ArgumentException>(() => report.GetMetric("f1score"));
        StringAssert.Contains(e.Message, "'f1score'");
        StringAssert.Contains(e.Message, "macroF1");
        StringAssert.Contains(e.Message, "mse");
    }

    [TestMethod]
    public void GetMetric_OtherTaskMetric_ThrowsListingAvailable()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => report.GetMetric("mse"));
        StringAssert.Contains(e.Message, "SingleLabel");
        StringAssert.Contains(e.Message, "logLoss");
    }

    [TestMethod]
    public void IsHigherBetter_LossesAndAccuracies()
    {
        Assert.IsTrue(EvaluationReport.IsHigherBetter("macroF1"));
        Assert.IsFalse(EvaluationReport.IsHigherBetter("logLoss"));
        Assert.IsFalse(EvaluationReport.IsHigherBetter("mse"));
        Assert.ThrowsExactly<ArgumentException>(() => EvaluationReport.IsHigherBetter("nope"));
    }

    [TestMethod]
    public void ToMarkdown_SingleLabel_HasMetricClassAndConfusionTables()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets);

        string md = report.ToMarkdown();

        StringAssert.Contains(md, "| metric | value | 95% interval |");
        StringAssert.Contains(md, $"| accuracy | 0.6667 | [{report.Intervals["accuracy"].Lower:0.0000}, {report.Intervals["accuracy"].Upper:0.0000}] |");
        StringAssert.Contains(md, "| top2Accuracy | 0.8333 |");
        StringAssert.Contains(md, "| c | 0.6667 | 1.0000 | 0.8000 | 2 | 3 | 0.8750 |");
        StringAssert.Contains(md, "| true \\ predicted | a | b | c |");
        StringAssert.Contains(md, "| b | 0 | 1 | 1 |");
        Assert.AreEqual(TaskKind.SingleLabel, report.Task);
    }
}
