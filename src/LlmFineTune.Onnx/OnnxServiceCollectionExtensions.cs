using LlmFineTune.Modeling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LlmFineTune.Onnx;

/// <summary>Registers exported ONNX classifiers with dependency injection.</summary>
public static class OnnxServiceCollectionExtensions
{
    /// <summary>
    /// Serves the exported model in <paramref name="directory"/> as a keyed singleton named <paramref name="name"/>,
    /// both as <see cref="OnnxTextClassifier"/> and as <see cref="ITextClassifier"/> (so code written against the
    /// interface runs on ONNX Runtime or TorchSharp alike). It loads on first resolve; the container disposes it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The service key.</param>
    /// <param name="directory">A directory written by <c>ExportOnnx</c>.</param>
    /// <param name="options">Threading; defaults when null.</param>
    /// <returns>The same collection.</returns>
    public static IServiceCollection AddOnnxTextClassifier(this IServiceCollection services, string name, string directory, OnnxTextClassifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        services.TryAddKeyedSingleton(name, (_, _) => OnnxTextClassifier.Load(directory, options));
        services.TryAddKeyedSingleton<ITextClassifier>(name, (sp, key) => sp.GetRequiredKeyedService<OnnxTextClassifier>(key));
        return services;
    }
}
