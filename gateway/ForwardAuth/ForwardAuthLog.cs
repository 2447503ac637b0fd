using Gateway.Observability;

namespace Gateway.ForwardAuth;

internal static partial class ForwardAuthLog
{
    [LoggerMessage(LogEventIds.ForwardAuthDenied, LogLevel.Information, "Forward-auth denied user {Subject}: policy {PolicyName} not met.")]
    public static partial void ForwardAuthDenied(this ILogger logger, string? subject, string policyName);

    [LoggerMessage(LogEventIds.ForwardAuthUnknownPolicy, LogLevel.Warning, "Forward-auth request named an unknown policy '{PolicyName}'; fix the proxy's auth URL.")]
    public static partial void ForwardAuthUnknownPolicy(this ILogger logger, string policyName);
}
