using System.Diagnostics;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Serving;
using LlmFineTune.Tokenization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmFineTune.Tests.Serving;

/// <summary>
/// The steps the hot-reload tests of both serving paths (TorchSharp and ONNX) share: copying a model directory, swapping one in
/// as an atomic save does, keeping callers busy across the swap, and waiting for the health check to change. Every wait is bounded.
/// </summary>
internal static class ReloadDrill
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>An untrained model whose labels start with <paramref name="prefix"/>, to tell its answers apart; the caller disposes it.</summary>
    public static TextClassifier LabelledModel(string prefix)
    {
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 512 });
        return new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 4), new SingleLabelHead(4, 2), new LabelMap([prefix + "a", prefix + "b"]), maxLength: 32);
    }

    /// <summary>Copies the files of <paramref name="source"/> into the new directory <paramref name="destination"/>, and returns it.</summary>
    public static string CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(source))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        return destination;
    }

    /// <summary>What an atomic directory save does: the staged directory is renamed into the served one's place.</summary>
    public static void SwapIn(string served, string staged)
    {
        Directory.Move(served, served + ".old-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.Move(staged, served);
    }

    /// <summary>
    /// Keeps four callers classifying <paramref name="texts"/> while <paramref name="swap"/> replaces the served model, until the
    /// service answers with a label starting with <paramref name="newPrefix"/> (or 20 s pass); returns every label the callers got.
    /// </summary>
    /// <remarks>A request that failed across the swap rethrows here.</remarks>
    public static async Task<List<string>> ClassifyAcrossSwap(TextClassificationService service, IReadOnlyList<string> texts, Action swap, string newPrefix)
    {
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var labels = new List<string>();
            for (int i = 0; i < 5000 && !stop.IsCancellationRequested; i++)
                labels.Add((await service.ClassifyAsync(texts[(i + c) % texts.Count])).Label);
            return labels;
        })).ToArray();

        swap();
        var clock = Stopwatch.StartNew();
        while (!(await service.ClassifyAsync(texts[0])).Label.StartsWith(newPrefix, StringComparison.Ordinal) && clock.Elapsed < Patience)
            await Task.Delay(20);
        stop.Cancel();
        return (await Task.WhenAll(callers)).SelectMany(l => l).ToList();
    }

    /// <summary>Checks health until the status is no longer <paramref name="current"/> (or 20 s pass); returns the last result.</summary>
    public static async Task<HealthCheckResult> WaitForHealthOtherThan(HealthStatus current, HealthCheckRegistration registration, IServiceProvider services)
    {
        var check = registration.Factory(services);
        var context = new HealthCheckContext { Registration = registration };
        var clock = Stopwatch.StartNew();
        HealthCheckResult result;
        while ((result = await check.CheckHealthAsync(context)).Status == current && clock.Elapsed < Patience)
            await Task.Delay(20);
        return result;
    }
}
