using Gateway.Observability;

namespace Gateway.Errors;

internal static partial class ErrorsLog
{
    [LoggerMessage(LogEventIds.UnhandledException, LogLevel.Error, "Request failed with an unexpected error.")]
    public static partial void UnhandledException(this ILogger logger, Exception exception);

    [LoggerMessage(LogEventIds.BackendFailed, LogLevel.Warning, "The backend of route {RouteId} failed: {Error} ({Cause}).")]
    public static partial void BackendFailed(this ILogger logger, string routeId, string error, string cause);
}
