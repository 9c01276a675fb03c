using System.Diagnostics;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tests.Data;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Cli;

/// <summary><c>llmft predict ... | head -1</c>: the real process, its standard output a pipe whose reader leaves.</summary>
[TestClass]
public sealed class ClosedOutputTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public async Task Predict_ReaderClosesStdoutAfterOneLine_StopsQuietlyWith141()
    {
        using var folder = new TempFolder();
        string modelPath = Path.Combine(folder.Path, "model");
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 256 });
        using (var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 4), new SingleLabelHead(4, 2), new LabelMap(["a", "b"])))
            model.Save(modelPath);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])[Path.Combine(AppContext.BaseDirectory, "llmft.dll"), "predict", "--model", modelPath])
            info.ArgumentList.Add(argument);
        using var llmft = Process.Start(info)!;
        var errors = llmft.StandardError.ReadToEndAsync(TestContext.CancellationToken);

        // an input without end, as `yes text |` gives: only a reader that notices the closed output stops the command
        var feeding = Task.Run(async () =>
        {
            try
            {
                while (!llmft.HasExited)
                    await llmft.StandardInput.WriteLineAsync("my parcel never arrived".AsMemory(), TestContext.CancellationToken);
            }
            catch (IOException)
            {
                // the command ended and closed its input
            }
        });
        string? first;
        try
        {
            first = await llmft.StandardOutput.ReadLineAsync(TestContext.CancellationToken);
            llmft.StandardOutput.Close();
            await llmft.WaitForExitAsync(TestContext.CancellationToken);
            await feeding;
        }
        finally
        {
            if (!llmft.HasExited) llmft.Kill();
        }

        StringAssert.StartsWith(first, "{\"label\":");
        Assert.AreEqual(141, llmft.ExitCode);
        Assert.AreEqual("", await errors);
    }
}
