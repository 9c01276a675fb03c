using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LlmFineTune.Build;

namespace LlmFineTune.Tests.Packaging;

/// <summary>
/// Packs the library into a local feed and builds a brand-new console app outside the repo that
/// references it by PackageReference only, as a user's app would.
/// </summary>
[TestClass]
[TestCategory("Slow")]
public sealed partial class PackageConsumerTests
{
    private const string ConsumerProgram = """
        using LlmFineTune.Data;
        using LlmFineTune.Evaluation;
        using LlmFineTune.Modeling;
        using LlmFineTune.Modeling.Backbones;
        using LlmFineTune.Modeling.Heads;
        using LlmFineTune.Tokenization;
        using LlmFineTune.Training;

        var random = new Random(5);
        string[][] topics = [["goal", "match", "league", "coach"], ["stock", "market", "bank", "profit"], ["orbit", "planet", "rocket", "comet"]];
        string[] filler = ["the", "a", "new", "report", "today", "about"];
        var examples = new List<TextExample>();
        for (int c = 0; c < topics.Length; c++)
            for (int i = 0; i < 40; i++)
                examples.Add(TextExample.Labeled(string.Join(' ', Enumerable.Range(0, 8).Select(_ => random.NextDouble() < 0.4 ? topics[c][random.Next(4)] : filler[random.Next(6)])) + " " + topics[c][random.Next(4)], $"topic{c}"));
        var data = TextDataset.FromExamples(examples);

        TorchSharp.torch.manual_seed(1);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 2048 });
        using var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 16), new SingleLabelHead(16, data.LabelMap.Count), data.LabelMap);
        var trainer = new Trainer(new TrainerOptions { Epochs = 6, BatchSize = 16, LearningRate = 0.05 });
        var result = trainer.Train(model, data);
        foreach (var epoch in result.History.GroupBy(h => h.Epoch))
            Console.WriteLine($"epoch {epoch.Key} loss {epoch.Average(h => h.Loss).ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}");
        Console.WriteLine($"accuracy {new Evaluator().Evaluate(model, data).Accuracy.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}");
        Console.WriteLine($"runtime {Environment.Version.Major}");
        """;

    private string work = "";
    private string version = "";

    public TestContext TestContext { get; set; } = null!;

    [TestInitialize]
    public void CreateWorkspace()
    {
        work = Directory.CreateTempSubdirectory("llmft-consumer-").FullName;
        version = "0.0.0-consumer." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + Environment.ProcessId;
    }

