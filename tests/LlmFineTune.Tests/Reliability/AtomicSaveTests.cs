using System.Diagnostics;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tokenization;
using TorchSharp;

namespace LlmFineTune.Tests.Reliability;

/// <summary>
/// A model directory is written as a unit: a reader sees the old model or the new one, never a mix,
/// whatever happens to the writer (a full disk, a concurrent writer, a kill between renames); a
/// directory mixed by hand is refused by its manifest.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class AtomicSaveTests
{
    private string root = "";

    [TestInitialize]
    public void Setup() => root = Directory.CreateTempSubdirectory("llmft-atomic-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(root, recursive: true);

    [TestMethod]
    public void Save_OverAnExistingModel_NewModelNoLeftoversAndUserFilesKept()
    {
        string directory = Path.Combine(root, "m");
        Twin.A.Save(directory);
        File.WriteAllText(Path.Combine(directory, "README.md"), "notes");

        Twin.B.Save(directory);

        Assert.AreEqual(Twin.B, Twin.Identify(directory));
        Assert.AreEqual("notes", File.ReadAllText(Path.Combine(directory, "README.md")), "a file the user added is carried over");
        CollectionAssert.AreEquivalent(new[] { "m", ".m.lock" }, Directory.GetFileSystemEntries(root).Select(Path.GetFileName).ToArray(), "only the writers' lock file stays beside the model");
    }

    [TestMethod]
    public void Save_IntoADirectoryThatHoldsNoModel_RefusedAndUntouched()
    {
        string directory = Directory.CreateDirectory(Path.Combine(root, "documents")).FullName;
        File.WriteAllText(Path.Combine(directory, "thesis.tex"), "years of work");
        using var model = ModelFixtures.Bag();

        var e = Assert.ThrowsExactly<IOException>(() => model.Save(directory));

        Assert.Contains("holds no model (no config.json); saving would replace it as a whole", e.Message);
        CollectionAssert.AreEqual(new[] { "thesis.tex" }, Directory.GetFiles(directory).Select(Path.GetFileName).ToArray());
    }

    [TestMethod]
    [DataRow(ModelDirectory.WeightsFileName, "is not the file save", DisplayName = "weights of another save")]
    [DataRow(HashingTokenizer.ConfigFileName, "is not the file save", DisplayName = "tokenizer file of another save")]
    [DataRow(ModelDirectory.ConfigFileName, "config.json: written by save", DisplayName = "config.json of another save")]
    public void Load_FileCopiedFromAnotherSave_RefusedAsMixed(string file, string expected)
    {
        string first = Path.Combine(root, "first");
        string second = Path.Combine(root, "second");
        Twin.A.Save(first);
        if (file == ModelDirectory.WeightsFileName)
        {
            // The same architecture with other weights: sizes alone cannot tell the saves apart.
            using var other = ModelFixtures.Bag();
            using (torch.no_grad())
                other.Network.parameters().First().add_(1);
            other.Save(second);
        }
        else Twin.B.Save(second);
        File.Copy(Path.Combine(second, file), Path.Combine(first, file), overwrite: true);

        // Before: the mixed directory loaded with exit 0 and predicted differently.
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(first));

        Assert.Contains(expected, e.Message);
        Assert.Contains("mixes files of different saves", e.Message);
        Assert.Contains($"delete {ModelManifest.FileName}", e.Message);
    }

    [TestMethod]
    public void Load_ConfigEditedByHand_StillLoads()
    {
        string directory = Path.Combine(root, "m");
        Twin.A.Save(directory);
        string config = Path.Combine(directory, ModelDirectory.ConfigFileName);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"yes\"", "\"positive\"", StringComparison.Ordinal));

        using var loaded = TextClassifier.Load(directory);

        CollectionAssert.AreEqual(new[] { "no", "positive" }, loaded.Labels.ToArray());
    }

    [TestMethod]
    public void Load_DirectorySavedBeforeManifests_StillLoads()
    {
        string directory = Path.Combine(root, "m");
        Twin.A.Save(directory);
        File.Delete(Path.Combine(directory, ModelManifest.FileName));

        Assert.AreEqual(Twin.A, Twin.Identify(directory));
    }

    [TestMethod]
    public void Load_WriterKilledBetweenItsTwoRenames_OldModelPutBack()
    {
        string directory = Path.Combine(root, "m");
        Twin.A.Save(directory);
        // What the two-rename fallback leaves when killed after moving the old directory aside.
        Directory.Move(directory, Path.Combine(root, ".m.0badc0de.old"));
        Directory.CreateDirectory(Path.Combine(root, ".m.12345678.tmp"));

        Assert.AreEqual(Twin.A, Twin.Identify(directory));
        Twin.B.Save(directory);
        Assert.AreEqual(Twin.B, Twin.Identify(directory));
        Assert.IsFalse(Directory.GetDirectories(root, ".m.*").Any(), "the next save removes the leftovers");
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void SaveAndLoad_TwoWritersAndTwoReadersForASecond_NoReaderSeesAMix()
    {
        string directory = Path.Combine(root, "m");
        Twin.A.Save(directory);
        var until = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(1.5);
        int saves = 0, loads = 0;
        var mixed = new List<string>();
        var writers = new[] { Twin.A, Twin.B }.Select(twin => new Thread(() =>
        {
            try
            {
                while (until.Elapsed < duration)
                {
                    twin.Save(directory);
                    Interlocked.Increment(ref saves);
                }
            }
            catch (Exception e)
            {
                lock (mixed) mixed.Add($"writer {twin}: {e.GetType().Name}: {e.Message}");
            }
        }));
        var readers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            while (until.Elapsed < duration)
            {
                string seen;
                try
                {
                    seen = Twin.Identify(directory)?.Name ?? "neither model";
                }
                catch (Exception e)
                {
                    seen = $"{e.GetType().Name}: {e.Message}";
                }
                if (seen is not ("A" or "B"))
                    lock (mixed) mixed.Add(seen);
                Interlocked.Increment(ref loads);
            }
        }));
        var threads = writers.Concat(readers).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Console.WriteLine($"concurrent save+load: {saves} saves, {loads} loads, {mixed.Count} mixed");
        Assert.IsEmpty(mixed, string.Join("\n", mixed.Take(5)));
        Assert.IsGreaterThan(2, saves);
        Assert.IsGreaterThan(10, loads);
    }

    [TestMethod]
    public void Save_DiskFullWhileReplacingAModel_IOExceptionOldModelIntactNoLeftovers()
    {
        string mount = Directory.CreateDirectory(Path.Combine(root, "small-disk")).FullName;
        if (!OperatingSystem.IsLinux() || !Mount(mount, "size=256k"))
            Assert.Inconclusive("Needs a small tmpfs (Linux, run as root or with CAP_SYS_ADMIN); could not mount one.");
        try
        {
            string directory = Path.Combine(mount, "m");
            Twin.A.Save(directory);
            // 4,097 x 32 floats of embeddings: about 520 KB, twice what the disk holds.
            var labels = new LabelMap(["x", "y"]);
            var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 4096 });
            using var big = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 32), new SingleLabelHead(32, 2), labels, maxLength: 8);

            // Before: a stack trace, vocab files already replaced, and a mixed directory that loaded with exit 0.
            var e = Assert.ThrowsExactly<IOException>(() => big.Save(directory));

            Assert.Contains("the directory is unchanged", e.Message);
            Assert.AreEqual(Twin.A, Twin.Identify(directory));
            CollectionAssert.AreEquivalent(new[] { "m", ".m.lock" }, Directory.GetFileSystemEntries(mount).Select(Path.GetFileName).ToArray());
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static bool Mount(string path, string options) => Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path);

    private static bool Run(string program, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no such program
        }
    }
}

