using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace LlmFineTune.Batching;

/// <summary>
/// Prepares batches on a background thread a few steps ahead, so tokenizing and collating the
/// next batch overlaps with the model's forward and backward pass.
/// </summary>
/// <remarks>
/// The worker thread has no dispose scope, so batches it builds belong to nobody until the consumer
/// takes them: the consumer disposes each batch it receives. Batches built but never consumed
/// (the loop stopped early, was cancelled, or the worker failed) are disposed by the prefetcher.
/// </remarks>
public static class BatchPrefetcher
{
    /// <summary>Enumerates <paramref name="source"/> on a background thread, keeping up to <paramref name="depth"/> items ready.</summary>
    /// <typeparam name="T">The batch type (e.g. <see cref="Batch"/>).</typeparam>
    /// <param name="source">The batches, built lazily (e.g. an iterator that collates).</param>
    /// <param name="depth">Items ready ahead of the consumer. Default 2.</param>
    /// <param name="cancellationToken">Stops the worker; the consumer then gets <see cref="OperationCanceledException"/>.</param>
    /// <returns>The same items in the same order; each enumeration starts its own worker.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> is below 1.</exception>
    /// <remarks>An exception thrown by <paramref name="source"/> is rethrown to the consumer (same type and stack) when it reaches that position.</remarks>
    public static IEnumerable<T> Prefetch<T>(this IEnumerable<T> source, int depth = 2, CancellationToken cancellationToken = default)
        where T : class, IDisposable
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        return Run(source, depth, cancellationToken);
    }

    private static IEnumerable<T> Run<T>(IEnumerable<T> source, int depth, CancellationToken cancellationToken)
        where T : class, IDisposable
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var queue = new BlockingCollection<T>(depth);
        ExceptionDispatchInfo? failure = null;
        var worker = new Thread(() =>
        {
            try
            {
                foreach (var item in source)
                {
                    try
                    {
                        queue.Add(item, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        item.Dispose();
                        return;
                    }
                }
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                queue.CompleteAdding();
            }
        })
        {
            IsBackground = true,
            Name = "LlmFineTune batch prefetch",
        };
        worker.Start();
        try
        {
            while (true)
            {
                T? item;
                try
                {
                    if (!queue.TryTake(out item, Timeout.Infinite, stop.Token)) break;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                yield return item;
            }
            failure?.Throw();
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            // stopped early, cancelled or failed: stop the worker and free what it built
            stop.Cancel();
            worker.Join();
            while (queue.TryTake(out var left)) left.Dispose();
        }
    }
}
