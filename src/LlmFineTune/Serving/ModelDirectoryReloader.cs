using LlmFineTune.Modeling;
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
/// retried at the next poll rather than served. It needs no libtorch: the TorchSharp and the ONNX Runtime serving paths
/// each pass the files that identify a saved version and the function that loads one.
/// </remarks>
internal sealed class ModelDirectoryReloader : IDisposable
{
    /// <summary>The range of polling intervals the serving options accept, as their messages word it.</summary>
    internal const string IntervalRange = "between 10 ms and 1 hour";

    private readonly TextClassificationService service;
    private readonly string directory;
    private readonly string[] watchedFiles;
    private readonly Func<string, ITextClassifier> load;
    private readonly TimeSpan interval;
    private readonly ILogger logger;
    private readonly Timer timer;
    private readonly object gate = new();
    private string stamp;
    private string? failedStamp;
    private bool disposed;

    /// <summary>Starts watching <paramref name="directory"/>; the first look is one <paramref name="interval"/> away.</summary>
    /// <param name="service">The service whose model is replaced; it should own its models, so that a retired one is disposed.</param>
    /// <param name="directory">The full path of the served model's directory.</param>
    /// <param name="watchedFiles">The files, relative to the directory, whose sizes and write times identify one saved version.</param>
    /// <param name="load">Loads a model from the directory; it throws if the files are not a loadable model.</param>
    /// <param name="interval">The time between looks.</param>
    /// <param name="logger">Receives swaps and failed loads.</param>
    public ModelDirectoryReloader(TextClassificationService service, string directory, string[] watchedFiles, Func<string, ITextClassifier> load, TimeSpan interval, ILogger logger)
    {
        this.service = service;
        this.directory = directory;
        this.watchedFiles = watchedFiles;
        this.load = load;
        this.interval = interval;
        this.logger = logger;
        stamp = Stamp() ?? "";
        timer = new Timer(_ => Poll(), null, interval, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether an interval is in <see cref="IntervalRange"/>: shorter would keep a core busy statting files, longer would look broken.</summary>
    internal static bool IsValidInterval(TimeSpan interval) => interval >= TimeSpan.FromMilliseconds(10) && interval <= TimeSpan.FromHours(1);

    /// <summary>What identifies one saved version: the watched files' sizes and write times; null while a file is missing.</summary>
    private string? Stamp()
    {
        var files = watchedFiles.Select(f => new FileInfo(Path.Combine(directory, f))).ToList();
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
        string? before = Stamp();
        if (before is null || before == stamp || before == failedStamp) return false;
        ITextClassifier next;
        try
        {
            next = load(directory);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (Stamp() != before) return false; // changed while reading: try the settled files next time
            failedStamp = before;
            logger.LogError(e, "Text classifier '{Name}': the changed model in {Path} could not be loaded; still serving the previous model.", service.Name, directory);
            service.ReportReloadFailure($"reloading {directory} failed: {e.Message}");
            return false;
        }
        lock (gate)
        {
            if (disposed || Stamp() != before)
            {
                (next as IDisposable)?.Dispose();
                return false;
            }
            try
            {
                service.ReplaceModel(next);
            }
            catch (ObjectDisposedException)
            {
                (next as IDisposable)?.Dispose();
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
