using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Training;

namespace LlmFineTune.Tests.Training;

[TestClass]
public sealed class FineTuningTests
{
    [TestMethod]
    public void Run_Defaults_BagLearnsTheTopics()
    {
        var train = TinyModels.SingleLabel(perClass: 40, seed: 3);
        var test = TinyModels.SingleLabel(perClass: 20, seed: 4);

        using var model = FineTuning.Run(train);

        Assert.AreEqual("bag", model.Backbone.Kind);
        Assert.IsGreaterThan(0.9, new Evaluator().Evaluate(model, test).Accuracy);
    }

    [TestMethod]
    public void Run_SameSeed_SameWeights()
    {
        var train = TinyModels.SingleLabel(perClass: 20, seed: 3);
        var options = new FineTuningOptions { Trainer = new TrainerOptions { Epochs = 2, LearningRate = 0.05, BatchSize = 8 } };

        using var first = FineTuning.Run(train, options);
        using var second = FineTuning.Run(train, options);

        TinyModels.AssertSameWeights(TinyModels.Weights((TorchSharp.torch.nn.Module)first.Backbone), TinyModels.Weights((TorchSharp.torch.nn.Module)second.Backbone));
    }

    [TestMethod]
    public void Run_FromSavedClassifier_ContinuesItsWeights()
    {
        var train = TinyModels.SingleLabel(perClass: 20, seed: 3);
        string directory = Path.Combine(Path.GetTempPath(), "llmft-finetuning-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var first = FineTuning.Run(train, new FineTuningOptions { Trainer = new TrainerOptions { Epochs = 1, LearningRate = 0.05 } }))
                first.Save(directory);

            using var continued = FineTuning.Run(train, new FineTuningOptions { From = directory, Trainer = new TrainerOptions { Epochs = 1, LearningRate = 0.05 } });

            Assert.AreEqual("bag", continued.Backbone.Kind);
            CollectionAssert.AreEqual(train.LabelMap.ToArray(), continued.Labels.ToArray());
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void Run_UnknownBackbone_ThrowsListingTheKnownOnes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => FineTuning.Run(TinyModels.SingleLabel(perClass: 4, seed: 1), new FineTuningOptions { Backbone = "resnet" }));

        StringAssert.Contains(e.Message, "bert-mini");
    }
}
