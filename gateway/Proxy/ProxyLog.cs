using Gateway.Observability;

namespace Gateway.Proxy;

internal static partial class ProxyLog
{
    [LoggerMessage(LogEventIds.SpoofedHeaderStripped, LogLevel.Warning, "Removed inbound header {HeaderName}: a backend could trust it, so only the gateway may set it (route {RouteId}).")]
    public static partial void SpoofedHeaderStripped(this ILogger logger, string headerName, string routeId);
}
