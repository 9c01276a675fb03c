using LlmFineTune.Data;
using LlmFineTune.Evaluation;

namespace LlmFineTune.Tests.Evaluation;

[TestClass]
public sealed class SingleLabelMetricsTests
{
    private const double Tolerance = 1e-6;

    [TestMethod]
    public void Accumulator_SixExamples_MatchesHandComputedMetrics()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets);

        Assert.AreEqual(6, report.Count);
        CollectionAssert.AreEqual(new long[] { 1, 1, 0 }, report.ConfusionMatrix![0].ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 1, 1 }, report.ConfusionMatrix[1].ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 0, 2 }, report.ConfusionMatrix[2].ToArray());
        Assert.AreEqual(4.0 / 6, report.Accuracy, Tolerance);
        Assert.AreEqual((0.5 + 0.5 + 1.0) / 3, report.BalancedAccuracy!.Value, Tolerance);
        // a: P 1, R 1/2, F1 2/3; b: P 1/2, R 1/2, F1 1/2; c: P 2/3, R 1, F1 4/5.
        AssertClass(report.PerClass[0], "a", 1.0, 0.5, 2.0 / 3, support: 2, predicted: 1);
        AssertClass(report.PerClass[1], "b", 0.5, 0.5, 0.5, support: 2, predicted: 2);
        AssertClass(report.PerClass[2], "c", 2.0 / 3, 1.0, 0.8, support: 2, predicted: 3);
        Assert.AreEqual((1.0 + 0.5 + 2.0 / 3) / 3, report.MacroPrecision!.Value, Tolerance);
        Assert.AreEqual((0.5 + 0.5 + 1.0) / 3, report.MacroRecall!.Value, Tolerance);
        Assert.AreEqual((2.0 / 3 + 0.5 + 0.8) / 3, report.MacroF1!.Value, Tolerance);
        Assert.AreEqual(4.0 / 6, report.MicroF1!.Value, Tolerance);
        Assert.AreEqual(4.0 / 6, report.MicroPrecision!.Value, Tolerance);
        Assert.AreEqual((2.0 / 3 + 0.5 + 0.8) / 3, report.WeightedF1!.Value, Tolerance, "equal supports: weighted = macro");
        double logLoss = -(Math.Log(0.75) + Math.Log(0.10) + Math.Log(0.65) + Math.Log(0.30) + Math.Log(0.85) + Math.Log(0.45)) / 6;
        Assert.AreEqual(logLoss, report.LogLoss!.Value, 1e-6);
        // Σ_c (p_c − y_c)² per row: .095, 1.235, .195, .915, .035, .455.
        Assert.AreEqual(2.93 / 6, report.BrierScore!.Value, 1e-6);
        // Example 2's true class is third of three.
        Assert.AreEqual(2, report.TopK);
        Assert.AreEqual(5.0 / 6, report.TopKAccuracy!.Value, Tolerance);
        // Bins 4,5,6,6,7,8: |1−.45| + |0−.55| + 2·|.5−.65| + |1−.75| + |1−.85| over 6.
        Assert.AreEqual(1.8 / 6, report.ExpectedCalibrationError!.Value, 1e-6);
        Assert.AreEqual(2, report.Calibration![6].Count);
        Assert.AreEqual(0.5, report.Calibration[6].Accuracy, Tolerance);
        Assert.AreEqual(0.65, report.Calibration[6].MeanConfidence, 1e-6);
        Assert.IsTrue(double.IsNaN(report.Calibration[0].Accuracy), "an empty bin has no accuracy");
        // One-vs-rest pair counts: a 6/8, b 7/8, c 7/8.
        Assert.AreEqual(0.75, report.PerClass[0].RocAuc, Tolerance);
        Assert.AreEqual(0.875, report.PerClass[1].RocAuc, Tolerance);
        Assert.AreEqual(0.875, report.PerClass[2].RocAuc, Tolerance);
        Assert.AreEqual((0.75 + 0.875 + 0.875) / 3, report.RocAuc!.Value, Tolerance);
    }

    [TestMethod]
    public void Accumulator_TopKOfOne_EqualsAccuracy()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets, options: MetricFixtures.Options(topK: 1));

        Assert.AreEqual(report.Accuracy, report.TopKAccuracy!.Value, Tolerance);
    }

    [TestMethod]
    public void Accumulator_ClassNeverPredictedAndClassAbsent_CountAsZeroAndAverageLikeScikitLearn()
    {
        // Classes a, b, c, d. Truth a,a,b,b; predictions a,a,a,c. b is never predicted, c never true, d nowhere.
        var labels = new LabelMap(["a", "b", "c", "d"]);
        var report = MetricFixtures.SingleLabel(MetricFixtures.Rows(4, [0, 0, 0, 2]), [0, 0, 1, 1], labels);

        AssertClass(report.PerClass[0], "a", 2.0 / 3, 1.0, 0.8, support: 2, predicted: 3);
        AssertClass(report.PerClass[1], "b", 0, 0, 0, support: 2, predicted: 0);
        AssertClass(report.PerClass[2], "c", 0, 0, 0, support: 0, predicted: 1);
        AssertClass(report.PerClass[3], "d", 0, 0, 0, support: 0, predicted: 0);
        Assert.AreEqual(0.5, report.Accuracy, Tolerance);
        // Macro over the classes seen in truth or predictions (a, b, c); d is left out.
        Assert.AreEqual(0.8 / 3, report.MacroF1!.Value, Tolerance);
        // Balanced accuracy averages recall over the classes present in the test set (a, b).
        Assert.AreEqual(0.5, report.BalancedAccuracy!.Value, Tolerance);
        Assert.AreEqual((2 * 0.8 + 2 * 0) / 4, report.WeightedF1!.Value, Tolerance);
        Assert.IsTrue(double.IsNaN(report.PerClass[2].RocAuc), "no positives for c");
        Assert.IsTrue(double.IsNaN(report.PerClass[3].RocAuc), "no positives for d");
        Assert.AreEqual((report.PerClass[0].RocAuc + report.PerClass[1].RocAuc) / 2, report.RocAuc!.Value, Tolerance);
    }

    [TestMethod]
    public void Accumulator_AllOneClass_PerfectScoresAndUndefinedAuc()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.Rows(3, [0, 0, 0]), [0, 0, 0]);

        Assert.AreEqual(1.0, report.Accuracy);
        Assert.AreEqual(1.0, report.MacroF1!.Value, Tolerance, "only class a is seen");
        Assert.AreEqual(1.0, report.BalancedAccuracy!.Value, Tolerance);
        Assert.IsTrue(double.IsNaN(report.RocAuc!.Value), "AUC needs positives and negatives");
        Assert.AreEqual(-Math.Log(0.8), report.LogLoss!.Value, 1e-6);
    }

    [TestMethod]
    public void Accumulator_BinaryAuc_MatchesRankSumWithTies()
    {
        // Positive-class scores .9 (pos), .4 (pos), .4 (neg), .2 (neg): pairs won 1 + 1 + 0.5 (tie) + 1 of 4.
        float[] rows = [0.1f, 0.9f, 0.6f, 0.4f, 0.6f, 0.4f, 0.8f, 0.2f];
        var report = MetricFixtures.SingleLabel(rows, [1, 1, 0, 0], new LabelMap(["neg", "pos"]));

        Assert.AreEqual(3.5 / 4, report.RocAuc!.Value, Tolerance);
        Assert.AreEqual(report.PerClass[0].RocAuc, report.PerClass[1].RocAuc, Tolerance, "binary: both one-vs-rest AUCs agree");
    }

    [TestMethod]
    public void Accumulator_ConfidentMiss_LogLossClippedFinite()
    {
        var report = MetricFixtures.SingleLabel([1f, 0f, 0f], [1]);

        Assert.AreEqual(-Math.Log(1e-15), report.LogLoss!.Value, 1e-9);
    }

    [TestMethod]
    public void Accumulator_WrongRowWidth_ThrowsNamingShape()
    {
        var accumulator = new SingleLabelAccumulator(3, 1, 10);

        var e = Assert.ThrowsExactly<ArgumentException>(() => accumulator.Add(new float[4], [0, 1]));
        StringAssert.Contains(e.Message, "2 rows of 3");
    }

    private static void AssertClass(ClassMetrics c, string label, double precision, double recall, double f1, long support, long predicted)
    {
        Assert.AreEqual(label, c.Label);
        Assert.AreEqual(precision, c.Precision, Tolerance, $"{label} precision");
        Assert.AreEqual(recall, c.Recall, Tolerance, $"{label} recall");
        Assert.AreEqual(f1, c.F1, Tolerance, $"{label} F1");
        Assert.AreEqual(support, c.Support, $"{label} support");
        Assert.AreEqual(predicted, c.Predicted, $"{label} predicted");
    }
}
