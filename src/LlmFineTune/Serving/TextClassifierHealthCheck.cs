using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LlmFineTune.Serving;

/// <summary>
/// Reports a served classifier's health: Healthy while its model is loaded and its queue has room, Degraded when the
/// queue is nearly full or the latest hot reload failed (the previous model still answers), Unhealthy once the service is stopped.
/// </summary>
/// <remarks>
/// Register it with ASP.NET Core's health checks: <c>services.AddHealthChecks().Add(TextClassifierHealthCheck.Registration("tickets"))</c>,
/// then <c>app.MapHealthChecks("/health")</c>.
/// </remarks>
public sealed class TextClassifierHealthCheck : IHealthCheck
{
    private readonly TextClassificationService service;
    private readonly double degradedQueueFraction;

    /// <summary>Creates the check for one service.</summary>
    /// <param name="service">The served classifier.</param>
    /// <param name="degradedQueueFraction">The share of <see cref="MicroBatchingOptions.QueueCapacity"/> from which a waiting queue reports Degraded. Default 0.8.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degradedQueueFraction"/> is not in (0, 1].</exception>
    public TextClassifierHealthCheck(TextClassificationService service, double degradedQueueFraction = 0.8)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (!(degradedQueueFraction > 0 && degradedQueueFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(degradedQueueFraction), degradedQueueFraction, "degradedQueueFraction must be in (0, 1].");
        this.service = service;
        this.degradedQueueFraction = degradedQueueFraction;
    }

    /// <summary>A registration for the classifier served under <paramref name="name"/> by <c>AddTextClassifier</c>, named <c>text-classifier:NAME</c> and tagged <c>llmfinetune</c>.</summary>
    /// <param name="name">The classifier's name (its service key).</param>
    /// <returns>The registration, for <c>IHealthChecksBuilder.Add</c>.</returns>
    public static HealthCheckRegistration Registration(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new HealthCheckRegistration($"text-classifier:{name}", sp => new TextClassifierHealthCheck(sp.GetRequiredKeyedService<TextClassificationService>(name)),
            failureStatus: null, tags: ["llmfinetune"]);
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (service.IsDisposed)
            return Task.FromResult(new HealthCheckResult(context?.Registration.FailureStatus ?? HealthStatus.Unhealthy, $"Text classifier '{service.Name}' is stopped."));
        int depth = service.QueueDepth;
        var model = service.Model;
        var data = new Dictionary<string, object>
        {
            ["queue_depth"] = depth,
            ["queue_capacity"] = service.QueueCapacity,
            ["labels"] = model.Labels.Count,
            ["task"] = model.Task.ToString(),
        };
        if (depth >= degradedQueueFraction * service.QueueCapacity)
            return Task.FromResult(HealthCheckResult.Degraded($"Text classifier '{service.Name}' has {depth} of {service.QueueCapacity} queue places taken.", data: data));
        if (service.ReloadFailure is { } failure)
            return Task.FromResult(HealthCheckResult.Degraded($"Text classifier '{service.Name}' serves its previous model: {failure}", data: data));
        return Task.FromResult(HealthCheckResult.Healthy($"Text classifier '{service.Name}' is serving ({model.Labels.Count} labels, {model.Task}).", data));
    }
}
