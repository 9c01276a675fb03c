using System.Collections.Concurrent;

namespace LlmFineTune.Cli;

/// <summary>
/// Reads lines on a background thread and hands them out in batches of whatever has already arrived: a pipe that
/// pauses gets each line answered at once, a file or a fast pipe fills whole batches, and at most a few batches
/// are held in memory. Waiting for input stops as soon as the token is cancelled.
/// </summary>
internal sealed class LineBatches : IDisposable
{
    private readonly BlockingCollection<string> lines;
    private readonly int batchSize;
    private volatile Exception? failure;

    public LineBatches(TextReader reader, int batchSize)
    {
        this.batchSize = batchSize;
        lines = new BlockingCollection<string>(boundedCapacity: 2 * batchSize);
        // A background thread: one blocked on a terminal that never sends another line must not keep the process alive.
        new Thread(() => Pump(reader)) { IsBackground = true, Name = "llmft input" }.Start();
    }

    /// <summary>Lines read and not yet handed out.</summary>
    public int Buffered => lines.Count;

    /// <summary>The next batch: blocks for its first line only; empty at the end of the input.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting.</exception>
    public List<string> Next(CancellationToken cancellationToken)
    {
        var batch = new List<string>(batchSize);
        try
        {
            if (!lines.TryTake(out string? first, Timeout.Infinite, cancellationToken))
                return failure is null ? batch : throw failure;
            batch.Add(first);
            while (batch.Count < batchSize && lines.TryTake(out string? more))
                batch.Add(more);
        }
        catch (InvalidOperationException) when (lines.IsCompleted)
        {
            // completed between the checks: the end of the input
        }
        return batch;
    }

    private void Pump(TextReader reader)
    {
        try
        {
            while (reader.ReadLine() is { } line)
                lines.Add(line);
        }
        catch (InvalidOperationException) when (lines.IsAddingCompleted)
        {
            // disposed while a line was being added
        }
        catch (Exception e)
        {
            // handed to the reading thread, which reports it like any other error
            failure = e;
        }
        finally
        {
            lines.CompleteAdding();
        }
    }

    public void Dispose() => lines.CompleteAdding();
}
