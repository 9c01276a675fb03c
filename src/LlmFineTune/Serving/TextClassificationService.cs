using System.Diagnostics;
using System.Diagnostics.Metrics;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmFineTune.Serving;

/// <summary>
/// Serves one loaded <see cref="ITextClassifier"/> (the TorchSharp <c>TextClassifier</c> or the ONNX Runtime
/// <c>OnnxTextClassifier</c>) to many concurrent callers, grouping requests that arrive together into one forward
/// pass (micro-batching) for throughput.
/// </summary>
/// <remarks>
/// One background thread runs the model, so TorchSharp's per-thread dispose scopes and the
/// libtorch thread pool are never contended by callers; callers only await. The model runs as soon as it is free,
/// on everything queued by then: requests that arrive during a forward pass make up the next batch, so batches grow
/// with the load and a lone request is not held back (see <see cref="MicroBatchingOptions.MaxDelay"/>). At most
/// <see cref="MicroBatchingOptions.QueueCapacity"/> requests wait; a cancelled or timed-out request
/// leaves the queue at once. Instruments (requests, latency, batch size, queue depth, rejections,
/// reloads) are published on the <see cref="MeterName"/> meter.
/// </remarks>
public sealed class TextClassificationService : IAsyncDisposable, IDisposable
{
    /// <summary>The name of the <see cref="Meter"/> the service's instruments are published on (for dotnet-counters or OpenTelemetry).</summary>
    public const string MeterName = "LlmFineTune.Serving";