/// <summary>Two models that differ in every file (tokenizer, labels, weights), and a way to tell which one a directory holds.</summary>
internal sealed class Twin
{
    private const string Probe = "a probe text to score";

    public static readonly Twin A = new("A", buckets: 64, ["no", "yes"], seed: 3);
    public static readonly Twin B = new("B", buckets: 48, ["neg", "mid", "pos"], seed: 4);

    private readonly int buckets;
    private readonly LabelMap labels;
    private readonly int seed;
    private readonly float[] scores;

    private Twin(string name, int buckets, string[] labels, int seed)
    {
        Name = name;
        this.buckets = buckets;
        this.labels = new LabelMap(labels);
        this.seed = seed;
        using var model = Build();
        scores = [.. model.Predict(Probe).Scores.Values];
    }

    public string Name { get; }

    /// <summary>Which twin <paramref name="directory"/> holds; null when it holds a model that is neither.</summary>
    public static Twin? Identify(string directory)
    {
        using var model = TextClassifier.Load(directory);
        float[] seen = [.. model.Predict(Probe).Scores.Values];
        return new[] { A, B }.FirstOrDefault(t => t.labels.SequenceEqual(model.Labels) && t.scores.SequenceEqual(seen));
    }

    public void Save(string directory)
    {
        using var model = Build();
        model.Save(directory);
    }

    public override string ToString() => Name;

    private TextClassifier Build()
    {
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = buckets });
        var generator = new torch.Generator((ulong)seed);
        var backbone = new BagOfNgrams(tokenizer.VocabularySize, 4);
        var head = new SingleLabelHead(4, labels.Count);
        using (torch.NewDisposeScope())
        using (torch.no_grad())
            foreach (var parameter in backbone.parameters().Concat(head.parameters()))
                parameter.copy_(torch.randn(parameter.shape, generator: generator));
        return new TextClassifier(tokenizer, backbone, head, labels, maxLength: 16);
    }
}
