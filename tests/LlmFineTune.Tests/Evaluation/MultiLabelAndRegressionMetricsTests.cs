using LlmFineTune.Data;
using LlmFineTune.Evaluation;

namespace LlmFineTune.Tests.Evaluation;

[TestClass]
public sealed class MultiLabelAndRegressionMetricsTests
{
    private const double Tolerance = 1e-6;

    [TestMethod]
    public void MultiLabel_PerLabelThresholds_MatchHandComputedMetrics()
    {
        // Labels x, y, z; z is decided at 0.3, the others at 0.5.
        // Truth {x}, {x,y}, {}, {z}; predictions {x}, {x,z}, {}, {y,z}.
        var report = MultiLabel(
            [0.9f, 0.2f, 0.1f, 0.6f, 0.4f, 0.35f, 0.1f, 0.2f, 0.2f, 0.2f, 0.7f, 0.5f],
            [[0], [0, 1], [], [2]],
            [0.5, 0.5, 0.3]);

        Assert.AreEqual(TaskKind.MultiLabel, report.Task);
        Assert.AreEqual(0.5, report.SubsetAccuracy!.Value, Tolerance);
        Assert.AreEqual(0.5, report.Accuracy, Tolerance);
        Assert.AreEqual(3.0 / 12, report.HammingLoss!.Value, Tolerance);
        // x: tp 2; y: fp 1, fn 1; z: tp 1, fp 1. Micro: 2·3 / (2·3 + 2 + 1).
        Assert.AreEqual(6.0 / 9, report.MicroF1!.Value, Tolerance);
        Assert.AreEqual((1 + 0 + 2.0 / 3) / 3, report.MacroF1!.Value, Tolerance);
        Assert.AreEqual(0.5, report.PerClass[2].Precision, Tolerance);
        Assert.AreEqual(1.0, report.PerClass[2].Recall, Tolerance);
        Assert.AreEqual(0.3, report.PerClass[2].Threshold!.Value, Tolerance);
        Assert.AreEqual(1, report.PerClass[1].Support);
        Assert.AreEqual(1, report.PerClass[1].Predicted);
        // AUC x 1, y 2/3, z 1.
        Assert.AreEqual((1 + 2.0 / 3 + 1) / 3, report.RocAuc!.Value, Tolerance);
        Assert.IsNull(report.ConfusionMatrix);
        Assert.IsNull(report.LogLoss);
        CollectionAssert.AreEqual(new[] { 0, 2 }, report.Examples!.PredictedLabels![1].ToArray());
    }

    [TestMethod]
    public void MultiLabel_ThresholdsDecideLabels_HigherThresholdPredictsFewer()
    {
        float[] p = [0.9f, 0.2f, 0.1f, 0.6f, 0.4f, 0.35f];
        int[][] truth = [[0], [0, 1]];

        var loose = MultiLabel(p, truth, [0.3, 0.3, 0.3]);
        var strict = MultiLabel(p, truth, [0.7, 0.7, 0.7]);

        Assert.AreEqual(4, loose.PerClass.Sum(c => c.Predicted), "x twice, y once, z once at 0.3");
        Assert.AreEqual(1, strict.PerClass.Sum(c => c.Predicted), "only x of example 1 at 0.7");
    }

    [TestMethod]
    public void Regression_FourExamples_MatchesHandComputedMetrics()
    {
        var report = Regression([1.5f, 2f, 2f, 5f], [1f, 2f, 3f, 4f]);

        Assert.AreEqual(0.5625, report.Mse!.Value, Tolerance);
        Assert.AreEqual(0.625, report.Mae!.Value, Tolerance);
        Assert.AreEqual(1 - 2.25 / 5, report.R2!.Value, Tolerance);
        Assert.IsTrue(double.IsNaN(report.Accuracy));
        Assert.IsNull(report.MacroF1);
        Assert.AreEqual(0.5625, report.GetMetric("mse"), Tolerance);
    }

    [TestMethod]
    public void Regression_ConstantTargets_R2IsOneWhenExactElseZero()
    {
        Assert.AreEqual(1.0, Regression([2f, 2f], [2f, 2f]).R2!.Value);
        Assert.AreEqual(0.0, Regression([2f, 3f], [2f, 2f]).R2!.Value);
    }

    internal static EvaluationReport MultiLabel(float[] probabilities, int[][] truth, double[] thresholds, EvaluationOptions? options = null)
    {
        var accumulator = new MultiLabelAccumulator(thresholds);
        accumulator.Add(probabilities, truth);
        return accumulator.ToReport(new LabelMap(["x", "y", "z"]), options ?? MetricFixtures.Options(), skipped: 0);
    }

    internal static EvaluationReport Regression(float[] predictions, float[] targets, EvaluationOptions? options = null)
    {
        var accumulator = new RegressionAccumulator();
        accumulator.Add(predictions, targets);
        return accumulator.ToReport(options ?? MetricFixtures.Options(), skipped: 0);
    }
}
