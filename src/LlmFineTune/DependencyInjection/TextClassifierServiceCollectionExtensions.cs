using LlmFineTune.Serving;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LlmFineTune.DependencyInjection;

/// <summary>Registers saved classifiers to serve from many threads.</summary>
public static class TextClassifierServiceCollectionExtensions
{
    /// <summary>
    /// Serves the model in a directory as a keyed singleton <see cref="TextClassificationService"/> named <paramref name="name"/>
    /// (inject it with <c>[FromKeyedServices("name")]</c>): loaded once, micro-batching concurrent requests.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The classifier's name (the service key and the options name).</param>
    /// <param name="configure">Sets the model path and batching; may be called again for the same name to add settings.</param>
    /// <returns>The same collection.</returns>
    /// <remarks>
    /// The options are validated at start-up (the directory must hold <c>config.json</c> and <c>model.safetensors</c>), and a hosted
    /// service loads every registered model when the host starts, logging the load time, so that a missing or corrupt model
    /// stops the host with a message naming the classifier, the path and the problem. Without a host, the model loads on first resolve.
    /// </remarks>
    public static IServiceCollection AddTextClassifier(this IServiceCollection services, string name, Action<TextClassifierOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        AddTextClassifier(services, name).Configure(configure);
        return services;
    }

    /// <summary>Serves the model in a directory as <see cref="AddTextClassifier(IServiceCollection, string, Action{TextClassifierOptions})"/> does, binding its options to a configuration section.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The classifier's name (the service key and the options name).</param>
    /// <param name="configuration">The section, for example <c>configuration.GetSection("Classifiers:spam")</c> with <c>ModelPath</c> and <c>Batching:MaxBatchSize</c>.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddTextClassifier(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        AddTextClassifier(services, name).Bind(configuration);
        return services;
    }

    private static OptionsBuilder<TextClassifierOptions> AddTextClassifier(IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var builder = services.AddOptions<TextClassifierOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TextClassifierOptions>, TextClassifierOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TextClassifierLoader>());
        services.TryAddKeyedSingleton(name, (sp, _) => TextClassifierLoader.Create(sp, name));
        ServiceMarkers.AddOnce(services, new ServedClassifier(name));
        return builder;
    }
}
