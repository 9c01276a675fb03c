using LlmFineTune.Evaluation;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tests.Training;
using LlmFineTune.Training;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Heads;

[TestClass]
public sealed class HeadTests
{
    private static readonly TrainerOptions Quick = new() { Epochs = 6, BatchSize = 8, LearningRate = 0.05 };

    [TestInitialize]
    public void Seed() => manual_seed(7);

    [TestMethod]
    public void SingleLabelHead_SmoothingWeightsAndMlp_LossFalls()
    {
        var data = TinyModels.SingleLabel(perClass: 20, seed: 1);
        var options = new HeadOptions { HiddenSize = 16, LabelSmoothing = 0.1, ClassWeights = [1f, 2f, 1f], Dropout = 0.1 };
        using var model = TinyModels.Create(data, options);

        var result = new Trainer(Quick).Train(model, data);

        Assert.IsLessThan(result.History[0].Loss * 0.5, result.FinalLoss);
        Assert.AreEqual("space", model.Predict("the telescope saw a comet near the galaxy").Label);
    }

    [TestMethod]
    public void MultiLabelHead_Trained_LossFallsAndPredictsHeldOutTopicSets()
    {
        var data = TinyModels.MultiLabel(count: 90, seed: 2);
        var heldOut = TinyModels.MultiLabel(count: 60, seed: 7);
        using var model = TinyModels.Create(data);

        var result = new Trainer(Quick).Train(model, data);
        var report = new Evaluator(new EvaluationOptions { BootstrapSamples = 0 }).Evaluate(model, heldOut);

        Assert.IsLessThan(result.History[0].Loss * 0.5, result.FinalLoss);
        Assert.IsGreaterThan(0.8, report.GetMetric("microF1"), report.ToMarkdown());
    }

    [TestMethod]
    public void MultiLabelHead_Thresholds_DecideWhichLabelsArePredicted()
    {
        var data = TinyModels.MultiLabel(count: 30, seed: 3);
        using var model = TinyModels.Create(data);
        var head = (MultiLabelHead)model.Head;
        const string text = "a comet in orbit";
        var scores = model.PredictLabels(text).Scores;
        float space = scores["space"];

        head.SetThresholds([0.999f, 0.999f, Math.Max(0.001f, space - 0.01f)]);
        var low = model.PredictLabels(text);
        head.SetThresholds([0.001f, 0.999f, Math.Min(0.999f, space + 0.01f)]);
        var high = model.PredictLabels(text);

        CollectionAssert.AreEqual(new[] { "space" }, low.Labels.ToArray());
        CollectionAssert.AreEqual(new[] { "sports" }, high.Labels.ToArray());
        CollectionAssert.AreEqual(new[] { 0.001f, 0.999f, Math.Min(0.999f, space + 0.01f) }, head.Thresholds.ToArray());
    }

    [TestMethod]
    [DataRow(RegressionLoss.MeanSquaredError)]
    [DataRow(RegressionLoss.Huber)]
    public void RegressionHead_EitherLoss_LossFallsAndValueIsClose(RegressionLoss loss)
    {
        var data = TinyModels.Regression(count: 60, seed: 4);
        using var model = TinyModels.Create(data, new HeadOptions { RegressionLoss = loss, Dropout = 0 });

        var result = new Trainer(new TrainerOptions { Epochs = 15, BatchSize = 8, LearningRate = 0.05 }).Train(model, data);

        Assert.IsLessThan(result.History[0].Loss * 0.2, result.FinalLoss);
        var values = model.PredictValues(["the striker and the coach at the match", "a comet in orbit near the planet", "stock market shares said the bank"]);
        Assert.IsTrue(values[0] > values[1] && values[1] > values[2], $"sports 2 > space 0.5 > finance -1, got [{string.Join(", ", values)}]");
        Assert.AreEqual(values[0], model.PredictValue("the striker and the coach at the match"));
    }

    [TestMethod]
    public void CustomHead_DerivedFromTaskHead_TrainsThroughTheTrainer()
    {
        var data = TinyModels.SingleLabel(perClass: 20, seed: 5);
        using var model = TinyModels.Create(data, head: () => new HingeHead(TinyModels.Dimension, data.LabelMap.Count));

        var result = new Trainer(Quick).Train(model, data);

        Assert.IsLessThan(result.History[0].Loss * 0.5, result.FinalLoss);
    }

