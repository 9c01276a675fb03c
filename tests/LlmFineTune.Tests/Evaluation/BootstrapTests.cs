using LlmFineTune.Data;
using LlmFineTune.Evaluation;

namespace LlmFineTune.Tests.Evaluation;

[TestClass]
public sealed class BootstrapTests
{
    [TestMethod]
    public void Quantile_LinearInterpolation_MatchesHandValues()
    {
        double[] sorted = [1, 2, 3, 4, 5];

        Assert.AreEqual(1.0, Bootstrap.Quantile(sorted, 0));
        Assert.AreEqual(3.0, Bootstrap.Quantile(sorted, 0.5));
        Assert.AreEqual(4.6, Bootstrap.Quantile(sorted, 0.9), 1e-12);
        Assert.IsTrue(double.IsNaN(Bootstrap.Quantile([], 0.5)));
    }

    [TestMethod]
    public void Intervals_SameSeed_Identical_OtherSeed_Different()
    {
        var (probabilities, targets) = Noisy(200, seed: 5);

        var a = MetricFixtures.SingleLabel(probabilities, targets, MetricFixtures.FourClasses, options: MetricFixtures.Options(seed: 11));
        var b = MetricFixtures.SingleLabel(probabilities, targets, MetricFixtures.FourClasses, options: MetricFixtures.Options(seed: 11));
        var c = MetricFixtures.SingleLabel(probabilities, targets, MetricFixtures.FourClasses, options: MetricFixtures.Options(seed: 12));

        CollectionAssert.AreEquivalent(new[] { "accuracy", "balancedAccuracy", "macroF1", "weightedF1", "logLoss" }, a.Intervals.Keys.ToArray());
        foreach (var (name, interval) in a.Intervals)
            Assert.AreEqual(interval, b.Intervals[name], name);
        Assert.AreNotEqual(a.Intervals["accuracy"], c.Intervals["accuracy"]);
    }

    [TestMethod]
    public void Intervals_NoisyPredictions_ContainPointEstimateAndHaveSensibleWidth()
    {
        var (probabilities, targets) = Noisy(400, seed: 6);

        var report = MetricFixtures.SingleLabel(probabilities, targets, MetricFixtures.FourClasses, options: MetricFixtures.Options(bootstrapSamples: 500));

        foreach (string name in report.Intervals.Keys)
        {
            var ci = report.Intervals[name];
            Assert.IsTrue(ci.Contains(report.GetMetric(name)), $"{name} {report.GetMetric(name)} outside [{ci.Lower}, {ci.Upper}]");
        }
        // Accuracy ≈ 0.7 on 400 examples: the 95% interval is about ±1.96·sqrt(.21/400) ≈ ±0.045.
        double width = report.Intervals["accuracy"].Upper - report.Intervals["accuracy"].Lower;
        Assert.IsTrue(width > 0.06 && width < 0.12, $"width {width}");
    }

