using LlmFineTune.Training;
using LlmFineTune.Training.Schedules;

namespace LlmFineTune.Tests.Training;

[TestClass]
public sealed class ScheduleTests
{
    [TestMethod]
    public void ConstantSchedule_WithWarmup_RisesLinearlyThenStaysAtOne()
    {
        var schedule = new ConstantSchedule(warmupSteps: 4);

        double[] curve = Curve(schedule, 8);

        CollectionAssert.AreEqual(new[] { 0, 0.25, 0.5, 0.75, 1, 1, 1, 1 }, curve);
    }

    [TestMethod]
    public void LinearSchedule_Curve_MatchesWarmupThenLinearDecayFormula()
    {
        var schedule = new LinearSchedule(warmupSteps: 10);
        const int total = 110;

        for (int s = 0; s < total; s++)
        {
            double expected = s < 10 ? s / 10.0 : (total - s) / 100.0;
            Assert.AreEqual(expected, schedule.Multiplier(s, total), 1e-12, $"step {s}");
        }
        Assert.AreEqual(0.5, schedule.Multiplier(60, total), 1e-12);
    }

    [TestMethod]
    public void CosineSchedule_Curve_MatchesHalfCosineFormula()
    {
        var schedule = new CosineSchedule(warmupSteps: 10);
        const int total = 110;

        for (int s = 0; s < total; s++)
        {
            double expected = s < 10 ? s / 10.0 : 0.5 * (1 + Math.Cos(Math.PI * (s - 10) / 100.0));
            Assert.AreEqual(expected, schedule.Multiplier(s, total), 1e-12, $"step {s}");
        }
        Assert.AreEqual(1.0, schedule.Multiplier(10, total), 1e-12);
        Assert.AreEqual(0.5, schedule.Multiplier(60, total), 1e-12);
    }

    [TestMethod]
    public void SlantedTriangularSchedule_Curve_MatchesUlmfitEquation3()
    {
        var schedule = new SlantedTriangularSchedule(cutFraction: 0.1, ratio: 32);
        const int total = 1000;
        const int cut = 100;

        for (int t = 0; t < total; t++)
        {
            double p = t < cut ? (double)t / cut : 1 - (t - cut) / (cut * (1 / 0.1 - 1));
            Assert.AreEqual((1 + p * 31) / 32, schedule.Multiplier(t, total), 1e-12, $"step {t}");
        }
        Assert.AreEqual(1.0 / 32, schedule.Multiplier(0, total), 1e-12);
        Assert.AreEqual(1.0, schedule.Multiplier(cut, total), 1e-12);
    }

    [TestMethod]
    public void OneCycleSchedule_Curve_MatchesPyTorchOneCycleFormula()
    {
        var schedule = new OneCycleSchedule(percentStart: 0.3, divFactor: 25, finalDivFactor: 1e4);
        const int total = 100;
        double start = 1 / 25.0, end = start / 1e4, riseEnd = 0.3 * total - 1, last = total - 1;
        static double Anneal(double a, double b, double p) => b + (a - b) / 2 * (1 + Math.Cos(Math.PI * p));

        for (int s = 0; s < total; s++)
        {
            double expected = s <= riseEnd ? Anneal(start, 1, s / riseEnd) : Anneal(1, end, (s - riseEnd) / (last - riseEnd));
            Assert.AreEqual(expected, schedule.Multiplier(s, total), 1e-12, $"step {s}");
        }
        Assert.AreEqual(start, schedule.Multiplier(0, total), 1e-12);
        Assert.AreEqual(1.0, schedule.Multiplier(29, total), 1e-12);
        Assert.AreEqual(end, schedule.Multiplier(99, total), 1e-12);
    }

    [TestMethod]
    public void Trainer_WithSchedule_EachStepUsesBaseRateTimesMultiplier()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 1);
        using var model = TinyModels.Create(data);
        var schedule = new CosineSchedule(warmupSteps: 3);

        var result = new Trainer(new TrainerOptions { Epochs = 3, BatchSize = 4, LearningRate = 0.02 }, schedule: schedule).Train(model, data);

        Assert.AreEqual(18, result.Steps);
        for (int i = 0; i < result.Steps; i++)
            Assert.AreEqual(0.02 * schedule.Multiplier(i, 18), result.History[i].LearningRate, 1e-15, $"step {i + 1}");
    }

    [TestMethod]
    public void Schedules_BadSettings_RejectedNamingTheParameter()
    {
        Assert.AreEqual("warmupSteps", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new LinearSchedule(-1)).ParamName);
        Assert.AreEqual("cutFraction", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SlantedTriangularSchedule(cutFraction: 1)).ParamName);
        Assert.AreEqual("divFactor", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new OneCycleSchedule(divFactor: 0.5)).ParamName);
    }

    private static double[] Curve(ILearningRateSchedule schedule, int total) =>
        [.. Enumerable.Range(0, total).Select(s => schedule.Multiplier(s, total))];
}
