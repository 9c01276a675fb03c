using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Tests.Training;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Evaluation;

[TestClass]
[DoNotParallelize]
public sealed class TemperatureScalingTests
{
    [TestInitialize]
    public void Seed() => manual_seed(7);

    /// <summary>A model trained hard on noisy labels (a third flipped) is overconfident on held-out texts.</summary>
    private static (TextClassifier Model, TextDataset Validation) Overconfident()
    {
        var clean = TinyModels.SingleLabel(perClass: 30, seed: 11);
        var random = new Random(3);
        var noisy = TextDataset.FromExamples(clean.Select(e => random.Next(3) == 0 ? TextExample.Labeled(e.Text, TinyModels.TopicNames[random.Next(3)]) : e), labelMap: clean.LabelMap);
        var (train, validation) = noisy.StratifiedSplit(0.3, seed: 1);
        var model = TinyModels.Create(train);
        new Trainer(new TrainerOptions { Epochs = 30, BatchSize = 4, LearningRate = 0.5, ValidationFraction = 0, CalibrateTemperature = false }).Train(model, train);
        return (model, validation);
    }

    private static double LogLoss(TextClassifier model, ITextDataset data) =>
        new Evaluator(new EvaluationOptions { BootstrapSamples = 0 }).Evaluate(model, data).LogLoss!.Value;

    [TestMethod]
    public void Fit_OverconfidentModel_SoftensAndLowersValidationLogLossWithTheSameArgmax()
    {
        var (model, validation) = Overconfident();
        using var owned = model;
        var texts = validation.Select(e => e.Text).ToList();
        var before = model.PredictBatch(texts);
        double lossBefore = LogLoss(model, validation);

        double temperature = TemperatureScaling.Fit(model, validation);
        model.Temperature = temperature;

        Assert.IsTrue(temperature > 1.5, $"fitted T = {temperature}");
        Assert.IsTrue(LogLoss(model, validation) < lossBefore - 0.05, $"log-loss {lossBefore} -> {LogLoss(model, validation)}");
        var after = model.PredictBatch(texts);
        CollectionAssert.AreEqual(before.Select(p => p.Label).ToList(), after.Select(p => p.Label).ToList());
        Assert.IsTrue(after.Zip(before).All(p => p.First.Score <= p.Second.Score + 1e-6f), "a temperature above 1 lowers the top probability");
    }

    [TestMethod]
    public void Evaluate_ScaledModel_ReportsLogLossAndCalibrationErrorAtTemperatureOneAndAtItsOwnWithTheSamePredictions()
    {
        var (model, validation) = Overconfident();
        using var owned = model;
        var evaluator = new Evaluator(new EvaluationOptions { BootstrapSamples = 0 });
        var unscaled = evaluator.Evaluate(model, validation);
        model.Temperature = TemperatureScaling.Fit(model, validation);

        var report = evaluator.Evaluate(model, validation);

        Assert.IsNull(unscaled.TemperatureScaling, "a model at temperature 1 has nothing to compare");
        var scaling = report.TemperatureScaling!;
        Assert.AreEqual(model.Temperature, scaling.Temperature);
        Assert.AreEqual(unscaled.LogLoss!.Value, scaling.LogLossBefore, 1e-9);
        Assert.AreEqual(unscaled.ExpectedCalibrationError!.Value, scaling.CalibrationErrorBefore, 1e-9);
        Assert.AreEqual(report.LogLoss!.Value, scaling.LogLossAfter);
        Assert.AreEqual(report.ExpectedCalibrationError!.Value, scaling.CalibrationErrorAfter);
        Assert.IsTrue(scaling.LogLossAfter < scaling.LogLossBefore, $"log-loss {scaling.LogLossBefore} -> {scaling.LogLossAfter}");
        Assert.IsTrue(scaling.CalibrationErrorAfter < scaling.CalibrationErrorBefore, $"ECE {scaling.CalibrationErrorBefore} -> {scaling.CalibrationErrorAfter}");
        CollectionAssert.AreEqual(unscaled.Examples!.Predicted!.ToArray(), report.Examples!.Predicted!.ToArray());
        Assert.AreEqual(unscaled.MacroF1, report.MacroF1);
        Assert.AreEqual(unscaled.Accuracy, report.Accuracy);

        Assert.AreEqual(scaling, EvaluationReport.FromJson(report.ToJson()).TemperatureScaling);
        StringAssert.Contains(report.ToJson(), "\"temperatureScaling\"");
        StringAssert.Contains(report.ToMarkdown(), FormattableString.Invariant($"| logLoss | {scaling.LogLossBefore:0.0000} | {scaling.LogLossAfter:0.0000} |"));
    }

    [TestMethod]
    public void Fit_IsTheMinimumOfTheValidationLogLoss()
    {
        var (model, validation) = Overconfident();
        using var owned = model;
        double fitted = TemperatureScaling.Fit(model, validation);

        model.Temperature = fitted;
        double atFit = LogLoss(model, validation);
        foreach (double factor in new[] { 0.8, 1.25 })
        {
            model.Temperature = fitted * factor;
            Assert.IsTrue(LogLoss(model, validation) > atFit, $"T = {fitted * factor} beats the fitted {fitted}");
        }
    }

    [TestMethod]
    public void Trainer_HeldOutRun_FitsTheTemperatureAndSaveLoadKeepsIt()
    {
        var data = TinyModels.SingleLabel(perClass: 40, seed: 12);
        using var model = TinyModels.Create(data);
        new Trainer(new TrainerOptions { Epochs = 3, BatchSize = 8, LearningRate = 0.5 }).Train(model, data);
        Assert.AreNotEqual(1.0, model.Temperature);

        string directory = Path.Combine(Path.GetTempPath(), "llmft-temperature-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(directory);
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "config.json")))!;
            Assert.AreEqual(model.Temperature, config["llmfinetune"]!["temperature"]!.GetValue<double>());
            using var loaded = TextClassifier.Load(directory);
            Assert.AreEqual(model.Temperature, loaded.Temperature);
            var texts = data.Take(5).Select(e => e.Text).ToList();
            CollectionAssert.AreEqual(model.PredictBatch(texts).Select(p => p.Score).ToList(), loaded.PredictBatch(texts).Select(p => p.Score).ToList());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void Load_NonPositiveTemperature_ThrowsNamingTheKey()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 13);
        using var model = TinyModels.Create(data);
        string directory = Path.Combine(Path.GetTempPath(), "llmft-temperature-" + Guid.NewGuid().ToString("N"));
        try
        {
            model.Save(directory);
            string path = Path.Combine(directory, "config.json");
            var config = JsonNode.Parse(File.ReadAllText(path))!;
            config["llmfinetune"]!["temperature"] = -1.0;
            File.WriteAllText(path, config.ToJsonString());

            var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(directory));
            StringAssert.Contains(e.Message, "llmfinetune.temperature");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void Temperature_Zero_Throws()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 14);
        using var model = TinyModels.Create(data);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Temperature = 0);
    }

    [TestMethod]
    public void Fit_RegressionModel_Throws()
    {
        var data = TinyModels.Regression(12, seed: 15);
        using var model = TinyModels.Create(data);
        var e = Assert.ThrowsExactly<ArgumentException>(() => TemperatureScaling.Fit(model, data));
        StringAssert.Contains(e.Message, "regression");
    }
}
