using Gateway.Observability;

namespace Gateway.ForwardAuth;

internal static partial class ForwardAuthLog
{
    [LoggerMessage(LogEventIds.ForwardAuthDenied, LogLevel.Information, "Forward-auth denied user {Subject}: policy {PolicyName} not met.")]
    public static partial void ForwardAuthDenied(this ILogger logger, string? subject, string policyName);

    [LoggerMessage(LogEventIds.ForwardAuthUnknownPolicy, LogLevel.Warning, "Forward-auth request named an unknown policy '{PolicyName}'; fix the proxy's auth URL.")]
    public static partial void ForwardAuthUnknownPolicy(this ILogger logger, string policyName);

    [LoggerMessage(LogEventIds.ForwardAuthUntrustedCaller, LogLevel.Error,
        "Configuration error: forward-auth request from {Address} names the original request (X-Forwarded-Uri, X-Original-URI or X-Forwarded-Method), " +
        "but {Address} is not in Gateway:TrustedProxies, so the gateway cannot know which route's rules apply and answers 403. " +
        "Add the proxy's address (or network) to Gateway:TrustedProxies. Logged once per address.")]
    public static partial void ForwardAuthUntrustedCaller(this ILogger logger, string address);
}