    [TestCleanup]
    public void DeleteWorkspace()
    {
        Directory.Delete(work, recursive: true);
        // the package restored from the temporary feed must not linger in the user's NuGet cache
        foreach (string id in ((string[])["llmfinetune", "llmfinetune.common", "llmfinetune.onnx", "llmfinetune.cli"]).Concat(ToolPlatforms.Select(p => "llmfinetune.cli." + p)))
        {
            string cached = Path.Combine(NuGetCache(), id, version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }

    [TestMethod]
    public void PackageReference_NewConsoleApp_BuildsPublishesAndTrains()
    {
        string app = CreateConsumer("net10.0");

        Dotnet(app, "build", "-c", "Release");
        string built = Path.Combine(app, "bin", "Release", "net10.0");
        AssertFalls(Dotnet(built, "ConsumerApp.dll"), runtime: 10);
        AssertWeak(Path.Combine(built, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));

        string published = Path.Combine(work, "published");
        Dotnet(app, "publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", published);
        AssertWeak(Path.Combine(published, "libLibTorchSharp.so"));
        AssertFalls(Dotnet(published, "ConsumerApp.dll"), runtime: 10);
        AssertCoreOnly(published);

        string cacheCopy = Directory.GetFiles(Path.Combine(NuGetCache(), "torchsharp"), "libLibTorchSharp.so", SearchOption.AllDirectories).First();
        Assert.IsFalse(ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(cacheCopy), cacheCopy).Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak,
            "the NuGet cache's copy must never be modified");
    }

    [TestMethod]
    public void PackageReference_Net8ConsoleApp_TrainsOnTheNet8Runtime()
    {
        string app = CreateConsumer("net8.0");

        // Self-contained, so the app runs on the real .NET 8 runtime (from NuGet's runtime pack) even where only .NET 10 is installed.
        string published = Path.Combine(work, "published8");
        Dotnet(app, "publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "true", "-o", published);
        AssertWeak(Path.Combine(published, "libLibTorchSharp.so"));
        AssertFalls(Run(Path.Combine(published, "ConsumerApp"), published), runtime: 8);

        // net8.0 consumers get the 8.0 line of Microsoft.Extensions, not 10.x forced on them.
        string deps = File.ReadAllText(Path.Combine(published, "ConsumerApp.deps.json"));
        StringAssert.Matches(deps, OptionsEight(), "Microsoft.Extensions.Options should resolve to 8.0.x for a net8.0 app");
    }

    private string CreateConsumer(string framework)
    {
        string feed = Path.Combine(work, "feed"), app = Path.Combine(work, "app");
        Directory.CreateDirectory(app);
        Pack(feed, "src/LlmFineTune.Common/LlmFineTune.Common.csproj", "src/LlmFineTune/LlmFineTune.csproj");
        Assert.IsTrue(File.Exists(Path.Combine(feed, $"LlmFineTune.{version}.snupkg")), "the symbols package is missing");
        UseFeedOnly(app, feed);
        File.WriteAllText(Path.Combine(app, "ConsumerApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>{framework}</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LlmFineTune" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ConsumerProgram);
        return app;
    }

    /// <summary>Restores the app from the local feed (and packages already in the NuGet cache) only.</summary>
    private static void UseFeedOnly(string app, string feed) =>
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="llmfinetune-test-feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);

    /// <summary>Packs projects into the local feed at this test's version.</summary>
    private void Pack(string feed, params string[] projects)
    {
        foreach (string project in projects)
            Dotnet(RepositoryRoot(), "pack", project, "-c", "Release", "-o", feed, $"-p:Version={version}");
    }

    /// <summary>The core package brings libtorch and nothing for plots: no ScottPlot, no SkiaSharp natives (TorchSharp itself references the managed SkiaSharp.dll).</summary>
    private void AssertCoreOnly(string output)
    {
        var files = Directory.GetFiles(output, "*", SearchOption.AllDirectories);
        long bytes = files.Sum(f => new FileInfo(f).Length);
        TestContext.WriteLine($"core-only app output: {files.Length} files, {bytes / 1e6:F0} MB");
        var plotting = files.Where(f => Path.GetFileName(f).StartsWith("libSkiaSharp", StringComparison.Ordinal)
                                        || Path.GetFileName(f).Contains("ScottPlot", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.IsEmpty(plotting, "plotting files in a core-only app: " + string.Join(", ", plotting));
    }

    private void AssertFalls(string output, int runtime)
    {
        StringAssert.Contains(output, $"runtime {runtime}", "the app ran on the wrong runtime");
        TestContext.WriteLine(output);
        var losses = EpochLoss().Matches(output).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.HasCount(6, losses, output);
        Assert.IsLessThan(losses[0] * 0.5, losses[^1], $"loss should fall: {string.Join(", ", losses)}");
        var accuracy = double.Parse(Accuracy().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.IsGreaterThan(0.8, accuracy, output);
    }

    private static void AssertWeak(string path)
    {
        Assert.IsTrue(File.Exists(path), $"{path} is missing");
        Assert.IsTrue(ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(path), path).Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak, $"{path} was not patched");
    }

    private string Dotnet(string folder, params string[] arguments) => Run("dotnet", folder, arguments);

    private string Run(string program, string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test host runs under MSBuild/VSTest; a child build must not inherit their settings.
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"{program} {string.Join(' ', arguments)} failed in {folder}:\n{stdout}\n{stderr.Result}");
        return stdout;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LlmFineTune.sln")))
                return dir.FullName;
        throw new InvalidOperationException("LlmFineTune.sln not found above the test output.");
    }

    private static string NuGetCache() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    [GeneratedRegex(@"^epoch \d+ loss ([0-9.]+)$", RegexOptions.Multiline)]
    private static partial Regex EpochLoss();

    [GeneratedRegex(@"^accuracy ([0-9.]+)$", RegexOptions.Multiline)]
    private static partial Regex Accuracy();

    [GeneratedRegex(@"""Microsoft\.Extensions\.Options/8\.0\.\d+""")]
    private static partial Regex OptionsEight();
}
