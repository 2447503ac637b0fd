using Gateway.Observability;

namespace Gateway.Health;

internal static partial class HealthLog
{
    [LoggerMessage(LogEventIds.ManagementListening, LogLevel.Information, "Management listener (/healthz, /readyz, /metrics) on {Urls}.")]
    public static partial void ManagementListening(this ILogger logger, string urls);
}
