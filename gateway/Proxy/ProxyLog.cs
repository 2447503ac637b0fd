using Gateway.Observability;

namespace Gateway.Proxy;

internal static partial class ProxyLog
{
    [LoggerMessage(LogEventIds.SpoofedHeaderStripped, LogLevel.Warning, "Removed inbound header {HeaderName}: a backend could trust it, so only the gateway may set it (route {RouteId}).")]
    public static partial void SpoofedHeaderStripped(this ILogger logger, string headerName, string routeId);

    [LoggerMessage(LogEventIds.BackendFailed, LogLevel.Warning, "The backend of route {RouteId} failed: {Error}.")]
    public static partial void BackendFailed(this ILogger logger, string routeId, string error);
}
