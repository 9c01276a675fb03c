namespace LlmFineTune.Cli;

/// <summary>
/// Reads lines on a background thread and hands them out in batches of whatever has already arrived: a pipe that
/// pauses gets each line answered at once, a file or a fast pipe fills whole batches, and at most two batches of
/// lines are held in memory. Waiting for input stops as soon as the token is cancelled.
/// </summary>
/// <remarks>
/// The two threads wake each other once per batch, not once per line: the reader sleeps when two batches are waiting
/// and wakes when the consumer has left at most one; the consumer sleeps only when nothing is waiting. (A bounded
/// queue that wakes the reader for every line taken kept a core busy switching threads on a two-core machine.)
/// </remarks>
internal sealed class LineBatches : IDisposable
{
    private readonly object gate = new();
    private readonly Queue<string> lines = new();
    private readonly int batchSize;
    private readonly int capacity;
    private bool completed;
    private bool disposed;
    private Exception? failure;

    public LineBatches(TextReader reader, int batchSize)
    {
        this.batchSize = batchSize;
        capacity = 2 * batchSize;
        // A background thread: one blocked on a terminal that never sends another line must not keep the process alive.
        new Thread(() => Pump(reader)) { IsBackground = true, Name = "llmft input" }.Start();
    }

    /// <summary>Lines read and not yet handed out.</summary>
    public int Buffered
    {
        get
        {
            lock (gate) return lines.Count;
        }
    }

    /// <summary>The next batch: blocks for its first line only; empty at the end of the input.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting.</exception>
    public List<string> Next(CancellationToken cancellationToken)
    {
        using var wake = cancellationToken.Register(() =>
        {
            lock (gate) Monitor.PulseAll(gate);
        });
        lock (gate)
        {
            while (lines.Count == 0 && !completed)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Monitor.Wait(gate);
            }
            if (lines.Count == 0)
                return failure is null ? [] : throw failure;
            var batch = new List<string>(Math.Min(lines.Count, batchSize));
            while (batch.Count < batchSize && lines.Count > 0)
                batch.Add(lines.Dequeue());
            if (lines.Count <= batchSize)
                Monitor.PulseAll(gate); // the reader may be waiting for room
            return batch;
        }
    }

    private void Pump(TextReader reader)
    {
        try
        {
            while (reader.ReadLine() is { } line)
            {
                lock (gate)
                {
                    while (lines.Count >= capacity && !disposed)
                        Monitor.Wait(gate);
                    if (disposed) return;
                    lines.Enqueue(line);
                    if (lines.Count == 1)
                        Monitor.PulseAll(gate); // the consumer may be waiting for a first line
                }
            }
        }
        catch (Exception e)
        {
            // handed to the reading thread, which reports it like any other error
            lock (gate) failure = e;
        }
        finally
        {
            lock (gate)
            {
                completed = true;
                Monitor.PulseAll(gate);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = completed = true;
            Monitor.PulseAll(gate);
        }
    }
}
