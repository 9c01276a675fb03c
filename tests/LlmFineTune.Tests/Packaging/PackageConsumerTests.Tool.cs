namespace LlmFineTune.Tests.Packaging;

public sealed partial class PackageConsumerTests
{
    /// <summary>The largest package nuget.org accepts.</summary>
    private const long NuGetOrgLimit = 250L * 1024 * 1024;

    /// <summary>The platforms the tool is packed for (TorchSharp-cpu's), one package each.</summary>
    private static readonly string[] ToolPlatforms = ["linux-x64", "win-x64", "osx-arm64"];

    [TestMethod]
    public void ToolPackage_PackedPerPlatform_EachFitsNuGetOrgAndTheInstalledToolTrains()
    {
        string feed = Path.Combine(work, "feed"), tools = Path.Combine(work, "tools"), model = Path.Combine(work, "model");
        Pack(feed, "src/LlmFineTune.Cli/LlmFineTune.Cli.csproj");

        var packages = Directory.GetFiles(feed, "*.nupkg").ToDictionary(f => Path.GetFileName(f), f => new FileInfo(f).Length);
        foreach (var (name, bytes) in packages)
            TestContext.WriteLine($"{name}: {bytes / 1e6:F1} MB");
        CollectionAssert.AreEquivalent(ToolPlatforms.Select(p => $"LlmFineTune.Cli.{p}.{version}.nupkg").Append($"LlmFineTune.Cli.{version}.nupkg").ToList(), packages.Keys.ToList());
        Assert.IsTrue(packages.Values.All(b => b < NuGetOrgLimit), "a package is over nuget.org's 250 MB limit");
        Assert.IsLessThan(100_000L, packages[$"LlmFineTune.Cli.{version}.nupkg"], "the package that points to the platform packages should carry no binaries");

        Dotnet(work, "tool", "install", "--tool-path", tools, "--add-source", feed, "--version", version, "LlmFineTune.Cli");
        string llmft = Path.Combine(tools, "llmft");
        StringAssert.Contains(Run(llmft, work, "--help"), "finetune");
        // this machine's package, patched at pack time: libtorch starts on Debian 12 / Ubuntu 22.04 too
        AssertWeak(Directory.GetFiles(Path.Combine(tools, ".store"), "libLibTorchSharp.so", SearchOption.AllDirectories).Single());

        string train = Path.Combine(work, "train.tsv");
        File.WriteAllLines(train, Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? $"sport\tthe match {i} ended with a late goal for the league leaders"
            : $"money\tthe bank {i} reported a profit as the stock market rose"));
        Run(llmft, work, "finetune", "--train", train, "--output", model, "--epochs", "3");
        string texts = Path.Combine(work, "texts.txt");
        File.WriteAllLines(texts, ["a late goal in the match", "the stock market and the bank"]);
        string predicted = Run(llmft, work, "predict", "--model", model, "--input", texts);
        Assert.HasCount(2, predicted.Split('\n', StringSplitOptions.RemoveEmptyEntries), predicted);
        StringAssert.StartsWith(predicted, "{\"label\":", predicted);
        TestContext.WriteLine(predicted);
    }
}
