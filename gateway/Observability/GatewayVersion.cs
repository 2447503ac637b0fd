using System.Reflection;

namespace Gateway.Observability;

/// <summary>The gateway's version, as <c>--version</c> prints it and the metrics resource carries it (<c>service.version</c>).</summary>
internal static class GatewayVersion
{
    public static string Text { get; } =
        typeof(GatewayVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(GatewayVersion).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
