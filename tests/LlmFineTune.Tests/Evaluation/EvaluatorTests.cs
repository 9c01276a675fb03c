using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Plotting;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace LlmFineTune.Tests.Evaluation;

[TestClass]
public sealed class EvaluatorTests
{
    private static TextClassifier trained = null!;
    private static TextDataset test = null!;

    [ClassInitialize]
    public static void TrainOnce(TestContext _)
    {
        torch.manual_seed(7);
        var train = TestData.Topical(perClass: 40, seed: 1);
        test = TestData.Topical(perClass: 25, seed: 2);
        trained = NewModel(train.LabelMap);
        new Trainer(new TrainerOptions { Epochs = 8, BatchSize = 16, LearningRate = 0.05 }).Train(trained, train);
    }

    [ClassCleanup]
    public static void DisposeModel() => trained.Dispose();

    [TestInitialize]
    public void Seed() => torch.manual_seed(7);

    [TestMethod]
    public void Evaluate_TrainedModel_AgreesWithPredictAndIsGood()
    {
        var report = new Evaluator(new EvaluationOptions { BatchSize = 16, BootstrapSamples = 200 }).Evaluate(trained, test);

        var predictions = trained.PredictBatch(test.Select(e => e.Text).ToList());
        double accuracy = test.Zip(predictions).Count(p => p.First.Label == p.Second.Label) / (double)test.Count;
        Assert.AreEqual(accuracy, report.Accuracy, 1e-12);
        Assert.AreEqual(test.Count, report.Count);
        Assert.AreEqual(test.Count, report.ConfusionMatrix!.Sum(row => row.Sum()));
        CollectionAssert.AreEqual(trained.Labels.ToArray(), report.Labels.ToArray());
        Assert.IsTrue(report.Accuracy > 0.85, $"accuracy {report.Accuracy}");
        Assert.IsTrue(report.RocAuc > 0.9, $"AUC {report.RocAuc}");
        Assert.IsTrue(report.LogLoss < Math.Log(4), $"log-loss {report.LogLoss} should beat uniform");
        Assert.IsTrue(report.Intervals["accuracy"].Contains(report.Accuracy));
        // p(true class) kept per example equals the model's own score for it.
        int id = trained.Labels.IdOf(test[0].Label!);
        Assert.AreEqual(predictions[0].Scores[trained.Labels[id]], report.Examples!.TargetProbability![0], 1e-6f);
    }

    [TestMethod]
    public void Evaluate_BatchSize_DoesNotChangeReport()
    {
        var small = new Evaluator(new EvaluationOptions { BatchSize = 7, BootstrapSamples = 50 }).Evaluate(trained, test);
        var large = new Evaluator(new EvaluationOptions { BatchSize = 64, BootstrapSamples = 50 }).Evaluate(trained, test);

        Assert.AreEqual(large.Accuracy, small.Accuracy);
        Assert.AreEqual(large.MacroF1, small.MacroF1);
        Assert.AreEqual(large.LogLoss!.Value, small.LogLoss!.Value, 1e-6);
        Assert.AreEqual(large.Intervals["accuracy"], small.Intervals["accuracy"]);
    }

