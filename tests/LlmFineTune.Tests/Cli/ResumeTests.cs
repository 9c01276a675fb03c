using LlmFineTune.Modeling;
using LlmFineTune.Pretraining;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Cli;

/// <summary>Ctrl-C during <c>llmft finetune</c> leaves a checkpoint, and <c>--resume</c> finishes the run exactly as if it had never stopped.</summary>
[TestClass]
[DoNotParallelize]
public sealed class ResumeTests
{
    private string root = "";
    private string trainPath = "";

    [TestInitialize]
    public void CreateData()
    {
        root = Directory.CreateTempSubdirectory("llmft-resume-").FullName;
        trainPath = Path.Combine(root, "train.tsv");
        File.WriteAllLines(trainPath, TestData.Topical(perClass: 12, seed: 7).Select(e => $"{e.Label}\t{e.Text}"));
    }

    [TestCleanup]
    public void DeleteData() => Directory.Delete(root, recursive: true);

    private string[] Args(string output, params string[] more) =>
        ["finetune", "--train", trainPath, "--output", output, "--buckets", "1024", "--epochs", "3", "--batch-size", "8", "--seed", "3", .. more];

    [TestMethod]
    [DataRow("bag")]
    [DataRow("bert-tiny")]
    public void Finetune_InterruptedThenResumed_SameModelAsAnUninterruptedRun(string backbone)
    {
        string[] size = backbone == "bag" ? ["--lr", "0.1"] : ["--backbone", backbone, "--vocab-size", "60", "--max-length", "16", "--lr", "0.003"];
        string whole = Path.Combine(root, "whole");
        string resumed = Path.Combine(root, "resumed");
        var uninterrupted = CliRun.Of(Args(whole, size));
        Assert.AreEqual(0, uninterrupted.ExitCode, uninterrupted.Error);

        using var cancel = new CancellationTokenSource();
        var interrupted = CliRun.With(TextReader.Null, new CancellingWriter("step 1/", cancel), cancel.Token, Args(resumed, size));
        Assert.AreEqual(130, interrupted.ExitCode, interrupted.Error);
        Assert.HasCount(1, interrupted.ErrorLines, interrupted.Error);
        StringAssert.Contains(interrupted.Error, "checkpoint saved to " + resumed + ".checkpoints");
        StringAssert.Contains(interrupted.Error, "--resume");
        Assert.IsFalse(Directory.Exists(resumed), "no model is saved from an interrupted run");
        string checkpoint = Directory.GetDirectories(resumed + ".checkpoints").Single();
        var fromCheckpoint = CliRun.WithInput("the striker scored a goal\n", "predict", "--model", checkpoint);
        Assert.AreEqual(0, fromCheckpoint.ExitCode, "the checkpoint is a model directory llmft predict reads: " + fromCheckpoint.Error);

        var resume = CliRun.Of(Args(resumed, [.. size, "--resume"]));
        Assert.AreEqual(0, resume.ExitCode, resume.Error);
        StringAssert.Contains(resume.Output, "resuming from");

        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(resumed, "model.safetensors")), "weights differ from the uninterrupted run");
        Assert.AreEqual(uninterrupted.OutputLines[^2], resume.OutputLines[^2], "the final step count and loss match");
        Assert.IsFalse(Directory.Exists(resumed + ".checkpoints"), "checkpoints are removed once the model is saved");
        using var a = TextClassifier.Load(whole, Tokenizers.Load);
        using var b = TextClassifier.Load(resumed, Tokenizers.Load);
        string[] texts = ["the striker scored a goal", "shares and profit for the investor"];
        CollectionAssert.AreEqual(a.PredictBatch(texts).SelectMany(p => p.Scores.Values).ToArray(), b.PredictBatch(texts).SelectMany(p => p.Scores.Values).ToArray());
    }

    [TestMethod]
    [DataRow("mlm")]
    [DataRow("electra")] // its replacements are sampled from draws in the batch, so a resumed run samples the same ones
    public void Pretrain_InterruptedThenResumed_SameModelAsAnUninterruptedRun(string objective)
    {
        string corpus = Path.Combine(root, "corpus.txt");
        File.WriteAllLines(corpus, TestData.Topical(perClass: 10, seed: 8).Select(e => e.Text));
        string[] Pretrain(string output, params string[] more) =>
            ["pretrain", "--corpus", corpus, "--output", output, "--backbone", "bert-tiny", "--objective", objective, "--steps", "4", "--vocab-size", "60", "--max-length", "16", "--batch-size", "8", "--separator", "line", "--seed", "5", .. more];
        string whole = Path.Combine(root, "whole-lm");
        string resumed = Path.Combine(root, "resumed-lm");
        Assert.AreEqual(0, CliRun.Of(Pretrain(whole)).ExitCode);

        using var cancel = new CancellationTokenSource();
        var interrupted = CliRun.With(TextReader.Null, new CancellingWriter("step 1/", cancel), cancel.Token, Pretrain(resumed));
        Assert.AreEqual(130, interrupted.ExitCode, interrupted.Error);
        StringAssert.Contains(interrupted.Error, "llmft pretrain: interrupted; checkpoint saved to " + resumed + ".checkpoints");
        string checkpoint = Directory.GetDirectories(resumed + ".checkpoints").Single();
        // the checkpoint is a BertForMaskedLM directory like the finished model: loading it throws otherwise
        LanguageModelDirectory.LoadMaskedLanguageModel(checkpoint, Tokenizers.Load(checkpoint)).Dispose();
        var resume = CliRun.Of(Pretrain(resumed, "--resume"));
        Assert.AreEqual(0, resume.ExitCode, resume.Error);

        CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(resumed, "model.safetensors")), "weights differ from the uninterrupted run");
        Assert.IsFalse(Directory.Exists(resumed + ".checkpoints"));
    }

    [TestMethod]
    public void Finetune_Uninterrupted_WritesNoCheckpoints()
    {
        string output = Path.Combine(root, "model");

        var run = CliRun.Of(Args(output));

        Assert.AreEqual(0, run.ExitCode, run.Error);
        Assert.IsFalse(Directory.Exists(output + ".checkpoints"));
    }

    [TestMethod]
    public void Finetune_CheckpointEvery_KeepsTheNewestUntilTheModelIsSaved()
    {
        string output = Path.Combine(root, "model");
        using var cancel = new CancellationTokenSource();

        var run = CliRun.With(TextReader.Null, new CancellingWriter("step 1/", cancel), cancel.Token, Args(output, "--checkpoint-every", "1"));

        Assert.AreEqual(130, run.ExitCode, run.Error);
        CollectionAssert.AreEqual(new[] { "checkpoint-00000001" }, Directory.GetDirectories(output + ".checkpoints").Select(Path.GetFileName).ToArray());
    }
}
