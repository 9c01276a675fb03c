using System.Threading.Channels;
using LlmFineTune.Modeling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmFineTune.Serving;

/// <summary>
/// Serves one loaded <see cref="TextClassifier"/> to many concurrent callers, grouping requests
/// that arrive together into one forward pass (micro-batching) for throughput.
/// </summary>
/// <remarks>
/// One background thread runs the model, so TorchSharp's per-thread dispose scopes and the
/// libtorch thread pool are never contended by callers; callers only await.
/// </remarks>
public sealed class TextClassificationService : IAsyncDisposable, IDisposable
{
    private readonly TextClassifier model;
    private readonly bool ownsModel;
    private readonly MicroBatchingOptions options;
    private readonly Channel<Request> queue = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread worker;
    private readonly ILogger logger;
    private int disposed;
    private long forwardPasses;
    private long requestsScored;
    private int largestBatch;

    /// <summary>Starts serving a classifier.</summary>
    /// <param name="model">The classifier.</param>
    /// <param name="options">Batching settings; validated here. Defaults when null.</param>
    /// <param name="ownsModel">Whether disposing the service disposes the model.</param>
    /// <param name="logger">Receives failed requests; none when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public TextClassificationService(TextClassifier model, MicroBatchingOptions? options = null, bool ownsModel = false, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.options = options ?? new MicroBatchingOptions();
        this.options.Validate();
        this.model = model;
        this.ownsModel = ownsModel;
        this.logger = logger ?? NullLogger.Instance;
        worker = new Thread(Serve) { IsBackground = true, Name = "LlmFineTune classifier" };
        worker.Start();
    }

    /// <summary>Forward passes run so far (fewer than requests when batching works).</summary>
    public long ForwardPasses => Interlocked.Read(ref forwardPasses);

    /// <summary>Texts scored so far; divided by <see cref="ForwardPasses"/> it gives the mean batch size.</summary>
    public long RequestsScored => Interlocked.Read(ref requestsScored);

    /// <summary>The most texts scored in one forward pass so far.</summary>
    public int LargestBatch => Volatile.Read(ref largestBatch);

    /// <summary>The classifier being served.</summary>
    public TextClassifier Model => model;

    /// <summary>Classifies one text, batched with whatever else is waiting.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Abandons the wait (the text may still be scored).</param>
    /// <returns>The prediction.</returns>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    public Task<Prediction> ClassifyAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var request = new Request(text);
        if (Volatile.Read(ref disposed) != 0 || !queue.Writer.TryWrite(request))
            throw new ObjectDisposedException(nameof(TextClassificationService));
        return cancellationToken.CanBeCanceled ? request.Completion.Task.WaitAsync(cancellationToken) : request.Completion.Task;
    }

    /// <summary>Classifies several texts; they may share forward passes with other callers' texts.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="cancellationToken">Abandons the wait.</param>
    /// <returns>One prediction per text, in order.</returns>
    public async Task<IReadOnlyList<Prediction>> ClassifyBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return await Task.WhenAll(texts.Select(t => ClassifyAsync(t, cancellationToken))).ConfigureAwait(false);
    }

    private void Serve()
    {
        var reader = queue.Reader;
        var batch = new List<Request>(options.MaxBatchSize);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            var deadline = DateTime.UtcNow + options.MaxDelay;
            while (batch.Count < options.MaxBatchSize)
            {
                if (reader.TryRead(out var request))
                {
                    batch.Add(request);
                    continue;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || batch.Count == 0)
                    break;
                // wait for company until the deadline, then score what has arrived
                using var timeout = new CancellationTokenSource(left);
                try
                {
                    if (!reader.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult())
                        break;
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            if (batch.Count > 0)
                Score(batch);
        }
    }

    private void Score(List<Request> batch)
    {
        try
        {
            Interlocked.Increment(ref forwardPasses);
            var predictions = model.PredictBatch(batch.Select(r => r.Text).ToList());
            Interlocked.Add(ref requestsScored, batch.Count);
            if (batch.Count > largestBatch)
                Volatile.Write(ref largestBatch, batch.Count);
            for (int i = 0; i < batch.Count; i++)
                batch[i].Completion.TrySetResult(predictions[i]);
        }
        catch (Exception e)
        {
            // one bad request must not take the others down: retry alone to find who failed
            if (batch.Count > 1)
            {
                foreach (var request in batch)
                    Score([request]);
                return;
            }
            logger.LogError(e, "Classifying a text of {Length} characters failed.", batch[0].Text.Length);
            batch[0].Completion.TrySetException(e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        queue.Writer.TryComplete();
        worker.Join();
        if (ownsModel) model.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed record Request(string Text)
    {
        public TaskCompletionSource<Prediction> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
