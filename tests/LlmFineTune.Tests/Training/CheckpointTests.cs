using System.Text.Json.Nodes;
using LlmFineTune.Modeling;
using LlmFineTune.Training;
using LlmFineTune.Training.Checkpoints;
using LlmFineTune.Training.Optimizers;
using LlmFineTune.Training.Schedules;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Training;

[TestClass]
public sealed class CheckpointTests
{
    private string root = "";

    [TestInitialize]
    public void CreateRoot()
    {
        manual_seed(7);
        root = Path.Combine(Path.GetTempPath(), "llmft-engine-" + Guid.NewGuid().ToString("N")[..8]);
    }

    [TestCleanup]
    public void DeleteRoot()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private static TrainerOptions Options(string? resumeFrom = null) => new()
    {
        Epochs = 3,
        BatchSize = 4,
        GradientAccumulationSteps = 2,
        LearningRate = 0.05,
        MaxGradientNorm = 5,
        EvaluateEverySteps = 2,
        RestoreBestWeights = true,
        ResumeFrom = resumeFrom,
    };

    public static IEnumerable<object[]> Optimizers =>
    [
        [new AdamFactory()],     // dense gradients (the trainer densifies the bag's sparse ones)
        [new AdamWFactory()],    // the bag's sparse gradients, row-wise
    ];

    [TestMethod]
    [DynamicData(nameof(Optimizers))]
    public void Resume_AfterCancelMidEpoch_EndsBitIdenticalToUninterruptedRun(IOptimizerFactory optimizer)
    {
        // Dropout (torch RNG), Adam moments (optimizer state), a decaying schedule, accumulation and best-weight tracking all have to survive the restart.
        var data = TinyModels.SingleLabel(perClass: 9, seed: 1);
        var validation = TinyModels.SingleLabel(perClass: 2, seed: 2);
        var head = new LlmFineTune.Modeling.Heads.HeadOptions { HiddenSize = 8, Dropout = 0.3 };
        TrainingResult uninterrupted;
        Dictionary<string, float[]> expected;
        using (var model = TinyModels.Create(data, head))
        {
            uninterrupted = new Trainer(Options(), optimizer, new LinearSchedule(2)).Train(model, data, validation);
            expected = TinyModels.Weights(model.Network);
        }

        using var cancel = new CancellationTokenSource();
        var store = new DirectoryCheckpointStore(root, keepLast: 2);
        using (var first = TinyModels.Create(data, head))
        {
            var stopAt5 = new RecordingCallback((state, _) => { if (state.Step == 5) cancel.Cancel(); });
            Assert.ThrowsExactly<OperationCanceledException>(() =>
                new Trainer(Options(), optimizer, new LinearSchedule(2), [stopAt5], store).Train(first, data, validation, cancellationToken: cancel.Token));
        }
        StringAssert.EndsWith(store.Latest(), "checkpoint-00000005");
        Assert.IsTrue(File.Exists(Path.Combine(store.Latest()!, "model.safetensors")), "a classifier's checkpoint is a model directory");
        Assert.IsFalse(File.Exists(Path.Combine(store.Latest()!, "model.bin")), "its weights are the model directory's only");
        using var resumed = TinyModels.Create(data, head, seed: 99);
        var result = new Trainer(Options(TrainerOptions.Latest), optimizer, new LinearSchedule(2), checkpoints: store).Train(resumed, data, validation);

        TinyModels.AssertSameWeights(expected, TinyModels.Weights(resumed.Network));
        Assert.AreEqual(uninterrupted.Steps, result.Steps);
        CollectionAssert.AreEqual(uninterrupted.History.Select(h => h.Loss).ToArray(), result.History.Select(h => h.Loss).ToArray());
        Assert.AreEqual(uninterrupted.BestStep, result.BestStep);
        CollectionAssert.AreEqual(uninterrupted.Evaluations.Select(e => e.Metrics["loss"]).ToArray(), result.Evaluations.Select(e => e.Metrics["loss"]).ToArray());
    }

