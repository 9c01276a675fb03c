using System.Collections;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Training;

[TestClass]
public sealed class ClassifierValidationTests
{
    [TestInitialize]
    public void Seed() => manual_seed(7);

    [TestMethod]
    [DataRow(TaskKind.SingleLabel)]
    [DataRow(TaskKind.MultiLabel)]
    [DataRow(TaskKind.Regression)]
    public void Train_TwoEpochs_ReadsTheValidationSetOncePerEvaluationAndReportsTheEvaluatorsMetrics(TaskKind kind)
    {
        var data = Data(kind, 12, seed: 1);
        var validation = new CountingDataset(Data(kind, 9, seed: 2));
        using var model = TinyModels.Create(data);

        var result = new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 4, LearningRate = 0.05, CalibrateTemperature = false }).Train(model, data, validation);

        Assert.HasCount(2, result.Evaluations);
        Assert.AreEqual(2 * validation.Count, validation.Reads, "each evaluation reads every validation example exactly once");
        var report = new Evaluator(new EvaluationOptions { BootstrapSamples = 0 }).Evaluate(model, validation);
        var last = result.Evaluations[^1].Metrics;
        Assert.IsTrue(double.IsFinite(last["loss"]));
        foreach (string name in report.AvailableMetrics)
            Assert.AreEqual(report.GetMetric(name), last[name], 1e-5 * Math.Max(1, Math.Abs(report.GetMetric(name))), name);
    }

    private static TextDataset Data(TaskKind kind, int count, int seed) => kind switch
    {
        TaskKind.SingleLabel => TinyModels.SingleLabel(perClass: count / 3, seed),
        TaskKind.MultiLabel => TinyModels.MultiLabel(count, seed),
        _ => TinyModels.Regression(count, seed),
    };

    /// <summary>Counts the examples read by index, the way batchers and evaluators read a dataset.</summary>
    private sealed class CountingDataset(ITextDataset inner) : ITextDataset
    {
        public int Reads { get; private set; }

        public TaskKind Kind => inner.Kind;

        public LabelMap LabelMap => inner.LabelMap;

        public int Count => inner.Count;

        public TextExample this[int index]
        {
            get
            {
                Reads++;
                return inner[index];
            }
        }

        public IEnumerator<TextExample> GetEnumerator() => inner.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
