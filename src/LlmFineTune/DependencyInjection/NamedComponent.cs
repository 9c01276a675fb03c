using Microsoft.Extensions.DependencyInjection;

namespace LlmFineTune.DependencyInjection;

/// <summary>Records that a keyed service of <paramref name="Service"/> is registered under <paramref name="Name"/>, so that a failed lookup can list the valid names.</summary>
internal sealed record NamedComponent(Type Service, string Name)
{
    public static void Register<T>(IServiceCollection services, string name) =>
        ServiceMarkers.AddOnce(services, new NamedComponent(typeof(T), name));

    public static IReadOnlyList<string> Names<T>(IServiceProvider services) =>
        services.GetServices<NamedComponent>().Where(c => c.Service == typeof(T)).Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList();

    /// <exception cref="InvalidOperationException">Nothing is registered under <paramref name="name"/>; the message names the option and the valid names.</exception>
    public static T Resolve<T>(IServiceProvider services, string name, string option)
        where T : class =>
        services.GetKeyedService<T>(name)
        ?? throw new InvalidOperationException($"{option} is '{name}', but no {typeof(T).Name} is registered under that name. Registered: {string.Join(", ", Names<T>(services))}.");
}
