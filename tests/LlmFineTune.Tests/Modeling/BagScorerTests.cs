using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tests.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Modeling;

/// <summary>The managed scoring of bag models gives the network's own scores, reads the current weights, and steps aside where it does not apply.</summary>
[TestClass]
public sealed class BagScorerTests
{
    private static readonly double[] Temperatures = [1.0, 0.5, 3.0];

    public static IEnumerable<object[]> Heads =>
    [
        [TaskKind.SingleLabel, 0],
        [TaskKind.SingleLabel, 16],
        [TaskKind.MultiLabel, 0],
        [TaskKind.MultiLabel, 16],
        [TaskKind.Regression, 0],
    ];

    [TestMethod]
    [DynamicData(nameof(Heads))]
    public void TryScore_BuiltInHead_MatchesTheNetworkAtEveryTemperature(TaskKind kind, int hiddenSize)
    {
        var data = Data(kind);
        using var classifier = TinyModels.Create(data, new HeadOptions { HiddenSize = hiddenSize });
        // enough texts for two threads, a text with nothing but punctuation, and one longer than the truncation
        var texts = data.Select(e => e.Text).Take(40).Append("?!").Append(string.Join(' ', Enumerable.Repeat("goal market orbit", 40))).ToList();

        var scored = BagScorer.TryScore(classifier.Network, classifier.Collator, texts, Temperatures, threads: 2);

        Assert.IsNotNull(scored, "a bag under a built-in head is scored in managed code");
        for (int t = 0; t < Temperatures.Length; t++)
            AssertClose(Reference(classifier, texts, Temperatures[t]), scored[t], $"{kind}, hidden {hiddenSize}, temperature {Temperatures[t]}");
    }

    [TestMethod]
    public void PredictBatch_AfterTheWeightsChangeInPlace_ScoresWithTheNewWeights()
    {
        var data = Data(TaskKind.SingleLabel);
        using var classifier = TinyModels.Create(data);
        var texts = data.Select(e => e.Text).Take(8).ToList();
        var before = classifier.PredictBatch(texts).Select(p => p.Scores.Values.ToArray()).ToList();

        using (no_grad())
        {
            ((TaskHead)classifier.Head).Classifier.weight!.mul_(3.0);
            classifier.Network.parameters().First().add_(0.05);
        }
        var after = classifier.PredictBatch(texts);

        var expected = Reference(classifier, texts, classifier.Temperature);
        AssertClose(expected, after.SelectMany(p => p.Scores.Values).ToArray(), "scores after the in-place change");
        Assert.IsTrue(Enumerable.Range(0, texts.Count).Any(i => Math.Abs(before[i][0] - after[i].Scores.Values.First()) > 1e-3),
            "the change moved the scores, so a copy taken before it would have been caught");
    }

    [TestMethod]
    public void TryScore_HeadItDoesNotKnow_LeavesItToTheNetwork()
    {
        var data = Data(TaskKind.SingleLabel);
        using var classifier = TinyModels.Create(data, head: () => new SharpenedHead(TinyModels.Dimension, data.LabelMap.Count, new SharpenedHeadOptions(2.0)));

        Assert.IsNull(BagScorer.TryScore(classifier.Network, classifier.Collator, ["goal match"], [1.0], threads: 1));
        AssertClose(Reference(classifier, ["goal match"], 1.0), classifier.PredictBatch(["goal match"])[0].Scores.Values.ToArray(), "the head's own scores");
    }

    [TestMethod]
    public void TryScore_InTrainingMode_LeavesItToTheNetwork()
    {
        using var classifier = TinyModels.Create(Data(TaskKind.SingleLabel));
        classifier.Network.train();
        try
        {
            Assert.IsNull(BagScorer.TryScore(classifier.Network, classifier.Collator, ["goal match"], [1.0], threads: 1), "dropout applies in training mode");
        }
        finally
        {
            classifier.Network.eval();
        }
    }

    private static TextDataset Data(TaskKind kind) => kind switch
    {
        TaskKind.SingleLabel => TinyModels.SingleLabel(perClass: 15, seed: 3),
        TaskKind.MultiLabel => TinyModels.MultiLabel(count: 45, seed: 3),
        _ => TinyModels.Regression(count: 45, seed: 3),
    };

    /// <summary>The scores of the network's own forward pass (libtorch's EmbeddingBag and linear layers).</summary>
    private static float[] Reference(TextClassifier classifier, IReadOnlyList<string> texts, double temperature)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (ids, mask) = classifier.Collator.Pad(texts.Select(classifier.Collator.Encode).ToList());
        var logits = classifier.Network.call(ids, mask);
        if (classifier.Head.Kind != TaskKind.Regression) logits /= temperature;
        return classifier.Head.Scores(logits).data<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], actual[i], 1e-5f, $"{what}: score {i}");
    }
}
