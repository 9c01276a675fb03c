using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using LlmFineTune.Modeling;
using LlmFineTune.Serving;

namespace LlmFineTune.Benchmarks.Inference;

/// <summary>
/// <see cref="TextClassificationService"/> (what <c>AddTextClassifier</c> and the HostedClassifier example serve) under
/// 1, 4, 16 and 64 concurrent callers, each sending <see cref="RequestsPerCaller"/> requests one after the other:
/// micro-batched (up to 32 texts per forward pass, 2 ms wait) against one-at-a-time (batches of 1). One operation is all
/// requests of all callers, so texts/s is the service's throughput; P50/P99 (req) are per-request latencies over the
/// measured iterations; texts/pass is the mean batch the service formed (warm-up included). bag model, 128-token texts.
/// </summary>
[PerCallJob(iterations: 30, warmups: 3)]
public class ServingBenchmarks
{
    public const int RequestsPerCaller = 32;

    private TextClassifier? model;
    private TextClassificationService? service;
    private string[] texts = [];

    /// <summary>Concurrent callers.</summary>
    [Params(1, 4, 16, 64)]
    public int Callers { get; set; }

    /// <summary>micro-batched: MaxBatchSize 32, MaxDelay 2 ms; one-at-a-time: MaxBatchSize 1.</summary>
    [Params("micro-batched", "one-at-a-time")]
    public string Batching { get; set; } = "micro-batched";

    [GlobalSetup]
    public void Setup()
    {
        model = InferenceModels.Create("bag");
        texts = InferenceModels.Texts(256);
        var options = Batching == "one-at-a-time"
            ? new MicroBatchingOptions { MaxBatchSize = 1, MaxDelay = TimeSpan.Zero }
            : new MicroBatchingOptions { MaxBatchSize = 32, MaxDelay = TimeSpan.FromMilliseconds(2) };
        service = new TextClassificationService(model, options, name: "benchmark");
    }

    [IterationSetup]
    public void StartIteration() => RequestLatencies.StartIteration(this);

    [Benchmark]
    [TextsPerOperation(RequestsPerCaller, MultipliedBy = nameof(Callers))]
    public void Serve()
    {
        var callers = new Task[Callers];
        for (int c = 0; c < callers.Length; c++)
        {
            int caller = c;
            callers[c] = Task.Run(async () =>
            {
                for (int i = 0; i < RequestsPerCaller; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    await service!.ClassifyAsync(texts[(caller * RequestsPerCaller + i) % texts.Length]).ConfigureAwait(false);
                    RequestLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            });
        }
        Task.WaitAll(callers);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (service is not null)
            RequestLatencies.SetTextsPerPass(this, (double)service.RequestsScored / Math.Max(1, service.ForwardPasses));
        service?.Dispose();
        model?.Dispose();
    }
}
