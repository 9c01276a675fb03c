using System.Diagnostics.Metrics;
using LlmFineTune.Modeling;
using LlmFineTune.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmFineTune.Onnx;

/// <summary>Registers exported ONNX classifiers with dependency injection.</summary>
public static class OnnxServiceCollectionExtensions
{
    /// <summary>
    /// Serves the exported model in <paramref name="directory"/> as keyed singletons named <paramref name="name"/>: the
    /// <see cref="OnnxTextClassifier"/>, the same instance as <see cref="ITextClassifier"/> (so code written against the
    /// interface runs on ONNX Runtime or TorchSharp alike), and a <see cref="TextClassificationService"/> over it that
    /// micro-batches concurrent requests with a bounded queue, timeouts and metrics, as <c>AddTextClassifier</c> does for a
    /// TorchSharp model (inject it with <c>[FromKeyedServices("name")]</c>; <see cref="TextClassifierHealthCheck.Registration"/>
    /// reports on it). The model loads on first resolve; the container disposes it.
    /// </summary>
    /// <remarks>
    /// With <see cref="OnnxTextClassifierOptions.ReloadOnChange"/> the service is the only registration: it loads the model, serves each
    /// new export written to <paramref name="directory"/> and disposes the one it retires, so a fixed <see cref="OnnxTextClassifier"/>
    /// singleton would soon be disposed. Inject the service and read <see cref="TextClassificationService.Model"/> for the current model.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The service key.</param>
    /// <param name="directory">A directory written by <c>ExportOnnx</c>.</param>
    /// <param name="options">Threading and batching; defaults when null. Checked here.</param>
    /// <returns>The same collection.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="OnnxTextClassifierOptions.IntraOpThreads"/> is negative, or <see cref="OnnxTextClassifierOptions.ReloadInterval"/> is outside 10 ms to 1 hour.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A batching option is out of range; the message names it.</exception>
    public static IServiceCollection AddOnnxTextClassifier(this IServiceCollection services, string name, string directory, OnnxTextClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new OnnxTextClassifierOptions();
        OnnxTextClassifier.Check(options);
        if (options.ReloadOnChange)
        {
            services.TryAddKeyedSingleton(name, (sp, _) => ServeAndWatch(sp, name, Path.GetFullPath(directory), options));
            return services;
        }
        services.TryAddKeyedSingleton(name, (_, _) => OnnxTextClassifier.Load(directory, options));
        services.TryAddKeyedSingleton<ITextClassifier>(name, (sp, key) => sp.GetRequiredKeyedService<OnnxTextClassifier>(key));
        // the container owns the classifier (and disposes the service, created after it, first)
        services.TryAddKeyedSingleton(name, (sp, key) => new TextClassificationService(sp.GetRequiredKeyedService<OnnxTextClassifier>(key), options.Batching, ownsModel: false,
            Logger(sp), name, sp.GetService<IMeterFactory>()));
        return services;
    }

    /// <summary>Serves the export in <paramref name="directory"/> (a full path) and reloads it when it changes; the service owns every model it serves.</summary>
    private static TextClassificationService ServeAndWatch(IServiceProvider services, string name, string directory, OnnxTextClassifierOptions options)
    {
        var logger = Logger(services);
        var service = new TextClassificationService(OnnxTextClassifier.Load(directory, options), options.Batching, ownsModel: true, logger, name, services.GetService<IMeterFactory>());
        service.DisposeWith(Watch(service, directory, options, logger));
        return service;
    }

    /// <summary>Starts watching an export served by <paramref name="service"/>: a new <c>config.json</c> or <c>model.onnx</c> is loaded and swapped in.</summary>
    internal static ModelDirectoryReloader Watch(TextClassificationService service, string directory, OnnxTextClassifierOptions options, ILogger logger) =>
        new(service, directory, [OnnxTextClassifier.ConfigFileName, OnnxTextClassifier.ModelFileName], path => OnnxTextClassifier.Load(path, options), options.ReloadInterval, logger);

    private static ILogger Logger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger(typeof(TextClassificationService).FullName!) ?? NullLogger.Instance;
}