    [TestMethod]
    public void Evaluate_ManyBatches_NoTensorsLeak()
    {
        var evaluator = new Evaluator(new EvaluationOptions { BatchSize = 8, BootstrapSamples = 0 });
        evaluator.Evaluate(trained, test);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (int i = 0; i < 3; i++) evaluator.Evaluate(trained, test);

        Assert.AreEqual(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [TestMethod]
    public void Evaluate_ModelInTrainingMode_RunsInEvalUnderNoGradAndRestoresMode()
    {
        var labels = new LabelMap(["x", "y"]);
        var head = new ProbeHead(8, 2, TaskKind.MultiLabel);
        using var model = NewModel(labels, head);
        var data = TextDataset.FromExamples([new TextExample { Text = "goal match", Labels = ["x"] }, new TextExample { Text = "stock bank", Labels = [] }], TaskKind.MultiLabel, labels);
        model.Network.train();

        new Evaluator().Evaluate(model, data);

        Assert.IsTrue(head.Calls.Count > 0);
        Assert.IsTrue(head.Calls.All(c => !c.Training && !c.GradEnabled), "forward passes ran in eval mode under no-grad");
        Assert.IsTrue(model.Network.training, "the model's training mode is restored");
        model.Network.eval();
        new Evaluator().Evaluate(model, data);
        Assert.IsFalse(model.Network.training, "an eval-mode model stays in eval mode");
    }

    [TestMethod]
    public void Evaluate_UnknownLabel_ThrowsNamingSourceAndLabel()
    {
        var data = WithUnknownLabel();

        var e = Assert.ThrowsExactly<InvalidDataException>(() => new Evaluator().Evaluate(trained, data));
        StringAssert.Contains(e.Message, "test.tsv:3");
        StringAssert.Contains(e.Message, "'weather'");
        StringAssert.Contains(e.Message, "UnknownLabels = Skip");
    }

    [TestMethod]
    public void Evaluate_UnknownLabelWithSkip_CountsAndLeavesOut()
    {
        var data = WithUnknownLabel();

        var report = new Evaluator(new EvaluationOptions { UnknownLabels = UnknownLabelHandling.Skip, BootstrapSamples = 0 }).Evaluate(trained, data);

        Assert.AreEqual(1, report.Skipped);
        Assert.AreEqual(data.Count - 1, report.Count);
        Assert.AreEqual(data.Count - 1, report.Examples!.Count);
        Assert.IsFalse(report.Labels.Contains("weather"));
    }

    [TestMethod]
    public void Evaluate_TestLabelOrderDiffersFromModel_MatchesByName()
    {
        // The test set's own label map holds only two classes, so its ids differ from the model's.
        var subset = TextDataset.FromExamples(test.Where(e => e.Label is "space" or "sports"));
        var report = new Evaluator(new EvaluationOptions { BootstrapSamples = 0 }).Evaluate(trained, subset);

        var predictions = trained.PredictBatch(subset.Select(e => e.Text).ToList());
        Assert.AreEqual(subset.Zip(predictions).Count(p => p.First.Label == p.Second.Label) / (double)subset.Count, report.Accuracy, 1e-12);
        Assert.AreEqual(0, report.PerClass.Single(c => c.Label == "finance").Support);
    }

    [TestMethod]
    public void Evaluate_EveryLabelUnknownWithSkip_ThrowsNothingLeft()
    {
        var data = TextDataset.FromExamples([new TextExample { Text = "sunny", Label = "weather", Source = "test.tsv:1" }]);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => new Evaluator(new EvaluationOptions { UnknownLabels = UnknownLabelHandling.Skip }).Evaluate(trained, data));
        StringAssert.Contains(e.Message, "all 1");
    }

    [TestMethod]
    public void Constructor_OutOfRangeOption_ThrowsNamingIt()
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => new Evaluator(new EvaluationOptions { ConfidenceLevel = 1 }));
        StringAssert.Contains(e.Message, "Property ConfidenceLevel: must lie strictly between 0 and 1");
        Assert.ThrowsExactly<OptionsValidationException>(() => new Evaluator(batchSize: 0));
        var t = Assert.ThrowsExactly<OptionsValidationException>(() => new Evaluator(new EvaluationOptions { Thresholds = { ["x"] = 1.5 } }));
        StringAssert.Contains(t.Message, "Thresholds['x']");
    }

    [TestMethod]
    public void Evaluate_TaskKindMismatch_Throws()
    {
        var data = TextDataset.FromExamples([new TextExample { Text = "goal", Value = 1f }], TaskKind.Regression);

        var e = Assert.ThrowsExactly<ArgumentException>(() => new Evaluator().Evaluate(trained, data));
        StringAssert.Contains(e.Message, "Regression");
    }

    [TestMethod]
    public void Evaluate_MultiLabelThresholdForUnknownLabel_ThrowsListingLabels()
    {
        var labels = new LabelMap(["x", "y"]);
        using var model = NewModel(labels, new ProbeHead(8, 2, TaskKind.MultiLabel));
        var data = TextDataset.FromExamples([new TextExample { Text = "goal", Labels = ["x"] }], TaskKind.MultiLabel, labels);
        var options = new EvaluationOptions { Thresholds = { ["z"] = 0.4 } };

        var e = Assert.ThrowsExactly<ArgumentException>(() => new Evaluator(options).Evaluate(model, data));
        StringAssert.Contains(e.Message, "'z'");
        StringAssert.Contains(e.Message, "x, y");
    }

    [TestMethod]
    public void Evaluate_MultiLabelModel_CountsDecisionsAtThresholds()
    {
        var labels = new LabelMap(["x", "y"]);
        using var model = NewModel(labels, new ProbeHead(8, 2, TaskKind.MultiLabel));
        var data = TextDataset.FromExamples(
            Enumerable.Range(0, 10).Select(i => new TextExample { Text = $"goal match {i}", Labels = i % 2 == 0 ? ["x"] : ["x", "y"] }),
            TaskKind.MultiLabel, labels);

        var everything = new Evaluator(new EvaluationOptions { Threshold = 0, BootstrapSamples = 0 }).Evaluate(model, data);
        var nothing = new Evaluator(new EvaluationOptions { Threshold = 1, BootstrapSamples = 0 }).Evaluate(model, data);

        Assert.AreEqual(1.0, everything.PerClass[0].Recall);
        Assert.AreEqual(0.5, everything.PerClass[1].Precision, "threshold 0 predicts y for all 10, 5 of which have it");
        Assert.AreEqual(0, nothing.PerClass.Sum(c => c.Predicted), "sigmoid never reaches 1 here");
        Assert.AreEqual(15.0 / 20, nothing.HammingLoss!.Value, 1e-12);
    }

    [TestMethod]
    public void Evaluate_RegressionModel_ReportsErrorsAgainstValues()
    {
        using var model = NewModel(LabelMap.Empty, new ProbeHead(8, 1, TaskKind.Regression));
        var data = TextDataset.FromExamples(Enumerable.Range(0, 6).Select(i => new TextExample { Text = $"stock {i}", Value = i }), TaskKind.Regression);

        var report = new Evaluator(new EvaluationOptions { BootstrapSamples = 20 }).Evaluate(model, data);

        var predicted = report.Examples!.PredictedValue!;
        Assert.AreEqual(Enumerable.Range(0, 6).Average(i => Math.Pow(predicted[i] - i, 2)), report.Mse!.Value, 1e-6);
        Assert.AreEqual(Enumerable.Range(0, 6).Average(i => Math.Abs(predicted[i] - i)), report.Mae!.Value, 1e-6);
        Assert.AreEqual(report.Mse!.Value, report.GetMetric("mse"));
    }

    [TestMethod]
    public void Compare_TrainedVersusUntrained_TrainedSignificantlyBetter()
    {
        using var untrained = NewModel(trained.Labels);
        var evaluator = new Evaluator(new EvaluationOptions { BootstrapSamples = 100 });

        var comparison = Evaluator.Compare(evaluator.Evaluate(trained, test), evaluator.Evaluate(untrained, test), "macroF1", samples: 300);

        Assert.IsTrue(comparison.Interval.Lower > 0.3, $"difference {comparison.Difference:F3} [{comparison.Interval.Lower:F3}, {comparison.Interval.Upper:F3}]");
        Assert.AreEqual("A", comparison.Better);
    }

    [TestMethod]
    public void Evaluate_TrainedModel_RendersPlotsAndMarkdown()
    {
        var report = new Evaluator(new EvaluationOptions { BootstrapSamples = 100 }).Evaluate(trained, test);
        string directory = Directory.CreateTempSubdirectory("llmft-eval-").FullName;

        EvaluationPlots.ConfusionMatrix(report, Path.Combine(directory, "confusion.png"));
        EvaluationPlots.ReliabilityDiagram(report, Path.Combine(directory, "reliability.png"));
        string markdown = report.ToMarkdown();

        Assert.IsTrue(new FileInfo(Path.Combine(directory, "confusion.png")).Length > 10_000);
        Assert.IsTrue(new FileInfo(Path.Combine(directory, "reliability.png")).Length > 10_000);
        foreach (string label in trained.Labels)
            StringAssert.Contains(markdown, $"| {label} |");
        if (Environment.GetEnvironmentVariable("LLMFT_KEEP_PLOTS") == "1")
            File.WriteAllText(Path.Combine(directory, "report.md"), markdown);
        else
            Directory.Delete(directory, recursive: true);
    }

    private static TextDataset WithUnknownLabel() => TextDataset.FromExamples(
        test.Take(5).Select((e, i) => i == 2 ? e with { Label = "weather", Source = "test.tsv:3" } : e));

    private static TextClassifier NewModel(LabelMap labels, ITaskHead? head = null)
    {
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 4096 });
        int width = head is null ? 16 : 8;
        return new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, width), head ?? new SingleLabelHead(width, labels.Count), labels, maxLength: 64);
    }
}
