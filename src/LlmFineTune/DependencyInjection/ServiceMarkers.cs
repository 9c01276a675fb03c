using Microsoft.Extensions.DependencyInjection;

namespace LlmFineTune.DependencyInjection;

/// <summary>Registers marker records (what was registered under which name) once each, however often the registration method runs.</summary>
internal static class ServiceMarkers
{
    public static void AddOnce<T>(IServiceCollection services, T marker)
        where T : class, IEquatable<T>
    {
        if (!services.Any(d => !d.IsKeyedService && d.ImplementationInstance is T known && known.Equals(marker)))
            services.AddSingleton(marker);
    }
}
