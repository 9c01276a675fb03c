using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using LlmFineTune.Serving;

namespace LlmFineTune.Tests.Serving;

[TestClass]
public sealed class ServingMetricsTests
{
    /// <summary>Every measurement of the serving meter for one classifier name, by instrument.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener listener = new();
        private readonly string classifier;

        public Recorder(string classifier)
        {
            this.classifier = classifier;
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == TextClassificationService.MeterName) l.EnableMeasurementEvents(instrument);
            };
            listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
            listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            listener.Start();
        }

        public ConcurrentQueue<(string Instrument, double Value, string? Outcome)> Measurements { get; } = new();

        public void Collect() => listener.RecordObservableInstruments();

        public List<double> Values(string instrument, string? outcome = null) =>
            [.. Measurements.Where(m => m.Instrument == instrument && (outcome is null || m.Outcome == outcome)).Select(m => m.Value)];

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? name = null, outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "llmfinetune.classifier") name = tag.Value as string;
                if (tag.Key == "llmfinetune.outcome") outcome = tag.Value as string;
            }
            if (name == classifier) Measurements.Enqueue((instrument.Name, value, outcome));
        }

        public void Dispose() => listener.Dispose();
    }

    [TestMethod]
    [Timeout(30_000, CooperativeCancellation = true)]
    public async Task Instruments_RequestsBatchesRejectionsAndQueueDepth_AreMeasuredUnderTheClassifiersName()
    {
        using var recorder = new Recorder("metered");
        var (model, gate) = TextClassificationServiceTests.GatedModel();
        await using var service = new TextClassificationService(model, new MicroBatchingOptions { MaxBatchSize = 8, MaxDelay = TimeSpan.Zero, QueueCapacity = 5 }, ownsModel: true, name: "metered");
        var held = service.ClassifyAsync(GatedTokenizer.Hold);
        gate.WaitUntilHeld();
        using var cancel = new CancellationTokenSource();
        var cancelled = service.ClassifyAsync("cancelled", cancel.Token);
        var queued = Enumerable.Range(0, 4).Select(i => service.ClassifyAsync($"text {i}")).ToArray();
        Assert.ThrowsExactly<ClassifierOverloadedException>(() => service.ClassifyAsync("refused"));
        recorder.Collect();
        cancel.Cancel();
        await Assert.ThrowsAsync<OperationCanceledException>(() => cancelled);

        gate.Release();
        await held;
        await Task.WhenAll(queued);
        recorder.Collect();

        Assert.HasCount(5, recorder.Values("llmfinetune.serving.requests", "ok"));
        Assert.HasCount(1, recorder.Values("llmfinetune.serving.requests", "canceled"));
        Assert.AreEqual(1.0, recorder.Values("llmfinetune.serving.rejections").Sum());
        var durations = recorder.Values("llmfinetune.serving.request.duration");
        Assert.HasCount(6, durations);
        Assert.IsTrue(durations.All(d => d >= 0 && d < 30), string.Join(", ", durations));
        CollectionAssert.AreEqual(new[] { 1.0, 4.0 }, recorder.Values("llmfinetune.serving.batch.size"), "the held text alone, then the four that queued behind it");
        CollectionAssert.AreEqual(new[] { 5.0, 0.0 }, recorder.Values("llmfinetune.serving.queue.depth"), "full while held, empty after");
    }

    [TestMethod]
    public async Task Instruments_AfterDispose_AreNoLongerObserved()
    {
        using var recorder = new Recorder("gone");
        var (model, _) = TextClassificationServiceTests.GatedModel();
        var service = new TextClassificationService(model, ownsModel: true, name: "gone");
        await service.DisposeAsync();

        recorder.Collect();

        Assert.IsEmpty(recorder.Values("llmfinetune.serving.queue.depth"));
    }
}
