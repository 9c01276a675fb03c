using LlmFineTune.Runtime;
using TorchSharp;

namespace LlmFineTune.Tests.Cli;

/// <summary>The <c>finetune</c> flags that reach the trainer change what is trained.</summary>
[TestClass]
[DoNotParallelize]
public sealed class TrainingFlagsTests
{
    private static string root = "";
    private static string trainPath = "";
    private static string validationPath = "";
    private static byte[] plain = [];

    [ClassInitialize]
    public static void CreateData(TestContext context)
    {
        root = Directory.CreateTempSubdirectory("llmft-flags-").FullName;
        trainPath = Path.Combine(root, "train.tsv");
        validationPath = Path.Combine(root, "validation.tsv");
        File.WriteAllLines(trainPath, TestData.Topical(perClass: 8, seed: 11).Select(e => $"{e.Label}\t{e.Text}"));
        File.WriteAllLines(validationPath, TestData.Topical(perClass: 4, seed: 12).Select(e => $"{e.Label}\t{e.Text}"));
        plain = Weights(Train("plain").Output);
    }

    [ClassCleanup]
    public static void Delete() => Directory.Delete(root, recursive: true);

    private static (CliRun Run, string Output) Train(string name, params string[] flags)
    {
        string output = Path.Combine(root, name);
        var run = CliRun.Of(["finetune", "--train", trainPath, "--output", output, "--buckets", "512", "--batch-size", "8", "--seed", "1", .. flags, .. flags.Contains("--epochs") ? Array.Empty<string>() : ["--epochs", "3"]]);
        Assert.AreEqual(0, run.ExitCode, run.Error);
        return (run, output);
    }

    private static byte[] Weights(string model) => File.ReadAllBytes(Path.Combine(model, "model.safetensors"));

    [TestMethod]
    [DataRow("--weight-decay", "0.5")]
    [DataRow("--warmup-steps", "4")]
    [DataRow("--warmup-ratio", "0.5")]
    public void Finetune_Flag_ChangesTheTrainedWeights(string flag, string value)
    {
        var (_, output) = Train(flag.TrimStart('-') + value, flag, value);

        CollectionAssert.AreNotEqual(plain, Weights(output), $"{flag} {value} had no effect");
    }

    [TestMethod]
    public void Finetune_WarmupRatio_EqualsTheSameWarmupInSteps()
    {
        // 32 examples in batches of 8 for 3 epochs: 12 steps, so a ratio of 0.25 is 3 steps.
        var (_, ratio) = Train("ratio", "--warmup-ratio", "0.25");
        var (_, steps) = Train("steps", "--warmup-steps", "3");

        CollectionAssert.AreEqual(Weights(steps), Weights(ratio));
    }

    [TestMethod]
    public void Finetune_EarlyStoppingPatience_StopsWhenValidationLossStopsImproving()
    {
        // A learning rate far below float precision leaves the weights, and so the validation loss, unchanged.
        var (run, _) = Train("early", "--validation", validationPath, "--early-stopping-patience", "1", "--optimizer", "sgd", "--lr", "1e-30", "--epochs", "5");

        StringAssert.Contains(run.Output, "8 steps, ");
        StringAssert.Contains(run.Output, "stopped early");
    }

    [TestMethod]
    public void Finetune_Threads_SetsLibtorchIntraOpThreads()
    {
        TorchRuntime.EnsureAvailable();
        int before = torch.get_num_threads();
        try
        {
            Train("threads", "--threads", "1", "--epochs", "1");

            Assert.AreEqual(1, torch.get_num_threads());
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }
}
