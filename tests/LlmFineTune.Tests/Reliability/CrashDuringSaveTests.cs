using System.Diagnostics;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tests.Training;
using LlmFineTune.Training;
using LlmFineTune.Training.Checkpoints;
using LlmFineTune.Training.Optimizers;

namespace LlmFineTune.Tests.Reliability;

/// <summary>A training process killed with SIGKILL in the middle of writing a checkpoint loses only the work since the previous one.</summary>
[TestClass]
public sealed class CrashDuringSaveTests
{
    private const int CheckpointEvery = 4;
    private const int KilledWhileSaving = 8;
    private static readonly HeadOptions Head = new() { HiddenSize = 8, Dropout = 0.3 };

    private string root = "";

    [TestInitialize]
    public void Setup() => root = Directory.CreateTempSubdirectory("llmft-crash-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(root, recursive: true);

    [TestMethod]
    [TestCategory("Slow")]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void SigkillWhileCheckpointIsWritten_NewestCompleteCheckpointResumesToTheUninterruptedWeights()
    {
        Dictionary<string, float[]> expected;
        using (var model = TinyModels.Create(Data(), Head))
        {
            new Trainer(Options(), new AdamFactory()).Train(model, Data());
            expected = TinyModels.Weights(model.Network);
        }

        int exitCode = RunChildAndKillItWhileSaving();

        Assert.AreEqual(128 + 9, exitCode, "the child died of SIGKILL");
        Assert.IsNotEmpty(Directory.GetDirectories(root, $".checkpoint-{KilledWhileSaving:D8}.*"), "the kill landed inside the checkpoint write");
        var store = new DirectoryCheckpointStore(root);
        StringAssert.EndsWith(store.Latest(), $"checkpoint-{CheckpointEvery:D8}", "the half-written checkpoint is never offered");
        using var resumed = TinyModels.Create(Data(), Head, seed: 99);
        var result = new Trainer(Options(TrainerOptions.Latest), new AdamFactory(), checkpoints: store).Train(resumed, Data());

        Assert.AreEqual(Options().MaxSteps, result.Steps);
        TinyModels.AssertSameWeights(expected, TinyModels.Weights(resumed.Network), "resuming after the crash must finish the same run");
    }

    [TestMethod]
    [TestCategory("Slow")]
    [Timeout(120_000, CooperativeCancellation = true)]
    public void SigkillAtRandomPointsOfModelSaves_DirectoryAlwaysHoldsOneWholeModel()
    {
        const int Runs = 6;
        var random = new Random(11);
        string directory = Path.Combine(root, "model");
        Twin.A.Save(directory);
        int kills = 0;
        var mixed = new List<string>();
        for (int run = 0; run < Runs; run++)
        {
            using var child = StartChild(ChildProcess.SaveChild, directory);
            // Past the first saves (slow: JIT), then anywhere inside one of the next few.
            WaitForLine(child, $"{SavedSignal} {random.Next(2, 5)}");
            Thread.Sleep(random.Next(0, 40));
            child.Kill();
            child.WaitForExit();
            if (child.ExitCode == 128 + 9) kills++;
            try
            {
                if (Twin.Identify(directory) is null) mixed.Add($"run {run}: a model that is neither A nor B");
            }
            catch (Exception e)
            {
                mixed.Add($"run {run}: {e.GetType().Name}: {e.Message}");
            }
        }
        Twin.B.Save(directory);

        Console.WriteLine($"SIGKILL during saves: {Runs} runs, {kills} kills, {mixed.Count} mixed directories seen");
        Assert.IsEmpty(mixed, string.Join("\n", mixed));
        Assert.AreEqual(Runs, kills, "every child died of SIGKILL while saving");
        Assert.IsFalse(Directory.GetDirectories(root, ".model.*").Any(), "the next save removes what the killed writers left");
    }

    private const string SavedSignal = "saved";

    /// <summary>The save child's side: saves the two twins in turn into one directory, reporting each save, until killed.</summary>
    internal static int RunSaveChild(string directory)
    {
        var twins = new[] { Twin.A, Twin.B };
        for (int i = 1; i < 100_000; i++)
        {
            twins[i % 2].Save(directory);
            Console.Out.WriteLine($"{SavedSignal} {i}");
            Console.Out.Flush();
        }
        return 3; // not killed: the parent sees a wrong exit code
    }

    /// <summary>The child's side: trains with checkpoints and, inside the write of step 8, reports and waits to be killed.</summary>
    internal static int RunChild(string root)
    {
        using var model = TinyModels.Create(Data(), Head);
        var store = new PausingStore(new DirectoryCheckpointStore(root), KilledWhileSaving);
        new Trainer(Options(), new AdamFactory(), checkpoints: store).Train(model, Data());
        return 3; // not killed: the parent sees a wrong exit code
    }

    private int RunChildAndKillItWhileSaving()
    {
        using var child = StartChild(ChildProcess.CrashChild, root);
        WaitForLine(child, PausingStore.Signal);
        child.Kill(); // SIGKILL on Unix: no finally blocks, no flushing
        child.WaitForExit();
        return child.ExitCode;
    }

    private static Process StartChild(string role, string argument)
    {
        var start = new ProcessStartInfo(ChildProcess.DotnetHost())
        {
            RedirectStandardOutput = true, // the child's errors go to the test's own stderr
            ArgumentList = { "exec", typeof(ChildProcess).Assembly.Location, role, argument },
        };
        return Process.Start(start)!;
    }

    /// <summary>Reads the child's output up to a line starting with <paramref name="signal"/>; fails when it exits first.</summary>
    private static void WaitForLine(Process child, string signal)
    {
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null && !line.StartsWith(signal, StringComparison.Ordinal))
        {
        }
        if (line is null)
        {
            child.WaitForExit();
            Assert.Fail($"The child exited ({child.ExitCode}) without reaching '{signal}'.");
        }
    }

    private static TextDataset Data() => TinyModels.SingleLabel(perClass: 8, seed: 5);

    private static TrainerOptions Options(string? resumeFrom = null) => new()
    {
        MaxSteps = 12,
        BatchSize = 4,
        LearningRate = 0.05,
        CheckpointEverySteps = CheckpointEvery,
        ResumeFrom = resumeFrom,
    };

    /// <summary>Test hook: after the checkpoint's files are in the temporary directory, but before it is renamed into place, says so and waits.</summary>
    private sealed class PausingStore(ICheckpointStore inner, int pauseAtStep) : ICheckpointStore
    {
        public const string Signal = "checkpoint-write-in-progress";

        public string Save(int step, Action<string> write) => inner.Save(step, directory =>
        {
            write(directory);
            if (step != pauseAtStep) return;
            Console.Out.WriteLine($"{Signal} {step}");
            Console.Out.Flush();
            Thread.Sleep(TimeSpan.FromSeconds(60)); // the parent kills us here
        });

        public string? Latest() => inner.Latest();
    }
}
