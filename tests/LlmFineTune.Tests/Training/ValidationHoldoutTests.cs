using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Training;

[TestClass]
[DoNotParallelize]
public sealed class ValidationHoldoutTests
{
    [TestInitialize]
    public void Seed() => manual_seed(7);

    [TestMethod]
    public void Train_NoValidationSet_HoldsOutTenPercentAndEvaluatesEachEpoch()
    {
        var data = TinyModels.SingleLabel(perClass: 40, seed: 1);
        using var model = TinyModels.Create(data);

        var result = new Trainer(new TrainerOptions { Epochs = 3, BatchSize = 8, LearningRate = 0.05 }).Train(model, data);

        Assert.AreEqual(3, result.Evaluations.Count);
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, result.Evaluations.Select(e => e.Epoch).ToArray());
        // 108 of 120 examples train (12 held out: 4 per class), in batches of 8: 14 steps per epoch
        Assert.AreEqual(3 * 14, result.Steps);
        Assert.IsNotNull(result.BestStep);
    }

    [TestMethod]
    public void Train_HeldOut_RestoresTheBestEpochsWeights()
    {
        var data = TinyModels.SingleLabel(perClass: 40, seed: 2);
        using var model = TinyModels.Create(data);
        var byStep = new Dictionary<int, Dictionary<string, float[]>>();
        var probe = new RecordingCallback((state, _) => byStep[state.Step] = TinyModels.Weights(model.Network));

        var result = new Trainer(new TrainerOptions { Epochs = 4, BatchSize = 8, LearningRate = 0.5, MetricForBestModel = "macroF1", GreaterIsBetter = true }, callbacks: [probe])
            .Train(model, data);

        TinyModels.AssertSameWeights(byStep[result.BestStep!.Value], TinyModels.Weights(model.Network));
    }

    [TestMethod]
    [DataRow("single")]
    [DataRow("multi")]
    [DataRow("regression")]
    public void Train_NoMetricGiven_ClassifiersKeepTheFirstBestMacroF1AndRegressionTheLowestLoss(string kind)
    {
        var data = kind switch
        {
            "single" => TinyModels.SingleLabel(perClass: 40, seed: 4),
            "multi" => TinyModels.MultiLabel(count: 160, seed: 4),
            _ => TinyModels.Regression(count: 160, seed: 4),
        };
        using var model = TinyModels.Create(data);

        var result = new Trainer(new TrainerOptions { Epochs = 5, BatchSize = 8, LearningRate = 0.02 }).Train(model, data);

        string metric = kind == "regression" ? "loss" : "macroF1";
        var values = result.Evaluations.Select(e => e.Metrics[metric]).ToList();
        double best = kind == "regression" ? values.Min() : values.Max();
        Assert.AreEqual(metric, result.BestMetricName);
        Assert.AreEqual(best, result.BestMetric);
        // ties keep the earliest epoch that reached the best value
        Assert.AreEqual(result.Evaluations[values.IndexOf(best)].Step, result.BestStep);
        Assert.IsTrue(values.Distinct().Count() > 1, "the metric should change between epochs, or the test proves nothing");
    }

    [TestMethod]
    public void Train_MetricGivenWithoutDirection_SmallerIsBetterOnlyForLosses()
    {
        var data = TinyModels.SingleLabel(perClass: 40, seed: 5);
        foreach (var (metric, pick) in new (string, Func<IEnumerable<double>, double>)[] { ("loss", v => v.Min()), ("accuracy", v => v.Max()) })
        {
            using var model = TinyModels.Create(data);
            var result = new Trainer(new TrainerOptions { Epochs = 4, BatchSize = 8, LearningRate = 0.5, MetricForBestModel = metric }).Train(model, data);
            Assert.AreEqual(pick(result.Evaluations.Select(e => e.Metrics[metric])), result.BestMetric, metric);
        }
    }

    [TestMethod]
    public void Train_FractionZeroOrSmallSet_UsesEveryExampleWithoutEvaluation()
    {
        var large = TinyModels.SingleLabel(perClass: 40, seed: 3);
        using var model = TinyModels.Create(large);
        var off = new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 8, ValidationFraction = 0 }).Train(model, large);
        Assert.AreEqual(0, off.Evaluations.Count);
        Assert.AreEqual(15, off.Steps);

        var small = TinyModels.SingleLabel(perClass: 10, seed: 3);
        using var other = TinyModels.Create(small);
        var whole = new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 6 }).Train(other, small);
        Assert.AreEqual(0, whole.Evaluations.Count);
        Assert.AreEqual(5, whole.Steps);
    }

    [TestMethod]
    public void Train_RefitOnAllData_TrainsEveryExampleForTheBestEpochCount()
    {
        var data = TinyModels.SingleLabel(perClass: 40, seed: 4);
        using var model = TinyModels.Create(data);

        var result = new Trainer(new TrainerOptions { Epochs = 3, BatchSize = 8, LearningRate = 0.05, RefitOnAllData = true }).Train(model, data);

        int bestEpoch = result.Evaluations.Single(e => e.Step == result.BestStep).Epoch;
        Assert.AreEqual(3, result.Evaluations.Count);
        Assert.AreEqual(bestEpoch * 15, result.Steps, "120 examples in batches of 8 per refit epoch");
    }

    [TestMethod]
    public void Train_SameSeed_SameHoldoutSameWeights()
    {
        var data = TinyModels.SingleLabel(perClass: 40, seed: 5);
        using var first = TinyModels.Create(data);
        using var second = TinyModels.Create(data);
        var options = new TrainerOptions { Epochs = 2, BatchSize = 8, LearningRate = 0.05 };

        var a = new Trainer(options).Train(first, data);
        var b = new Trainer(options).Train(second, data);

        Assert.AreEqual(a.BestMetric, b.BestMetric);
        Assert.AreEqual(first.Temperature, second.Temperature);
        TinyModels.AssertSameWeights(TinyModels.Weights(first.Network), TinyModels.Weights(second.Network));
    }

    [TestMethod]
    public void Train_DefaultSchedule_DecaysLinearlyToZero()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 6);
        using var model = TinyModels.Create(data);

        var result = new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 4, LearningRate = 0.1 }).Train(model, data);

        Assert.AreEqual(0.1, result.History[0].LearningRate, 1e-12);
        Assert.AreEqual(0.1 / result.Steps, result.History[^1].LearningRate, 1e-12);
        for (int i = 1; i < result.History.Count; i++)
            Assert.IsTrue(result.History[i].LearningRate < result.History[i - 1].LearningRate);
    }

    [TestMethod]
    public void Validate_FractionAboveHalf_NamesTheOption()
    {
        var e = Assert.ThrowsExactly<Microsoft.Extensions.Options.OptionsValidationException>(() => new Trainer(new TrainerOptions { ValidationFraction = 0.7 }));
        StringAssert.Contains(e.Message, "ValidationFraction");
    }
}
