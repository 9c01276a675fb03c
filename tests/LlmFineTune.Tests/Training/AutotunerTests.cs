using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Training;
using LlmFineTune.Training.Autotune;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Training;

[TestClass]
[DoNotParallelize]
public sealed class AutotunerTests
{
    [TestInitialize]
    public void Seed() => manual_seed(7);

    private static AutotuneResult Tune(int trials, int seed = 3)
    {
        var data = TinyModels.SingleLabel(perClass: 20, seed: 31);
        var (train, validation) = data.StratifiedSplit(0.25, seed: 1);
        return new Autotuner(new AutotuneOptions { Duration = null, MaxTrials = trials, Seed = seed })
            .Tune(train, validation, new ClassifierFactoryOptions { BagBuckets = 1024, BagDimension = 8 }, new TrainerOptions { Epochs = 2, BatchSize = 8, LearningRate = 0.05 });
    }

    [TestMethod]
    public void Tune_FixedTrialCount_IsReproducibleAndKeepsTheBestTrial()
    {
        using var first = Tune(trials: 4);
        using var second = Tune(trials: 4);

        Assert.HasCount(4, first.Trials);
        CollectionAssert.AreEqual(first.Trials.Select(t => (t.Settings, t.Score)).ToList(), second.Trials.Select(t => (t.Settings, t.Score)).ToList());
        Assert.AreEqual(first.Trials.Max(t => t.Score), first.Best.Score);
        Assert.AreEqual("macroF1", first.Metric);
        Assert.AreEqual(0.05, first.Trials[0].Settings.LearningRate, "the first trial is the given settings");
        Assert.AreEqual(first.Best.Settings.BagDimension, first.Model.Backbone.HiddenSize, "the returned model is the best trial's");
        Assert.AreNotEqual(first.Trials[0].Settings, first.Trials[1].Settings);
    }

    [TestMethod]
    public void Tune_DifferentSeed_TriesOtherSettings()
    {
        using var a = Tune(trials: 2, seed: 3);
        using var b = Tune(trials: 2, seed: 4);
        Assert.AreNotEqual(a.Trials[1].Settings, b.Trials[1].Settings);
    }

    [TestMethod]
    public void Tune_TinyBudget_StillFinishesTheDefaultsTrial()
    {
        var data = TinyModels.SingleLabel(perClass: 20, seed: 32);
        using var result = new Autotuner(new AutotuneOptions { Duration = TimeSpan.FromMilliseconds(1) })
            .Tune(data, validation: null, new ClassifierFactoryOptions { BagBuckets = 1024, BagDimension = 8 }, new TrainerOptions { Epochs = 1, BatchSize = 8 });

        Assert.HasCount(1, result.Trials);
        Assert.AreEqual(1, result.Best.Number);
    }

    [TestMethod]
    public void Options_NoBudgetAtAll_Throws()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new Autotuner(new AutotuneOptions { Duration = null, MaxTrials = null }));
        StringAssert.Contains(e.Message, "MaxTrials");
    }
}
