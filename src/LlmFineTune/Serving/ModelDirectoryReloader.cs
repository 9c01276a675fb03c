using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Serialization;
using Microsoft.Extensions.Logging;

namespace LlmFineTune.Serving;

/// <summary>
/// Polls a served model's directory and, when its files change, loads the new model beside the old one and hands it to
/// <see cref="TextClassificationService.ReplaceModel"/>. Requests are never dropped: until the new model has loaded, the old
/// one answers; a model that fails to load is logged and reported by the health check, and the old one stays.
/// </summary>
/// <remarks>
/// A save that swaps the whole directory by renames shows up as new files under the same path (the path is looked up again
/// at each poll). A load is only accepted if the files did not change while it read them, so a save caught half-way is
/// retried at the next poll rather than served.
/// </remarks>
internal sealed class ModelDirectoryReloader : IDisposable
{
    private readonly TextClassificationService service;
    private readonly string directory;
    private readonly Func<string, TextClassifier> load;
    private readonly TimeSpan interval;
    private readonly ILogger logger;
    private readonly Timer timer;
    private readonly object gate = new();
    private string stamp;
    private string? failedStamp;
    private bool disposed;

    public ModelDirectoryReloader(TextClassificationService service, string directory, Func<string, TextClassifier> load, TimeSpan interval, ILogger logger)
    {
        this.service = service;
        this.directory = directory;
        this.load = load;
        this.interval = interval;
        this.logger = logger;
        stamp = Stamp(directory) ?? "";
        timer = new Timer(_ => Poll(), null, interval, Timeout.InfiniteTimeSpan);
    }

    /// <summary>What identifies one saved version: the config and weights files' sizes and write times; null while a file is missing.</summary>
    internal static string? Stamp(string directory)
    {
        var files = new[] { ModelDirectory.ConfigFileName, ModelDirectory.WeightsFileName }.Select(f => new FileInfo(Path.Combine(directory, f))).ToList();
        return files.All(f => f.Exists) ? string.Join('|', files.Select(f => $"{f.Length}:{f.LastWriteTimeUtc.Ticks}")) : null;
    }

    private void Poll()
    {
        try
        {
            CheckOnce();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Watching the model directory {Path} of text classifier '{Name}' failed.", directory, service.Name);
        }
        lock (gate)
        {
            if (!disposed) timer.Change(interval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Loads and swaps in the model if the directory changed since the last look; returns whether it swapped.</summary>
    internal bool CheckOnce()
    {
        string? before = Stamp(directory);
        if (before is null || before == stamp || before == failedStamp) return false;
        TextClassifier next;
        try
        {
            next = load(directory);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (Stamp(directory) != before) return false; // changed while reading: try the settled files next time
            failedStamp = before;
            logger.LogError(e, "Text classifier '{Name}': the changed model in {Path} could not be loaded; still serving the previous model.", service.Name, directory);
            service.ReportReloadFailure($"reloading {directory} failed: {e.Message}");
            return false;
        }
        lock (gate)
        {
            if (disposed || Stamp(directory) != before)
            {
                next.Dispose();
                return false;
            }
            try
            {
                service.ReplaceModel(next);
            }
            catch (ObjectDisposedException)
            {
                next.Dispose();
                return false;
            }
            stamp = before;
            failedStamp = null;
        }
        service.ReportReload();
        logger.LogInformation("Text classifier '{Name}' reloaded its model from {Path}.", service.Name, directory);
        return true;
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
        }
        using var stopped = new ManualResetEvent(false);
        // waits for a poll in progress, so no model is loaded after the service is gone
        if (timer.Dispose(stopped)) stopped.WaitOne();
    }
}
