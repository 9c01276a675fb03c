using LlmFineTune.Pretraining;

namespace LlmFineTune.Tests.Pretraining;

[TestClass]
public sealed class PretrainingCalibrationTests
{
    [TestMethod]
    public void StepsWithin_FifteenMinutesAtFourHundredMilliseconds_2250Steps() =>
        Assert.AreEqual(2250, PretrainingCalibration.StepsWithin(TimeSpan.FromMinutes(15), 0.4));

    [TestMethod]
    public void StepsWithin_PartialStepLeft_RoundsDown() =>
        Assert.AreEqual(3, PretrainingCalibration.StepsWithin(TimeSpan.FromSeconds(10), 3));

    [TestMethod]
    public void StepsWithin_BudgetShorterThanOneStep_OneStep() =>
        Assert.AreEqual(1, PretrainingCalibration.StepsWithin(TimeSpan.FromSeconds(1), 5));

    [TestMethod]
    public void StepsWithin_ZeroSecondsPerStep_ThrowsNamingIt()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PretrainingCalibration.StepsWithin(TimeSpan.FromMinutes(1), 0));

        Assert.AreEqual("secondsPerStep", e.ParamName);
    }
}
