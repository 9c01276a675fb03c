using System.Text;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tokenization;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Reliability;

/// <summary>
/// Seeded random mutations of valid model files: every outcome is a successful load or an
/// <see cref="InvalidDataException"/>; never IndexOutOfRange, NullReference, Overflow, OutOfMemory,
/// a libtorch error or a hang.
/// </summary>
[TestClass]
public sealed class ModelFileFuzzTests
{
    private string root = "";

    [TestInitialize]
    public void Setup() => root = Directory.CreateTempSubdirectory("llmft-fuzz-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(root, recursive: true);

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void SafeTensorsReader_ThousandsOfMutations_OnlyInvalidDataException()
    {
        string valid = Path.Combine(root, "valid.safetensors");
        using (var a = randn(4, 3))
        using (var b = randn(5))
        using (var c = ones(2, 2))
            SafeTensors.Write(valid, [("a", a), ("b", b), ("c", c)], new Dictionary<string, string> { ["format"] = "pt" });
        byte[] bytes = File.ReadAllBytes(valid);
        using var ta = zeros(4, 3);
        using var tb = zeros(5);
        using var tc = zeros(2, 2);
        var targets = new Dictionary<string, Tensor> { ["a"] = ta, ["b"] = tb, ["c"] = tc };
        string path = Path.Combine(root, "model.safetensors");
        var mutator = new Mutator(seed: 20261129);

        var outcomes = Run(4000, _ =>
        {
            Overwrite(path, mutator.MutateSafeTensors(bytes));
            SafeTensors.LoadInto(path, targets);
        });

        Assert.IsGreaterThan(100, outcomes.Rejected, "the mutations must actually break files");
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    [DataRow("bag", ModelDirectory.ConfigFileName, 1500)]
    [DataRow("bag", HashingTokenizer.ConfigFileName, 800)]
    [DataRow("bert", ModelDirectory.ConfigFileName, 400)]
    public void ModelDirectoryConfig_ThousandsOfMutations_OnlyInvalidDataException(string kind, string file, int cases)
    {
        string directory = ModelFixtures.Save(kind == "bag" ? ModelFixtures.Bag() : ModelFixtures.Bert(), root, kind);
        string path = Path.Combine(directory, file);
        string valid = File.ReadAllText(path);
        var mutator = new Mutator(seed: 1129 + cases);

        var outcomes = Run(cases, _ =>
        {
            Overwrite(path, Encoding.UTF8.GetBytes(mutator.MutateJson(valid)));
            using var model = TextClassifier.Load(directory);
            model.Predict("a b c");
        });

        Assert.IsGreaterThan(cases / 10, outcomes.Rejected, "the mutations must actually break files");
        Assert.IsGreaterThan(0, outcomes.Loaded, "some harmless mutations must still load");
    }

    /// <summary>Runs the cases; fails listing the first few that threw anything but InvalidDataException.</summary>
    private static (int Loaded, int Rejected) Run(int cases, Action<int> attempt)
    {
        int loaded = 0, rejected = 0;
        var failures = new List<string>();
        for (int i = 0; i < cases; i++)
        {
            try
            {
                attempt(i);
                loaded++;
            }
            catch (InvalidDataException e)
            {
                rejected++;
                Assert.IsFalse(string.IsNullOrWhiteSpace(e.Message));
            }
            catch (Exception e)
            {
                failures.Add($"case {i}: {e.GetType().Name} at {Origin(e)}: {e.Message.Split('\n')[0]}");
            }
        }
        var kinds = failures.GroupBy(f => f[(f.IndexOf(':') + 2)..f.IndexOf(": ", f.IndexOf(':') + 2)]).Select(g => g.First());
        Assert.IsEmpty(failures, $"{failures.Count} unexpected exception(s); one of each kind:\n{string.Join("\n", kinds)}");
        return (loaded, rejected);
    }

    /// <summary>Rewrites a file in place: truncating and recreating costs milliseconds a case on some file systems.</summary>
    private static void Overwrite(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write);
        stream.Write(bytes);
        stream.SetLength(bytes.Length);
    }

    /// <summary>The innermost library frame, so one line says where a defect is.</summary>
    private static string Origin(Exception e) =>
        e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at LlmFineTune.", StringComparison.Ordinal) && !l.Contains(".Tests.", StringComparison.Ordinal)) ?? "?";
}