    [TestMethod]
    public void Intervals_AllCorrect_Degenerate()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.Rows(3, [0, 1, 2, 0]), [0, 1, 2, 0]);

        Assert.AreEqual(new ConfidenceInterval(1, 1), report.Intervals["accuracy"]);
    }

    [TestMethod]
    public void Intervals_ZeroSamples_NoIntervals()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets, options: MetricFixtures.Options(bootstrapSamples: 0));

        Assert.AreEqual(0, report.Intervals.Count);
    }

    [TestMethod]
    public void Compare_BetterModel_DifferenceAndIntervalAboveZero()
    {
        var (good, targets) = Noisy(300, seed: 7, correctRate: 0.9);
        var (bad, _) = Noisy(300, seed: 7, correctRate: 0.6);
        var a = MetricFixtures.SingleLabel(good, targets, MetricFixtures.FourClasses);
        var b = MetricFixtures.SingleLabel(bad, targets, MetricFixtures.FourClasses);

        var comparison = Evaluator.Compare(a, b, "accuracy", samples: 500, seed: 3);

        Assert.AreEqual(a.Accuracy - b.Accuracy, comparison.Difference, 1e-12);
        Assert.IsTrue(comparison.Interval.Lower > 0, $"interval [{comparison.Interval.Lower}, {comparison.Interval.Upper}]");
        Assert.IsTrue(comparison.IsSignificant);
        Assert.AreEqual("A", comparison.Better);
        Assert.AreEqual(comparison, Evaluator.Compare(a, b, "accuracy", samples: 500, seed: 3), "seeded: same result");

        var byLoss = Evaluator.Compare(a, b, "logLoss", samples: 500, seed: 3);
        Assert.IsTrue(byLoss.Difference < 0, "the better model has the lower loss");
        Assert.AreEqual("A", byLoss.Better, "lower log-loss is better");
    }

    [TestMethod]
    public void Compare_SameModel_ZeroDifferenceNotSignificant()
    {
        var report = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets);

        var comparison = Evaluator.Compare(report, report, "macroF1", samples: 100);

        Assert.AreEqual(0, comparison.Difference);
        Assert.AreEqual(new ConfidenceInterval(0, 0), comparison.Interval);
        Assert.AreEqual("neither", comparison.Better);
    }

    [TestMethod]
    public void Compare_PairedResamplingIsNarrowerThanIndependentIntervals()
    {
        // Two models that agree on most examples: the paired interval of the difference is much tighter than
        // the single-model intervals suggest, which is why pairing matters.
        var (p, targets) = Noisy(300, seed: 8, correctRate: 0.75);
        var flipped = (float[])p.Clone();
        for (int i = 0; i < 10; i++) Array.Copy(MetricFixtures.Rows(4, [(targets[i] + 1) % 4]), 0, flipped, i * 4, 4);
        var a = MetricFixtures.SingleLabel(p, targets, MetricFixtures.FourClasses);
        var b = MetricFixtures.SingleLabel(flipped, targets, MetricFixtures.FourClasses);

        var comparison = Evaluator.Compare(a, b, samples: 500);

        double pairedWidth = comparison.Interval.Upper - comparison.Interval.Lower;
        double singleWidth = a.Intervals["accuracy"].Upper - a.Intervals["accuracy"].Lower;
        Assert.IsTrue(pairedWidth < singleWidth / 2, $"paired {pairedWidth} vs single {singleWidth}");
    }

    [TestMethod]
    public void Compare_DifferentTestSets_Throws()
    {
        var a = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets);
        var b = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, [0, 0, 1, 1, 2, 1]);

        var e = Assert.ThrowsExactly<ArgumentException>(() => Evaluator.Compare(a, b));
        StringAssert.Contains(e.Message, "not on the same test set");
    }

    [TestMethod]
    public void Compare_MetricWithoutPerExampleForm_ThrowsListingComparable()
    {
        var a = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets);

        var e = Assert.ThrowsExactly<ArgumentException>(() => Evaluator.Compare(a, a, "mse"));
        StringAssert.Contains(e.Message, "accuracy, balancedAccuracy, macroF1");
    }

    [TestMethod]
    public void Compare_WithoutExamples_ThrowsNamingOption()
    {
        var a = MetricFixtures.SingleLabel(MetricFixtures.SixProbabilities, MetricFixtures.SixTargets, options: new EvaluationOptions { KeepExamples = false, BootstrapSamples = 10 });

        var e = Assert.ThrowsExactly<ArgumentException>(() => Evaluator.Compare(a, a));
        StringAssert.Contains(e.Message, "KeepExamples");
    }

    [TestMethod]
    public void Intervals_MultiLabelAndRegression_HaveTheirHeadlineMetrics()
    {
        var multi = MultiLabelAndRegressionMetricsTests.MultiLabel([0.9f, 0.2f, 0.1f, 0.6f, 0.4f, 0.35f], [[0], [0, 1]], [0.5, 0.5, 0.5]);
        var regression = MultiLabelAndRegressionMetricsTests.Regression([1.5f, 2f, 2f, 5f], [1f, 2f, 3f, 4f]);

        CollectionAssert.AreEquivalent(new[] { "subsetAccuracy", "hammingLoss", "microF1", "macroF1" }, multi.Intervals.Keys.ToArray());
        CollectionAssert.AreEquivalent(new[] { "mse", "mae", "r2" }, regression.Intervals.Keys.ToArray());
        Assert.IsTrue(regression.Intervals["mse"].Contains(0.5625));
    }

    /// <summary>Four-class predictions that are right with probability <paramref name="correctRate"/>.</summary>
    internal static (float[] Probabilities, int[] Targets) Noisy(int count, int seed, double correctRate = 0.7)
    {
        var random = new Random(seed);
        var targets = new int[count];
        var predicted = new int[count];
        var decide = new Random(seed + 1000);
        for (int i = 0; i < count; i++)
        {
            targets[i] = random.Next(4);
            predicted[i] = decide.NextDouble() < correctRate ? targets[i] : (targets[i] + 1 + decide.Next(3)) % 4;
        }
        var rows = MetricFixtures.Rows(4, predicted, 0.7f);
        return (rows, targets);
    }
}
