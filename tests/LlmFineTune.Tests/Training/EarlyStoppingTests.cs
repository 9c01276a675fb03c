using LlmFineTune.Training;
using LlmFineTune.Training.Checkpoints;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Training;

[TestClass]
public sealed class EarlyStoppingTests
{
    [TestInitialize]
    public void Seed() => manual_seed(7);

    [TestMethod]
    [DataRow(false, new[] { 1.0, 0.8, 0.9, 0.85, 0.7, 0.6 }, 2, 4, 2)]
    [DataRow(false, new[] { 1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.71 }, 3, 7, 4)]
    [DataRow(true, new[] { 0.5, 0.6, 0.6, 0.55, 0.9 }, 2, 4, 2)]
    public void Patience_ScriptedMetric_StopsAtTheRightStep(bool greaterIsBetter, double[] metric, int patience, int stopStep, int bestStep)
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 1);
        using var model = TinyModels.Create(data);
        var task = new TestTask(model, data, batchSize: 4) { Metrics = n => new Dictionary<string, double> { ["score"] = metric[Math.Min(n, metric.Length) - 1] } };
        var options = new TrainerOptions { Epochs = 3, EvaluateEverySteps = 1, EarlyStoppingPatience = patience, MetricForBestModel = "score", GreaterIsBetter = greaterIsBetter };

        var result = new Trainer(options).Train(task);

        Assert.AreEqual(stopStep, result.Steps);
        Assert.IsTrue(result.StoppedEarly);
        Assert.AreEqual(bestStep, result.BestStep);
        Assert.AreEqual(metric[bestStep - 1], result.BestMetric);
    }

    [TestMethod]
    public void RestoreBestWeights_BestAtStep2_FinalWeightsAreStep2s()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 2);
        using var model = TinyModels.Create(data);
        double[] metric = [0.9, 0.5, 0.7, 0.8, 0.6, 0.9];
        var task = new TestTask(model, data, batchSize: 4) { Metrics = n => new Dictionary<string, double> { ["loss"] = metric[n - 1] } };
        Dictionary<string, float[]>? atStep2 = null;
        var probe = new RecordingCallback((state, _) => { if (state.Step == 2) atStep2 = TinyModels.Weights(model.Network); });

        var result = new Trainer(new TrainerOptions { Epochs = 1, EvaluateEverySteps = 1, RestoreBestWeights = true, LearningRate = 0.05 }, callbacks: [probe]).Train(task);

        Assert.AreEqual(6, result.Steps);
        Assert.IsFalse(result.StoppedEarly);
        Assert.AreEqual(2, result.BestStep);
        TinyModels.AssertSameWeights(atStep2!, TinyModels.Weights(model.Network));
    }

    [TestMethod]
    public void UnknownMetric_ThrowsListingTheReportedOnes()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 3);
        using var model = TinyModels.Create(data);
        var task = new TestTask(model, data, batchSize: 4) { Metrics = _ => new Dictionary<string, double> { ["perplexity"] = 3 } };

        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            new Trainer(new TrainerOptions { Epochs = 1, EarlyStoppingPatience = 1, MetricForBestModel = "accuracy" }).Train(task));

        StringAssert.Contains(e.Message, "MetricForBestModel");
        StringAssert.Contains(e.Message, "perplexity");
    }

    [TestMethod]
    public void Patience_ResumedBetweenBestAndStop_StopsAtTheSameStepAsAnUninterruptedRun()
    {
        // best at step 2; steps 3 and 4 do not improve, so patience 2 stops at 4 only if the resumed run remembers step 3's miss
        double[] metric = [1.0, 0.8, 0.9, 0.85, 0.7, 0.6];
        var data = TinyModels.SingleLabel(perClass: 8, seed: 1);
        var options = new TrainerOptions { Epochs = 3, EvaluateEverySteps = 1, EarlyStoppingPatience = 2 };
        string root = Directory.CreateTempSubdirectory("llmft-early-").FullName;
        try
        {
            var store = new DirectoryCheckpointStore(root);
            using var cancel = new CancellationTokenSource();
            using (var model = TinyModels.Create(data))
            {
                var stopAt3 = new RecordingCallback((state, _) => { if (state.Step == 3) cancel.Cancel(); });
                var task = new TestTask(model, data, batchSize: 4) { Metrics = n => new Dictionary<string, double> { ["loss"] = metric[n - 1] } };
                Assert.ThrowsExactly<OperationCanceledException>(() => new Trainer(options, callbacks: [stopAt3], checkpoints: store).Train(task, cancellationToken: cancel.Token));
            }
            using var resumed = TinyModels.Create(data);
            // the resumed task's n-th evaluation is step 3 + n
            var rest = new TestTask(resumed, data, batchSize: 4) { Metrics = n => new Dictionary<string, double> { ["loss"] = metric[3 + n - 1] } };
            var resume = new TrainerOptions { Epochs = 3, EvaluateEverySteps = 1, EarlyStoppingPatience = 2, ResumeFrom = TrainerOptions.Latest };

            var result = new Trainer(resume, checkpoints: store).Train(rest);

            Assert.AreEqual(4, result.Steps);
            Assert.IsTrue(result.StoppedEarly);
            Assert.AreEqual(2, result.BestStep);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
