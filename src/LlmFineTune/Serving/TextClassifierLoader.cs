using System.Diagnostics;
using System.Diagnostics.Metrics;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LlmFineTune.Serving;

/// <summary>
/// Loads every classifier registered with <c>AddTextClassifier</c> when the host starts, so that a missing or
/// corrupt model stops the host from starting instead of failing its first request.
/// </summary>
internal sealed class TextClassifierLoader(IServiceProvider services, IEnumerable<ServedClassifier> classifiers) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (string name in classifiers.Select(c => c.Name).Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            services.GetRequiredKeyedService<TextClassificationService>(name);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Loads the model of classifier <paramref name="name"/> and starts serving it; the keyed singleton's factory.</summary>
    /// <exception cref="InvalidDataException">The model cannot be loaded; the message names the classifier, the directory and the problem.</exception>
    public static TextClassificationService Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<TextClassifierOptions>>().Get(name);
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(typeof(TextClassificationService).FullName!) ?? NullLogger.Instance;
        string path = Path.GetFullPath(options.ModelPath);
        var clock = Stopwatch.StartNew();
        // Parts the host registered (services.Configure<ModelParts>) load its models; otherwise the process-wide registry does.
        var parts = services.GetServices<IConfigureOptions<ModelParts>>().Any() ? services.GetRequiredService<IOptions<ModelParts>>().Value : ModelParts.Default;
        TextClassifier model;
        try
        {
            model = TextClassifier.Load(path, logger: logger, parts: parts);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Text classifier '{Name}' could not be loaded from {Path}.", name, path);
            throw new InvalidDataException($"Text classifier '{name}' could not be loaded from {path}: {e.Message}", e);
        }
        logger.LogInformation("Text classifier '{Name}' loaded from {Path} in {Milliseconds} ms ({Labels} labels, {Backbone} backbone).",
            name, path, clock.ElapsedMilliseconds, model.Labels.Count, model.Backbone.Kind);
        var service = new TextClassificationService(model, options.Batching, ownsModel: true, logger, name, services.GetService<IMeterFactory>());
        if (options.ReloadOnChange)
            service.DisposeWith(new ModelDirectoryReloader(service, path, [ModelDirectory.ConfigFileName, ModelDirectory.WeightsFileName],
                directory => TextClassifier.Load(directory, parts: parts), options.ReloadInterval, logger));
        return service;
    }
}
