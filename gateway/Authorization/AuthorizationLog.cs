using Gateway.Observability;

namespace Gateway.Authorization;

internal static partial class AuthorizationLog
{
    [LoggerMessage(LogEventIds.PoliciesReloaded, LogLevel.Information, "Configuration reloaded: {PolicyCount} named policies in force.")]
    public static partial void PoliciesReloaded(this ILogger logger, int policyCount);

    [LoggerMessage(LogEventIds.ConfigurationReloadRejected, LogLevel.Error, "Configuration reload rejected, the previous policies stay in force: {Problem}")]
    public static partial void ConfigurationReloadRejected(this ILogger logger, string problem);
}
