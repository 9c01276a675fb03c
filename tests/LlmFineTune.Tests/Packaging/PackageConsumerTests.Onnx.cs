using LlmFineTune.Data;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tests.Export;

namespace LlmFineTune.Tests.Packaging;

public sealed partial class PackageConsumerTests
{
    private const string OnnxConsumerProgram = """
        using LlmFineTune.Onnx;

        using var classifier = OnnxTextClassifier.Load(args[0], new OnnxTextClassifierOptions { IntraOpThreads = 1 });
        foreach (string text in File.ReadAllLines(args[1]))
            Console.WriteLine("label " + classifier.Predict(text).Label);
        """;

    [TestMethod]
    public void OnnxPackageReference_NewConsoleApp_PredictsWithoutLibtorch()
    {
        string feed = Path.Combine(work, "feed"), app = Path.Combine(work, "app"), exported = Path.Combine(work, "model");
        Directory.CreateDirectory(app);
        var texts = OnnxModels.RealTexts(5);
        File.WriteAllLines(Path.Combine(work, "texts.txt"), texts);
        List<string> expected;
        using (var model = OnnxModels.Create("bert-tiny", TaskKind.SingleLabel, PoolingMode.Mean))
        {
            model.ExportOnnx(exported);
            expected = model.PredictBatch(texts).Select(p => "label " + p.Label).ToList();
        }
        Pack(feed, "src/LlmFineTune.Common/LlmFineTune.Common.csproj", "src/LlmFineTune.Onnx/LlmFineTune.Onnx.csproj");
        UseFeedOnly(app, feed);
        File.WriteAllText(Path.Combine(app, "OnnxApp.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LlmFineTune.Onnx" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), OnnxConsumerProgram);

        string published = Path.Combine(work, "published");
        Dotnet(app, "publish", "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", published);
        string output = Dotnet(published, "OnnxApp.dll", exported, Path.Combine(work, "texts.txt"));

        CollectionAssert.AreEqual(expected, output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(), output);
        var files = Directory.GetFiles(published, "*", SearchOption.AllDirectories);
        var torch = files.Where(f => Path.GetFileName(f).Contains("torch", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.IsEmpty(torch, string.Join(", ", torch));
        long bytes = files.Sum(f => new FileInfo(f).Length);
        TestContext.WriteLine($"ONNX-only app (publish -r linux-x64, framework-dependent): {files.Length} files, {bytes / 1e6:F1} MB");
        Assert.IsLessThan(100_000_000L, bytes, "an ONNX-only app should be a small fraction of a libtorch one");
    }
}
