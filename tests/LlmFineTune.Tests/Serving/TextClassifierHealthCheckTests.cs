using LlmFineTune.Serving;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmFineTune.Tests.Serving;

[TestClass]
public sealed class TextClassifierHealthCheckTests
{
    private static Task<HealthCheckResult> Check(TextClassificationService service) =>
        new TextClassifierHealthCheck(service).CheckHealthAsync(new HealthCheckContext { Registration = TextClassifierHealthCheck.Registration(service.Name) });

    [TestMethod]
    [Timeout(30_000, CooperativeCancellation = true)]
    public async Task CheckHealthAsync_LoadedThenNearlyFullThenStopped_HealthyDegradedUnhealthy()
    {
        var (model, gate) = TextClassificationServiceTests.GatedModel();
        var service = new TextClassificationService(model, new MicroBatchingOptions { MaxBatchSize = 1, QueueCapacity = 5 }, ownsModel: true, name: "health");

        var healthy = await Check(service);
        var held = service.ClassifyAsync(GatedTokenizer.Hold);
        gate.WaitUntilHeld();
        var queued = Enumerable.Range(0, 4).Select(i => service.ClassifyAsync($"text {i}")).ToArray();
        var degraded = await Check(service);
        gate.Release();
        await Task.WhenAll([held, .. queued]);
        await service.DisposeAsync();
        var stopped = await Check(service);

        Assert.AreEqual(HealthStatus.Healthy, healthy.Status, healthy.Description);
        Assert.AreEqual("Text classifier 'health' is serving (2 labels, SingleLabel).", healthy.Description);
        Assert.AreEqual(HealthStatus.Degraded, degraded.Status);
        Assert.AreEqual("Text classifier 'health' has 4 of 5 queue places taken.", degraded.Description);
        Assert.AreEqual(4, degraded.Data["queue_depth"]);
        Assert.AreEqual(HealthStatus.Unhealthy, stopped.Status);
    }

    [TestMethod]
    public void Constructor_FractionAboveOne_ThrowsNamingIt()
    {
        var (model, _) = TextClassificationServiceTests.GatedModel();
        using var service = new TextClassificationService(model, ownsModel: true);

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new TextClassifierHealthCheck(service, 1.5));

        Assert.AreEqual("degradedQueueFraction", e.ParamName);
    }
}
