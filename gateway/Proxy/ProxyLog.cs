using Gateway.Observability;

namespace Gateway.Proxy;

internal static partial class ProxyLog
{
    [LoggerMessage(LogEventIds.SpoofedHeaderStripped, LogLevel.Warning, "Removed inbound header {HeaderName}: a backend could trust it, so only the gateway may set it (route {RouteId}).")]
    public static partial void SpoofedHeaderStripped(this ILogger logger, string headerName, string routeId);

    [LoggerMessage(LogEventIds.LiveConnectionClosed, LogLevel.Information, "Closed a {Kind} connection because its session ended ({Reason}); close frame 1008 sent: {CloseFrameSent} (user {Subject}).")]
    public static partial void LiveConnectionClosed(this ILogger logger, LiveConnectionKind kind, LiveConnectionEnd reason, bool closeFrameSent, string? subject);

    [LoggerMessage(LogEventIds.LiveConnectionCloseFailed, LogLevel.Warning, "Could not close a live connection cleanly ({Error}); it was cut instead.")]
    public static partial void LiveConnectionCloseFailed(this ILogger logger, string error);

    [LoggerMessage(LogEventIds.LiveConnectionRecheckFailed, LogLevel.Warning, "Could not check whether a changed session still lives ({Error}); its live connections stay open until the next signal, expiry or idle timeout.")]
    public static partial void LiveConnectionRecheckFailed(this ILogger logger, string error);

    [LoggerMessage(LogEventIds.AccessLogged, LogLevel.Information, "{ClientAddress} {Subject} \"{Method} {Path}\" {StatusCode} {Bytes} bytes {DurationMs} ms route={RouteId} trace={TraceId} time={Time}")]
    public static partial void AccessLogged(this ILogger logger, string time, string method, string path, string routeId, int statusCode, double durationMs, long bytes, string subject, string clientAddress, string traceId);
}
