using System.Diagnostics.Metrics;
using LlmFineTune.Modeling;
using LlmFineTune.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

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
    /// <param name="services">The service collection.</param>
    /// <param name="name">The service key.</param>
    /// <param name="directory">A directory written by <c>ExportOnnx</c>.</param>
    /// <param name="options">Threading and batching; defaults when null. Checked here.</param>
    /// <returns>The same collection.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="OnnxTextClassifierOptions.IntraOpThreads"/> is negative.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A batching option is out of range; the message names it.</exception>
    public static IServiceCollection AddOnnxTextClassifier(this IServiceCollection services, string name, string directory, OnnxTextClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new OnnxTextClassifierOptions();
        OnnxTextClassifier.Check(options);
        services.TryAddKeyedSingleton(name, (_, _) => OnnxTextClassifier.Load(directory, options));
        services.TryAddKeyedSingleton<ITextClassifier>(name, (sp, key) => sp.GetRequiredKeyedService<OnnxTextClassifier>(key));
        // the container owns the classifier (and disposes the service, created after it, first)
        services.TryAddKeyedSingleton(name, (sp, key) => new TextClassificationService(sp.GetRequiredKeyedService<OnnxTextClassifier>(key), options.Batching, ownsModel: false,
            sp.GetService<ILoggerFactory>()?.CreateLogger(typeof(TextClassificationService).FullName!), name, sp.GetService<IMeterFactory>()));
        return services;
    }
}