    [TestMethod]
    public void Cancel_WithoutStore_ThrowsAndWritesNothing()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 3);
        using var model = TinyModels.Create(data);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.ThrowsExactly<OperationCanceledException>(() => new Trainer(new TrainerOptions { Epochs = 1 }).Train(model, data, cancellationToken: cancel.Token));

        Assert.IsFalse(Directory.Exists(root));
        Assert.IsFalse(model.Network.training);
    }

    [TestMethod]
    public void CheckpointEverySteps_KeepLastTwo_OnlyNewestTwoCompleteDirectoriesRemain()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 4);
        using var model = TinyModels.Create(data);
        var store = new DirectoryCheckpointStore(root, keepLast: 2);

        new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 4, CheckpointEverySteps = 1 }, checkpoints: store).Train(model, data);

        var names = Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Order().ToArray();
        CollectionAssert.AreEqual(new[] { "checkpoint-00000005", "checkpoint-00000006" }, names);
        foreach (string file in new[] { "config.json", "model.safetensors", "training_state/optimizer.bin", "training_state/rng.bin", "training_state/trainer_state.json" })
            Assert.IsTrue(File.Exists(Path.Combine(root, "checkpoint-00000006", file)), file);
        string saved = Path.Combine(root, "saved");
        model.Save(saved);
        string[] Entries(string directory) => [.. Directory.GetFileSystemEntries(directory).Select(Path.GetFileName).Order()!];
        // the model's own files and the trainer state, nothing else (no model.bin, no staging or lock leftovers)
        CollectionAssert.AreEqual(Entries(saved).Append("training_state").Order().ToArray(), Entries(Path.Combine(root, "checkpoint-00000006")));
    }

    [TestMethod]
    public void Save_WriterFails_PreviousCheckpointStaysLatestAndNoTemporaryRemains()
    {
        var store = new DirectoryCheckpointStore(root);
        string first = store.Save(1, dir => File.WriteAllText(Path.Combine(dir, "a.txt"), "one"));

        Assert.ThrowsExactly<IOException>(() => store.Save(2, dir =>
        {
            File.WriteAllText(Path.Combine(dir, "a.txt"), "half");
            throw new IOException("disk full");
        }));

        Assert.AreEqual(first, store.Latest());
        Assert.AreEqual("one", File.ReadAllText(Path.Combine(first, "a.txt")));
        CollectionAssert.AreEqual(new[] { first }, Directory.GetFileSystemEntries(root));
    }

    [TestMethod]
    public void Resume_MissingDirectory_ThrowsNamingIt()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 5);
        using var model = TinyModels.Create(data);
        string missing = Path.Combine(root, "nope");

        var e = Assert.ThrowsExactly<DirectoryNotFoundException>(() => new Trainer(new TrainerOptions { ResumeFrom = missing }).Train(model, data));

        StringAssert.Contains(e.Message, missing);
    }

    [TestMethod]
    public void Resume_LatestFromEmptyStore_Throws()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 6);
        using var model = TinyModels.Create(data);

        var e = Assert.ThrowsExactly<InvalidOperationException>(() =>
            new Trainer(new TrainerOptions { ResumeFrom = TrainerOptions.Latest }, checkpoints: new DirectoryCheckpointStore(root)).Train(model, data));

        StringAssert.Contains(e.Message, "no checkpoint");
    }

    [TestMethod]
    [DataRow("training_state/trainer_state.json", false)]
    [DataRow("training_state/optimizer.bin", false)]
    [DataRow("model.safetensors", true)]
    public void Resume_IncompleteCheckpoint_ThrowsInvalidData(string file, bool truncate)
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 7);
        var store = new DirectoryCheckpointStore(root);
        using (var model = TinyModels.Create(data))
            new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 4 }, checkpoints: store).Train(model, data);
        string path = Path.Combine(store.Latest()!, file);
        if (truncate)
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..100]);
        else
            File.Delete(path);
        using var other = TinyModels.Create(data);

        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 4, ResumeFrom = TrainerOptions.Latest }, checkpoints: store).Train(other, data));

        StringAssert.Contains(e.Message, "incomplete checkpoint");
    }

    [TestMethod]
    public void Callback_RequestsSave_CheckpointWrittenAtThatStep()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 8);
        using var model = TinyModels.Create(data);
        var store = new DirectoryCheckpointStore(root, keepLast: 5);
        var saveAt2 = new RecordingCallback((state, control) => control.SaveCheckpoint = state.Step == 2);

        new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 4 }, new SgdFactory(), callbacks: [saveAt2], checkpoints: store).Train(model, data);

        CollectionAssert.AreEqual(new[] { "checkpoint-00000002", "checkpoint-00000003" }, Directory.GetDirectories(root).Select(Path.GetFileName).Order().ToArray());
    }

    [TestMethod]
    public void Checkpoint_LoadedAsAClassifier_PredictsLikeTheModelAtThatStep()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 9);
        using var model = TinyModels.Create(data, new LlmFineTune.Modeling.Heads.HeadOptions { HiddenSize = 8, Dropout = 0.3 });
        var store = new DirectoryCheckpointStore(root, keepLast: 10);
        string[] texts = ["the striker scored a goal", "shares and profit for the investor", "a comet near the planet"];
        float[]? atStep2 = null;
        var probe = new RecordingCallback((state, _) =>
        {
            if (state.Step != 2) return;
            model.Network.eval();
            atStep2 = Scores(model, texts);
            model.Network.train();
        });

        new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 4, CheckpointEverySteps = 1, LearningRate = 0.05 }, callbacks: [probe], checkpoints: store).Train(model, data);

        using var loaded = TextClassifier.Load(Path.Combine(root, "checkpoint-00000002"));
        CollectionAssert.AreEqual(atStep2, Scores(loaded, texts));
        CollectionAssert.AreNotEqual(atStep2, Scores(model, texts), "training went on after step 2, so the checkpoint is not just the final model");
    }

    [TestMethod]
    public void Resume_FormatOneCheckpoint_StillReadAndEndsLikeAnUninterruptedRun()
    {
        // A task without a model-directory form keeps its weights in model.bin, the whole of format 1's layout.
        var data = TinyModels.SingleLabel(perClass: 6, seed: 10);
        var options = new TrainerOptions { Epochs = 2, BatchSize = 4, LearningRate = 0.05 };
        Dictionary<string, float[]> expected;
        using (var model = TinyModels.Create(data))
        {
            new Trainer(options).Train(new TestTask(model, data, batchSize: 4));
            expected = TinyModels.Weights(model.Network);
        }
        using var cancel = new CancellationTokenSource();
        var store = new DirectoryCheckpointStore(root);
        using (var first = TinyModels.Create(data))
        {
            var stopAt3 = new RecordingCallback((state, _) => { if (state.Step == 3) cancel.Cancel(); });
            Assert.ThrowsExactly<OperationCanceledException>(() => new Trainer(options, callbacks: [stopAt3], checkpoints: store).Train(new TestTask(first, data, batchSize: 4), cancellationToken: cancel.Token));
        }
        string manifestPath = Path.Combine(store.Latest()!, "training_state", "trainer_state.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        manifest["format"] = 1;
        manifest.Remove("modelDirectory");
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        using var resumed = TinyModels.Create(data, seed: 99);
        var resume = new TrainerOptions { Epochs = 2, BatchSize = 4, LearningRate = 0.05, ResumeFrom = TrainerOptions.Latest };
        new Trainer(resume, checkpoints: store).Train(new TestTask(resumed, data, batchSize: 4));

        TinyModels.AssertSameWeights(expected, TinyModels.Weights(resumed.Network));
    }

    [TestMethod]
    public void Resume_UnknownFormat_ThrowsNamingTheFileAndWhatToDo()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 11);
        var store = new DirectoryCheckpointStore(root);
        using (var model = TinyModels.Create(data))
            new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 4 }, checkpoints: store).Train(model, data);
        string manifestPath = Path.Combine(store.Latest()!, "training_state", "trainer_state.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        manifest["format"] = 99;
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        using var other = TinyModels.Create(data);

        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 4, ResumeFrom = TrainerOptions.Latest }, checkpoints: store).Train(other, data));

        StringAssert.Contains(e.Message, manifestPath);
        StringAssert.Contains(e.Message, "unsupported checkpoint format 99");
        StringAssert.Contains(e.Message, "train afresh");
    }

    private static float[] Scores(TextClassifier model, string[] texts) => [.. model.PredictBatch(texts).SelectMany(p => p.Scores.Values)];
}
