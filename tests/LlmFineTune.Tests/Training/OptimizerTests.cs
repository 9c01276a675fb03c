using LlmFineTune.Training;
using LlmFineTune.Training.Callbacks;
using LlmFineTune.Training.Optimizers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Training;

[TestClass]
public sealed class OptimizerTests
{
    public static IEnumerable<object[]> Factories =>
    [
        [new AdamWFactory(), 0.05],
        [new AdamFactory(weightDecay: 1e-4), 0.05],
        [new SgdFactory(momentum: 0.9, nesterov: true, weightDecay: 1e-4), 0.5],
        [new RmsPropFactory(momentum: 0.5), 0.01],
        [new AdagradFactory(), 0.2],
    ];

    [TestMethod]
    [DynamicData(nameof(Factories))]
    public void EachOptimizer_LearnableSet_LossFalls(IOptimizerFactory factory, double learningRate)
    {
        var data = TinyModels.SingleLabel(perClass: 12, seed: 1);
        using var model = TinyModels.Create(data);

        var result = new Trainer(new TrainerOptions { Epochs = 6, BatchSize = 6, LearningRate = learningRate }, factory).Train(model, data);

        Assert.IsLessThan(result.History[0].Loss * 0.6, result.FinalLoss, factory.GetType().Name);
    }

    [TestMethod]
    public void LayerLearningRateDecay_TwoGroups_FactoryGetsDiscriminativeMultipliersHeadLast()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 2);
        using var model = TinyModels.Create(data);
        var recorder = new RecordingFactory();

        new Trainer(new TrainerOptions { Epochs = 1, LayerLearningRateDecay = 2.6 }, recorder).Train(model, data);

        Assert.HasCount(2, recorder.Groups);
        Assert.AreEqual(1 / 2.6, recorder.Groups[0].LearningRateMultiplier, 1e-12);
        Assert.AreEqual(1.0, recorder.Groups[1].LearningRateMultiplier);
        CollectionAssert.AreEqual(new[] { "backbone.embeddings.weight" }, recorder.Groups[0].Parameters.Select(p => p.Name).ToArray());
        CollectionAssert.AreEquivalent(new[] { "head.classifier.weight", "head.classifier.bias" }, recorder.Groups[1].Parameters.Select(p => p.Name).ToArray());
    }

    [TestMethod]
    public void AdamWFactory_Groups_BiasesExemptFromDecayAndRatesScaled()
    {
        using var weight = new Parameter(zeros(2, 2));
        using var bias = new Parameter(zeros(2));
        var groups = new List<ParameterGroup> { new([("w", weight), ("b", bias)], 0.5) };

        using var optimizer = new AdamWFactory(weightDecay: 0.1).Create(groups, 0.01);

        var rates = optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
        CollectionAssert.AreEqual(new[] { 0.005, 0.005 }, rates);
        Assert.IsFalse(WeightDecaySplit.IsExemptFromDecay("w", weight));
        Assert.IsTrue(WeightDecaySplit.IsExemptFromDecay("b", bias));
    }

    [TestMethod]
    public void FreezeBackbone_Training_BackboneBitIdenticalHeadChanged()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 3);
        using var model = TinyModels.Create(data);
        var before = TinyModels.Weights(model.Network);

        new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 4, LearningRate = 0.05 }, callbacks: [new FreezeBackbone()]).Train(model, data);
        var after = TinyModels.Weights(model.Network);

        CollectionAssert.AreEqual(before["backbone.embeddings.weight"], after["backbone.embeddings.weight"]);
        CollectionAssert.AreNotEqual(before["head.classifier.weight"], after["head.classifier.weight"]);
    }

    [TestMethod]
    public void GradualUnfreezing_FirstEpochHeadOnly_SecondEpochBackboneToo()
    {
        var data = TinyModels.SingleLabel(perClass: 8, seed: 4);
        using var model = TinyModels.Create(data);
        var before = TinyModels.Weights(model.Network);
        float[]? afterEpoch1 = null;
        var probe = new RecordingCallback((state, _) =>
        {
            if (state.Step == 6) afterEpoch1 = TinyModels.Weights(model.Network)["backbone.embeddings.weight"];
        });

        new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 4, LearningRate = 0.05 }, callbacks: [new GradualUnfreezing(), probe]).Train(model, data);

        CollectionAssert.AreEqual(before["backbone.embeddings.weight"], afterEpoch1, "epoch 1 trains the head only");
        CollectionAssert.AreNotEqual(afterEpoch1, TinyModels.Weights(model.Network)["backbone.embeddings.weight"], "epoch 2 unfreezes the backbone");
    }

    [TestMethod]
    public void SgdFactory_NesterovWithoutMomentum_RejectedNamingTheParameter() =>
        Assert.AreEqual("nesterov", Assert.ThrowsExactly<ArgumentException>(() => new SgdFactory(nesterov: true)).ParamName);

    private sealed class RecordingFactory : IOptimizerFactory
    {
        public IReadOnlyList<ParameterGroup> Groups { get; private set; } = [];

        public optim.Optimizer Create(IReadOnlyList<ParameterGroup> groups, double learningRate)
        {
            Groups = groups;
            return new AdamWFactory().Create(groups, learningRate);
        }
    }
}
