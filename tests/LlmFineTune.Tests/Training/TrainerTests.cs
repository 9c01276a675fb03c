using LlmFineTune.Training;
using LlmFineTune.Training.Optimizers;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Training;

[TestClass]
public sealed class TrainerTests
{
    [TestInitialize]
    public void Seed() => manual_seed(7);

    [TestMethod]
    public void Train_SameSeedTwice_BitIdenticalWeights_OtherSeedDiffers()
    {
        var data = TinyModels.SingleLabel(perClass: 10, seed: 1);
        Dictionary<string, float[]> Run(int seed)
        {
            using var model = TinyModels.Create(data, new() { HiddenSize = 8, Dropout = 0.3 });
            new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 4, LearningRate = 0.05, Seed = seed }).Train(model, data);
            return TinyModels.Weights(model.Network);
        }

        var first = Run(42);
        var second = Run(42);
        var other = Run(43);

        TinyModels.AssertSameWeights(first, second);
        CollectionAssert.AreNotEqual(first["head.classifier.weight"], other["head.classifier.weight"]);
    }

    [TestMethod]
    public void GradientAccumulation_TwoHalfBatches_MatchesOneFullBatch()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 2);
        Dictionary<string, float[]> Run(int batchSize, int accumulate)
        {
            using var model = TinyModels.Create(data, new() { Dropout = 0 });
            var result = new Trainer(new TrainerOptions { Epochs = 2, BatchSize = batchSize, GradientAccumulationSteps = accumulate, LearningRate = 0.5, GroupByLength = false }, new SgdFactory()).Train(model, data);
            Assert.AreEqual(6, result.Steps);
            return TinyModels.Weights(model.Network);
        }

        var accumulated = Run(4, 2);
        var full = Run(8, 1);

        foreach (var (name, values) in full)
            for (int i = 0; i < values.Length; i++)
                Assert.AreEqual(values[i], accumulated[name][i], 1e-5, $"{name}[{i}]");
    }

    [TestMethod]
    public void MaxGradientNorm_OneSgdStep_MovesWeightsByAtMostRateTimesNorm()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 3);
        using var model = TinyModels.Create(data);
        var before = TinyModels.Weights(model.Network);

        new Trainer(new TrainerOptions { MaxSteps = 1, BatchSize = 8, LearningRate = 1.0, MaxGradientNorm = 0.01 }, new SgdFactory()).Train(model, data);
        var after = TinyModels.Weights(model.Network);

        double squared = before.Sum(p => p.Value.Zip(after[p.Key]).Sum(x => (double)(x.First - x.Second) * (x.First - x.Second)));
        Assert.IsLessThanOrEqualTo(0.01 * 1.0001, Math.Sqrt(squared));
        Assert.IsGreaterThan(0.005, Math.Sqrt(squared), "the clipped step still moves the weights");
    }

    [TestMethod]
    public void NanLoss_AtThirdStep_ThrowsNamingTheStepAndKeepsSecondStepWeights()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 4);
        using var model = TinyModels.Create(data);
        var task = new TestTask(model, data, batchSize: 4) { LossOverride = (call, loss) => call == 3 ? loss * float.NaN : null };
        Dictionary<string, float[]>? afterStep2 = null;
        var probe = new RecordingCallback((state, _) => { if (state.Step == 2) afterStep2 = TinyModels.Weights(model.Network); });

        var e = Assert.ThrowsExactly<NonFiniteLossException>(() => new Trainer(new TrainerOptions { Epochs = 1, LearningRate = 0.05 }, callbacks: [probe]).Train(task));

        Assert.AreEqual(3, e.Step);
        StringAssert.Contains(e.Message, "step 3");
        TinyModels.AssertSameWeights(afterStep2!, TinyModels.Weights(model.Network));
        Assert.IsFalse(model.Network.training, "the model is back in eval mode");
    }

    [TestMethod]
    public void Callback_RequestsStop_RunEndsAfterThatStep()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 5);
        using var model = TinyModels.Create(data);
        var stop = new RecordingCallback((state, control) => control.StopTraining = state.Step == 5);
        var reports = new List<TrainingProgress>();

        var result = new Trainer(new TrainerOptions { Epochs = 4, BatchSize = 4 }, callbacks: [stop]).Train(model, data, new SyncProgress(reports.Add));

        Assert.AreEqual(5, result.Steps);
        CollectionAssert.AreEqual(Enumerable.Range(1, 5).ToArray(), reports.Select(r => r.Step).ToArray());
        Assert.IsTrue(reports.All(r => r.TotalSteps == 24));
    }

    [TestMethod]
    public void MaxSteps_MidEpoch_StopsThereAndSpansEpochs()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 6);
        using var model = TinyModels.Create(data);

        var result = new Trainer(new TrainerOptions { Epochs = 1, MaxSteps = 9, BatchSize = 4 }).Train(model, data);

        Assert.AreEqual(9, result.Steps);
        Assert.AreEqual(2, result.History[^1].Epoch);
    }

    [TestMethod]
    public void StreamingTask_WithoutMaxSteps_RejectedNamingMaxSteps()
    {
        var data = TinyModels.SingleLabel(perClass: 2, seed: 7);
        using var model = TinyModels.Create(data);

        var e = Assert.ThrowsExactly<ArgumentException>(() => new Trainer().Train(new TestTask(model, data, 4) { Streaming = true }));

        StringAssert.Contains(e.Message, "MaxSteps");
    }

    [TestMethod]
    public void Train_WithValidationSet_EvaluatesLossAndAccuracyEachEpoch()
    {
        var train = TinyModels.SingleLabel(perClass: 10, seed: 8);
        var validation = TinyModels.SingleLabel(perClass: 5, seed: 9);
        using var model = TinyModels.Create(train);

        var result = new Trainer(new TrainerOptions { Epochs = 3, BatchSize = 6, LearningRate = 0.05 }).Train(model, train, validation);

        CollectionAssert.AreEqual(new[] { 5, 10, 15 }, result.Evaluations.Select(e => e.Step).ToArray());
        Assert.IsTrue(result.Evaluations.All(e => e.Metrics.ContainsKey("loss") && e.Metrics.ContainsKey("accuracy")));
        Assert.IsLessThan(result.Evaluations[0].Metrics["loss"], result.Evaluations[^1].Metrics["loss"]);
        Assert.AreEqual(new LlmFineTune.Evaluation.Evaluator().Evaluate(model, validation).Accuracy, result.Evaluations[^1].Metrics["accuracy"]);
    }

    [TestMethod]
    public void LiveTensorCount_ManySteps_StaysFlat()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 10);
        using var model = TinyModels.Create(data, new() { HiddenSize = 8 });
        var live = new Dictionary<int, long>();
        var probe = new RecordingCallback((state, _) => live[state.Step] = DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        var validation = TinyModels.SingleLabel(perClass: 2, seed: 11);

        // batches built on the prefetch thread would count against that thread, not this one
        new Trainer(new TrainerOptions { MaxSteps = 40, BatchSize = 4, GradientAccumulationSteps = 2, MaxGradientNorm = 1, EvaluateEverySteps = 7, PrefetchBatches = 0 }, callbacks: [probe])
            .Train(model, data, validation);

        Assert.AreEqual(live[10], live[40], $"live tensors at step 10: {live[10]}, at step 40: {live[40]}");
        Assert.AreEqual(live[10], live[25]);
    }

    [TestMethod]
    public async Task TrainAsync_RunsOnAnotherThread_SameWeightsAsSync()
    {
        var data = TinyModels.SingleLabel(perClass: 6, seed: 12);
        var options = new TrainerOptions { Epochs = 2, BatchSize = 4 };
        Dictionary<string, float[]> sync;
        using (var model = TinyModels.Create(data))
        {
            new Trainer(options).Train(model, data);
            sync = TinyModels.Weights(model.Network);
        }
        using var other = TinyModels.Create(data);
        int caller = Environment.CurrentManagedThreadId;
        int trainer = 0;
        var probe = new RecordingCallback((_, _) => trainer = Environment.CurrentManagedThreadId);

        var result = await new Trainer(options, callbacks: [probe]).TrainAsync(other, data);

        Assert.AreEqual(10, result.Steps);
        Assert.AreNotEqual(caller, trainer);
        TinyModels.AssertSameWeights(sync, TinyModels.Weights(other.Network));
    }

    [TestMethod]
    [DataRow(nameof(TrainerOptions.Epochs), 0)]
    [DataRow(nameof(TrainerOptions.MaxSteps), 0)]
    [DataRow(nameof(TrainerOptions.BatchSize), 0)]
    [DataRow(nameof(TrainerOptions.GradientAccumulationSteps), 0)]
    [DataRow(nameof(TrainerOptions.LearningRate), -1.0)]
    [DataRow(nameof(TrainerOptions.LayerLearningRateDecay), 0.5)]
    [DataRow(nameof(TrainerOptions.MaxGradientNorm), 0.0)]
    [DataRow(nameof(TrainerOptions.EvaluateEverySteps), -1)]
    [DataRow(nameof(TrainerOptions.EarlyStoppingPatience), -2)]
    [DataRow(nameof(TrainerOptions.CheckpointEverySteps), -1)]
    [DataRow(nameof(TrainerOptions.MetricForBestModel), "")]
    [DataRow(nameof(TrainerOptions.ResumeFrom), " ")]
    public void Options_BadValue_RejectedWithMessageNamingTheOption(string property, object value)
    {
        var options = new TrainerOptions();
        var info = typeof(TrainerOptions).GetProperty(property)!;
        var type = Nullable.GetUnderlyingType(info.PropertyType) ?? info.PropertyType;
        info.SetValue(options, Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture));

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => new Trainer(options));

        StringAssert.Contains(e.Message, property);
    }

    [TestMethod]
    public void Options_ResumeLatestWithoutStore_RejectedNamingResumeFrom()
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => new Trainer(new TrainerOptions { ResumeFrom = TrainerOptions.Latest }));

        StringAssert.Contains(e.Message, nameof(TrainerOptions.ResumeFrom));
    }
}
