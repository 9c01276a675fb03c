using LlmFineTune.Pretraining;

namespace LlmFineTune.Tests.Pretraining;

[TestClass]
public sealed class StepCostModelTests
{
    [TestMethod]
    public void Fit_StepsLinearInTokens_RecoversBothParts()
    {
        (double, double)[] steps = [(200, 0.25), (2000, 2.05), (600, 0.65), (1200, 1.25)];

        var model = StepCostModel.Fit(steps);

        Assert.AreEqual(0.05, model.FixedSeconds, 1e-9);
        Assert.AreEqual(0.001, model.SecondsPerToken, 1e-12);
        Assert.AreEqual(1.05, model.SecondsFor(1000), 1e-9, "a mean padded size the timed steps did not have");
    }

    [TestMethod]
    public void Fit_EqualSizes_PlainMean()
    {
        var model = StepCostModel.Fit([(512, 0.3), (512, 0.5)]);

        Assert.AreEqual(0.4, model.SecondsFor(100), 1e-12, "no size effect can be seen, so none is assumed");
    }

    [TestMethod]
    public void Fit_LargerStepsFaster_PlainMeanNotANegativeRate() =>
        Assert.AreEqual(new StepCostModel(0.4, 0), StepCostModel.Fit([(100, 0.5), (1000, 0.3)]));

    [TestMethod]
    public void Fit_NegativeFixedPart_FitsThroughTheOrigin()
    {
        // slope 0.002 with intercept -0.1: extrapolating to small batches would predict negative times
        var model = StepCostModel.Fit([(100, 0.1), (200, 0.3), (300, 0.5)]);

        Assert.AreEqual(0, model.FixedSeconds);
        Assert.AreEqual((100 * 0.1 + 200 * 0.3 + 300 * 0.5) / (100.0 * 100 + 200 * 200 + 300 * 300), model.SecondsPerToken, 1e-12);
    }

    [TestMethod]
    public void Fit_NoSteps_Throws() =>
        Assert.ThrowsExactly<ArgumentException>(() => StepCostModel.Fit([]));
}