    private static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);
    private readonly object gate = new();
    private readonly LinkedList<Request> queue = new();
    private readonly bool ownsModel;
    private readonly MicroBatchingOptions options;
    private readonly Thread worker;
    private readonly ILogger logger;
    private readonly ServingMetrics metrics;
    private ITextClassifier model;
    private ITextClassifier? replacement;
    private IDisposable? watcher;
    private bool closed;
    // How many queued requests wake the worker: 1 while it is idle, the missing company while a small batch waits
    // (waking it for each arrival would cost a context switch apiece). Guarded by the gate.
    private int wakeAt = 1;
    private long forwardPasses;
    private long requestsScored;
    private int largestBatch;
    private volatile string? reloadFailure;

    // What recent forward passes looked like (moving averages, worker thread only): how many requests a pass usually
    // takes, and how long it runs. They decide whether a small batch is worth a short wait for the rest of its company.
    private double usualBatch;
    private TimeSpan usualPass;

    /// <summary>Starts serving a classifier.</summary>
    /// <param name="model">The classifier; it must be safe to call from a thread other than its creator's (both of the library's are).</param>
    /// <param name="options">Batching, queue and timeout settings; validated here. Defaults when null.</param>
    /// <param name="ownsModel">Whether the service disposes the model if it is <see cref="IDisposable"/> (when the service is disposed, or when <see cref="ReplaceModel"/> retires it).</param>
    /// <param name="logger">Receives failed requests and model swaps; none when null.</param>
    /// <param name="name">The classifier's name, in messages and as the <c>llmfinetune.classifier</c> tag of every measurement.</param>
    /// <param name="meterFactory">Creates the <see cref="MeterName"/> meter (a host's); the service creates its own when null.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range; the message names it.</exception>
    public TextClassificationService(ITextClassifier model, MicroBatchingOptions? options = null, bool ownsModel = false, ILogger? logger = null,
        string name = "default", IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        this.options = options ?? new MicroBatchingOptions();
        this.options.Validate();
        this.model = model;
        this.ownsModel = ownsModel;
        // nothing measured yet: the first request goes alone and at once, and a pass is assumed to take MaxDelay
        usualBatch = 1;
        usualPass = this.options.MaxDelay;
        this.logger = logger ?? NullLogger.Instance;
        Name = name;
        metrics = new ServingMetrics(name, () => QueueDepth, meterFactory);
        worker = new Thread(Serve) { IsBackground = true, Name = "LlmFineTune classifier" };
        worker.Start();
    }

    /// <summary>The classifier's name.</summary>
    public string Name { get; }

    /// <summary>Forward passes run so far (fewer than requests when batching works).</summary>
    public long ForwardPasses => Interlocked.Read(ref forwardPasses);

    /// <summary>Texts scored so far; divided by <see cref="ForwardPasses"/> it gives the mean batch size.</summary>
    public long RequestsScored => Interlocked.Read(ref requestsScored);

    /// <summary>The most texts scored in one forward pass so far.</summary>
    public int LargestBatch => Volatile.Read(ref largestBatch);

    /// <summary>Requests waiting for a forward pass now.</summary>
    public int QueueDepth
    {
        get { lock (gate) return queue.Count; }
    }

    /// <summary>Most requests that may wait (<see cref="MicroBatchingOptions.QueueCapacity"/>).</summary>
    public int QueueCapacity => options.QueueCapacity;

    /// <summary>Whether the service was disposed.</summary>
    public bool IsDisposed
    {
        get { lock (gate) return closed; }
    }

    /// <summary>The classifier being served (after a reload, the new one; a retired model is disposed, so do not keep this reference).</summary>
    public ITextClassifier Model
    {
        get { lock (gate) return replacement ?? model; }
    }

    /// <summary>What the served model predicts (<see cref="ITextClassifier.Task"/>): it decides which of the Classify/Predict methods applies.</summary>
    public TaskKind Kind => Model.Task;

    /// <summary>Why the latest reload of the model directory failed (the previous model is still served), or null.</summary>
    internal string? ReloadFailure => reloadFailure;

    /// <summary>Classifies one text with a single-label model, batched with whatever else is waiting.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Abandons the request: it leaves the queue (a batch already running drops its answer).</param>
    /// <returns>The most likely class and every class's probability.</returns>
    /// <exception cref="InvalidOperationException">The model is multi-label or regression; the message names the method to use.</exception>
    /// <exception cref="ClassifierOverloadedException">The queue is full; retry later.</exception>
    /// <exception cref="TimeoutException">(From the task.) No answer within <see cref="MicroBatchingOptions.RequestTimeout"/>.</exception>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    public Task<Prediction> ClassifyAsync(string text, CancellationToken cancellationToken = default) =>
        Enqueue(text, TaskKind.SingleLabel, static (m, texts) => m.PredictBatch(texts), cancellationToken);

    /// <summary>Classifies several texts with a single-label model; they may share forward passes with other callers' texts.</summary>
    /// <param name="texts">The texts.</param>
    /// <param name="cancellationToken">Abandons the requests.</param>
    /// <returns>One prediction per text, in order.</returns>
    /// <exception cref="ClassifierOverloadedException">The queue cannot take them all.</exception>
    public async Task<IReadOnlyList<Prediction>> ClassifyBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return await Task.WhenAll(texts.Select(t => ClassifyAsync(t, cancellationToken)).ToList()).ConfigureAwait(false);
    }

    /// <summary>Finds the labels that apply to one text with a multi-label model, batched with whatever else is waiting.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Abandons the request.</param>
    /// <returns>The labels above their thresholds and every label's probability.</returns>
    /// <exception cref="InvalidOperationException">The model is not multi-label; the message names the method to use.</exception>
    /// <exception cref="ClassifierOverloadedException">The queue is full; retry later.</exception>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    public Task<MultiLabelPrediction> ClassifyLabelsAsync(string text, CancellationToken cancellationToken = default) =>
        Enqueue(text, TaskKind.MultiLabel, static (m, texts) => m.PredictLabelsBatch(texts), cancellationToken);

    /// <summary>Predicts the value of one text with a regression model, batched with whatever else is waiting.</summary>
    /// <param name="text">The text.</param>
    /// <param name="cancellationToken">Abandons the request.</param>
    /// <returns>The predicted value.</returns>
    /// <exception cref="InvalidOperationException">The model is not a regression model; the message names the method to use.</exception>
    /// <exception cref="ClassifierOverloadedException">The queue is full; retry later.</exception>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    public Task<RegressionPrediction> PredictValueAsync(string text, CancellationToken cancellationToken = default) =>
        Enqueue(text, TaskKind.Regression, static (m, texts) => m.PredictValues(texts).Select(v => new RegressionPrediction(v)).ToList(), cancellationToken);

    /// <summary>
    /// Serves another model from the next forward pass on. Requests already in a forward pass finish on the old model,
    /// which is then disposed if the service owns its models.
    /// </summary>
    /// <param name="next">The new model; the service takes it over on the same terms as the first (see <c>ownsModel</c>).</param>
    /// <exception cref="ObjectDisposedException">The service was disposed.</exception>
    public void ReplaceModel(ITextClassifier next)
    {
        ArgumentNullException.ThrowIfNull(next);
        ITextClassifier? skipped;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(closed, this);
            skipped = replacement;
            replacement = next;
            Monitor.PulseAll(gate);
        }
        // a replacement that was never served is retired straight away
        if (ownsModel) Retire(skipped);
        reloadFailure = null;
    }

    /// <summary>Records a failed reload; the health check reports it until the next successful one.</summary>
    internal void ReportReloadFailure(string message)
    {
        reloadFailure = message;
        metrics.Reloaded(succeeded: false);
    }

    /// <summary>Counts a successful reload.</summary>
    internal void ReportReload() => metrics.Reloaded(succeeded: true);

    /// <summary>Something to dispose with the service, before the model (the directory watcher of a hot-reloaded model).</summary>
    internal void DisposeWith(IDisposable companion) => watcher = companion;

    private Task<T> Enqueue<T>(string text, TaskKind kind, Func<ITextClassifier, IReadOnlyList<string>, IReadOnlyList<T>> score, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var served = Model;
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (served.Task != kind)
            throw new InvalidOperationException($"Text classifier '{Name}' serves a {served.Task} model; use {MethodFor(served.Task)} instead.");
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<T>(cancellationToken);
        var request = new Request<T>(this, text, kind, score);
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(closed, this);
            if (queue.Count >= options.QueueCapacity)
            {
                metrics.Rejected();
                throw new ClassifierOverloadedException(Name, options.QueueCapacity);
            }
            request.Node = queue.AddLast(request);
            if (queue.Count >= wakeAt) Monitor.PulseAll(gate);
        }
        request.Watch(cancellationToken, options.RequestTimeout);
        return request.Task;
    }

    private static string MethodFor(TaskKind kind) => kind switch
    {
        TaskKind.MultiLabel => nameof(ClassifyLabelsAsync),
        TaskKind.Regression => nameof(PredictValueAsync),
        _ => nameof(ClassifyAsync),
    };

    /// <summary>Takes a request out of the queue (if it is still there) and fails it; called on cancellation and timeout.</summary>
    private void Abandon(Request request, Exception? error, CancellationToken cancelled)
    {
        lock (gate)
        {
            if (request.Node is { } node)
            {
                queue.Remove(node);
                request.Node = null;
            }
        }
        if (error is null ? request.TryCancel(cancelled) : request.TryFail(error))
            metrics.Finished(error is null ? "canceled" : "timeout", request.Elapsed);
    }

    private void Serve()
    {
        var batch = new List<Request>(options.MaxBatchSize);
        while (true)
        {
            ITextClassifier current;
            ITextClassifier? retired = null;
            bool stop;
            lock (gate)
            {
                while (queue.Count == 0 && !closed && replacement is null)
                    Monitor.Wait(gate);
                if (replacement is not null)
                {
                    retired = model;
                    model = replacement;
                    replacement = null;
                }
                current = model;
                stop = closed && queue.Count == 0;
                if (!stop) Take(batch);
            }
            if (retired is not null)
            {
                logger.LogInformation("Text classifier '{Name}' now serves its new model; the previous one is retired.", Name);
                if (ownsModel) Retire(retired);
            }
            if (stop) return;
            if (batch.Count > 0) Score(current, batch);
            batch.Clear();
        }
    }

    /// <summary>
    /// Fills a batch from the queue; called holding the gate. Everything queued now goes in at once. A batch smaller than
    /// recent ones waits for the rest of its company (callers who were just answered and are sending their next request),
    /// but no longer than a recent forward pass took and never past MaxDelay: waiting longer would cost more than the
    /// extra pass it saves. A lone caller's batch is the usual size, so it never waits. Nor does a batch whose wait would be
    /// under a millisecond: a monitor waits whole milliseconds, and spinning instead would keep the lock and the core from
    /// the very callers it waits for (on a small machine the old fixed 2 ms wait spun like that on every pass).
    /// </summary>
    private void Take(List<Request> batch)
    {
        long start = Stopwatch.GetTimestamp();
        var patience = usualPass < options.MaxDelay ? usualPass : options.MaxDelay;
        int company = Math.Min(options.MaxBatchSize, (int)Math.Ceiling(usualBatch * 0.75));
        while (batch.Count < options.MaxBatchSize)
        {
            if (queue.First is { } node)
            {
                queue.RemoveFirst();
                node.Value.Node = null;
                batch.Add(node.Value);
                continue;
            }
            var left = patience - Stopwatch.GetElapsedTime(start);
            if (closed || batch.Count == 0 || batch.Count >= company || left < OneMillisecond || replacement is not null)
                break;
            // the arrival that completes the company pulses the gate, so the wait ends as soon as it comes
            wakeAt = company - batch.Count;
            Monitor.Wait(gate, left);
            wakeAt = 1;
        }
    }

    /// <summary>Folds one forward pass into the moving averages <see cref="Take"/> reads.</summary>
    private void Measured(int size, TimeSpan took)
    {
        const double weight = 0.25;
        usualBatch += weight * (size - usualBatch);
        usualPass += weight * (took - usualPass);
    }

    private void Score(ITextClassifier current, List<Request> batch)
    {
        long start = Stopwatch.GetTimestamp();
        batch.RemoveAll(r => r.IsCompleted); // abandoned while waiting for company
        if (batch.Count > 0)
        {
            Interlocked.Increment(ref forwardPasses);
            metrics.Batch(batch.Count);
            if (batch.Count > largestBatch)
                Volatile.Write(ref largestBatch, batch.Count);
            foreach (var group in batch.GroupBy(r => r.Kind))
                Answer(current, group.ToList());
            Measured(batch.Count, Stopwatch.GetElapsedTime(start));
        }
    }

    /// <summary>Disposes a model the service owns and no longer serves.</summary>
    private static void Retire(ITextClassifier? retired) => (retired as IDisposable)?.Dispose();

    private void Answer(ITextClassifier current, List<Request> group)
    {
        try
        {
            group[0].Answer(current, group);
            Interlocked.Add(ref requestsScored, group.Count);
        }
        catch (Exception e)
        {
            // one bad request must not take the others down: retry alone to find who failed
            if (group.Count > 1)
            {
                foreach (var request in group)
                    Answer(current, [request]);
                return;
            }
            logger.LogError(e, "Text classifier '{Name}': classifying a text of {Length} characters failed.", Name, group[0].Text.Length);
            if (group[0].TryFail(e))
                metrics.Finished("failed", group[0].Elapsed);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            if (closed) return;
            closed = true;
            Monitor.PulseAll(gate);
        }
        watcher?.Dispose();
        worker.Join();
        if (ownsModel)
        {
            Retire(model);
            Retire(replacement);
        }
        metrics.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A queued text; <see cref="Request{T}"/> knows how to score its kind and what its answer looks like.</summary>
    private abstract class Request(TextClassificationService service, string text, TaskKind kind)
    {
        private readonly long arrived = Stopwatch.GetTimestamp();
        private CancellationTokenRegistration cancellation;
        private Timer? timer;

        public string Text { get; } = text;

        public TaskKind Kind { get; } = kind;

        /// <summary>The request's place in the queue; null once taken or abandoned. Guarded by the service's gate.</summary>
        public LinkedListNode<Request>? Node { get; set; }

        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(arrived);

        public abstract bool IsCompleted { get; }

        protected TextClassificationService Service { get; } = service;

        public void Watch(CancellationToken cancellationToken, TimeSpan timeout)
        {
            if (cancellationToken.CanBeCanceled)
                cancellation = cancellationToken.UnsafeRegister(static (state, token) => { var r = (Request)state!; r.Service.Abandon(r, null, token); }, this);
            if (timeout != Timeout.InfiniteTimeSpan)
                timer = new Timer(static state =>
                {
                    var r = (Request)state!;
                    r.Service.Abandon(r, new TimeoutException($"Text classifier '{r.Service.Name}' did not answer within {r.Service.options.RequestTimeout} (MicroBatchingOptions.RequestTimeout); the request was dropped."), default);
                }, this, timeout, Timeout.InfiniteTimeSpan);
            if (IsCompleted) Release(); // answered before the watch began
        }

        /// <summary>Scores the whole group (all of this request's kind) on one model and answers each.</summary>
        public abstract void Answer(ITextClassifier model, List<Request> group);

        public abstract bool TryFail(Exception error);

        public abstract bool TryCancel(CancellationToken token);

        protected void Release()
        {
            cancellation.Unregister();
            timer?.Dispose();
        }
    }

    private sealed class Request<T>(TextClassificationService service, string text, TaskKind kind, Func<ITextClassifier, IReadOnlyList<string>, IReadOnlyList<T>> score)
        : Request(service, text, kind)
    {
        private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => completion.Task;

        public override bool IsCompleted => completion.Task.IsCompleted;

        public override void Answer(ITextClassifier model, List<Request> group)
        {
            var answers = score(model, group.Select(r => r.Text).ToList());
            for (int i = 0; i < group.Count; i++)
            {
                var request = (Request<T>)group[i];
                if (request.completion.TrySetResult(answers[i]))
                {
                    request.Release();
                    Service.metrics.Finished("ok", request.Elapsed);
                }
            }
        }

        public override bool TryFail(Exception error) => Done(completion.TrySetException(error));

        public override bool TryCancel(CancellationToken token) => Done(completion.TrySetCanceled(token));

        private bool Done(bool completed)
        {
            if (completed) Release();
            return completed;
        }
    }
}
