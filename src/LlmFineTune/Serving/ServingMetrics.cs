using System.Diagnostics.Metrics;

namespace LlmFineTune.Serving;

/// <summary>
/// The instruments of one <see cref="TextClassificationService"/> on the <see cref="TextClassificationService.MeterName"/> meter;
/// every measurement carries the classifier's name as <c>llmfinetune.classifier</c>.
/// </summary>
internal sealed class ServingMetrics : IDisposable
{
    public const string ClassifierTag = "llmfinetune.classifier";
    public const string OutcomeTag = "llmfinetune.outcome";

    private readonly Meter meter;
    private readonly bool ownsMeter;
    private readonly KeyValuePair<string, object?> classifier;
    private readonly Counter<long> requests;
    private readonly Counter<long> rejections;
    private readonly Counter<long> reloads;
    private readonly Histogram<double> duration;
    private readonly Histogram<int> batchSize;

    public ServingMetrics(string name, Func<int> queueDepth, IMeterFactory? meterFactory)
    {
        classifier = new(ClassifierTag, name);
        // A factory caches meters by name and tags; the classifier tag keeps each classifier's queue-depth callback its own.
        ownsMeter = meterFactory is null;
        meter = meterFactory?.Create(new MeterOptions(TextClassificationService.MeterName) { Tags = [classifier] })
            ?? new Meter(TextClassificationService.MeterName);
        requests = meter.CreateCounter<long>("llmfinetune.serving.requests", "{request}", "Requests answered or abandoned, by outcome (ok, failed, canceled, timeout).");
        rejections = meter.CreateCounter<long>("llmfinetune.serving.rejections", "{request}", "Requests refused because the queue was full.");
        reloads = meter.CreateCounter<long>("llmfinetune.serving.reloads", "{reload}", "Model reloads after the model directory changed, by outcome (ok, failed).");
        duration = meter.CreateHistogram<double>("llmfinetune.serving.request.duration", "s", "Time from a request's arrival to its answer or abandonment.");
        batchSize = meter.CreateHistogram<int>("llmfinetune.serving.batch.size", "{request}", "Requests scored in one forward pass.");
        meter.CreateObservableUpDownCounter("llmfinetune.serving.queue.depth", () => new Measurement<int>(queueDepth(), classifier), "{request}", "Requests waiting for a forward pass.");
    }

    public void Finished(string outcome, TimeSpan elapsed)
    {
        var outcomeTag = new KeyValuePair<string, object?>(OutcomeTag, outcome);
        requests.Add(1, classifier, outcomeTag);
        duration.Record(elapsed.TotalSeconds, classifier, outcomeTag);
    }

    public void Rejected() => rejections.Add(1, classifier);

    public void Batch(int size) => batchSize.Record(size, classifier);

    public void Reloaded(bool succeeded) => reloads.Add(1, classifier, new KeyValuePair<string, object?>(OutcomeTag, succeeded ? "ok" : "failed"));

    public void Dispose()
    {
        if (ownsMeter) meter.Dispose();
    }
}