    [TestMethod]
    public void Pooler_TokenStates_ClsMeanAndMaxMatchHandComputedValues()
    {
        // Two texts of 3 positions, width 2; the second text has one padding position.
        using var states = tensor(new float[] { 1, 2, 3, 4, 5, 6, /**/ 7, 8, -1, 9, 100, 100 }, [2, 3, 2]);
        using var mask = tensor(new long[] { 1, 1, 1, 1, 1, 0 }, [2, 3]);
        var features = new BackboneOutput(mask, states, pooled: null);

        using var cls = Pooler.Pool(features, PoolingMode.Cls);
        using var mean = Pooler.Pool(features, PoolingMode.Mean);
        using var max = Pooler.Pool(features, PoolingMode.Max);
        using var fallback = Pooler.Pool(features, PoolingMode.Backbone);

        CollectionAssert.AreEqual(new float[] { 1, 2, 7, 8 }, cls.data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { 3, 4, 3, 8.5f }, mean.data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { 5, 6, 7, 9 }, max.data<float>().ToArray());
        CollectionAssert.AreEqual(mean.data<float>().ToArray(), fallback.data<float>().ToArray());
    }

    [TestMethod]
    public void Pooler_PooledOnlyBackboneWithMean_ThrowsNamingTheFix()
    {
        using var pooled = zeros(2, 4);
        using var mask = ones(2, 3, dtype: ScalarType.Int64);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Pooler.Pool(new BackboneOutput(mask, null, pooled), PoolingMode.Mean));

        StringAssert.Contains(e.Message, "PoolingMode.Backbone");
    }

    [TestMethod]
    [DataRow("Dropout", 1.0, "Dropout")]
    [DataRow("LabelSmoothing", -0.1, "LabelSmoothing")]
    [DataRow("HuberDelta", 0.0, "HuberDelta")]
    [DataRow("HiddenSize", -1.0, "HiddenSize")]
    public void HeadOptions_OutOfRange_RejectedNamingTheOption(string property, double value, string expected)
    {
        var options = new HeadOptions();
        var info = typeof(HeadOptions).GetProperty(property)!;
        info.SetValue(options, info.PropertyType == typeof(int) ? (object)(int)value : value);

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => new SingleLabelHead(8, 3, options));

        StringAssert.Contains(e.Message, expected);
    }

    [TestMethod]
    public void HeadOptions_WrongNumberOfClassWeightsOrThresholds_RejectedNamingTheOption()
    {
        var weights = Assert.ThrowsExactly<OptionsValidationException>(() => new SingleLabelHead(8, 3, new HeadOptions { ClassWeights = [1f, 2f] }));
        var thresholds = Assert.ThrowsExactly<OptionsValidationException>(() => new MultiLabelHead(8, 3, new HeadOptions { Thresholds = [0.5f] }));
        var range = Assert.ThrowsExactly<OptionsValidationException>(() => new MultiLabelHead(8, 1, new HeadOptions { Thresholds = [1.5f] }));

        StringAssert.Contains(weights.Message, "ClassWeights");
        StringAssert.Contains(thresholds.Message, "Thresholds");
        StringAssert.Contains(range.Message, "Thresholds");
    }

    [TestMethod]
    public void PredictValue_OnSingleLabelModel_ThrowsNamingTheHead()
    {
        var data = TinyModels.SingleLabel(perClass: 2, seed: 6);
        using var model = TinyModels.Create(data);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => model.PredictValue("x"));

        StringAssert.Contains(e.Message, "SingleLabel");
    }

    /// <summary>A user's own head: the shared pooling and projection, with a multi-class hinge loss.</summary>
    private sealed class HingeHead(int hiddenSize, int classes) : TaskHead(nameof(HingeHead), hiddenSize, classes, new HeadOptions { Dropout = 0 })
    {
        public override TaskKind Kind => TaskKind.SingleLabel;

        public override Tensor Loss(Tensor logits, LlmFineTune.Batching.Batch batch) =>
            nn.functional.multi_margin_loss(logits, batch.Labels!);

        public override Tensor Scores(Tensor logits) => logits.softmax(-1);
    }
}
