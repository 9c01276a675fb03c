using LlmFineTune.Tests.Training;
using LlmFineTune.Training;
using TorchSharp;

namespace LlmFineTune.Tests.Heads;

[TestClass]
public sealed class TextClassifierConcurrencyTests
{
    [TestMethod]
    public void PredictBatch_SixteenThreadsOnOneModel_SameAnswersAsSequential()
    {
        var data = TinyModels.SingleLabel(perClass: 20, seed: 11);
        using var model = TinyModels.Create(data, new() { HiddenSize = 8, Dropout = 0.5 });
        new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 8, LearningRate = 0.05 }).Train(model, data);
        var texts = data.Select(e => e.Text).ToArray();
        // Batched and single forward passes may differ in the last bit, so each thread repeats the sequential call pattern.
        LlmFineTune.Modeling.Prediction Ask(int i) => i % 2 == 0 ? model.Predict(texts[i]) : model.PredictBatch([texts[i], texts[0]])[0];
        var expected = Enumerable.Range(0, texts.Length).Select(Ask).ToArray();
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        var answers = new LlmFineTune.Modeling.Prediction[16][];
        using var start = new Barrier(16);
        var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            var mine = new LlmFineTune.Modeling.Prediction[texts.Length];
            for (int round = 0; round < 3; round++)
                for (int i = 0; i < texts.Length; i++)
                    mine[i] = Ask(i);
            answers[t] = mine;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (int t = 0; t < 16; t++)
            for (int i = 0; i < texts.Length; i++)
            {
                Assert.AreEqual(expected[i].Label, answers[t][i].Label, $"thread {t}, text {i}");
                CollectionAssert.AreEqual(expected[i].Scores.Values.ToArray(), answers[t][i].Scores.Values.ToArray(), $"thread {t}, text {i}");
            }
        Assert.AreEqual(liveBefore, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
