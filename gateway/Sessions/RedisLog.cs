using Gateway.Observability;

namespace Gateway.Sessions;

internal static partial class RedisLog
{
    [LoggerMessage(LogEventIds.RedisUnavailable, LogLevel.Error, "Redis cannot be reached ({Error}): requests that need a stored session get 503 at once, and Redis is tried again every {BreakDuration}.")]
    public static partial void RedisUnavailable(this ILogger logger, string error, TimeSpan breakDuration);

    [LoggerMessage(LogEventIds.RedisRecovered, LogLevel.Information, "Redis answers again after an outage of {Outage}; stored sessions are served again.")]
    public static partial void RedisRecovered(this ILogger logger, TimeSpan outage);
}
