using Gateway.Observability;

namespace Gateway.Endpoints;

internal static partial class EndpointsLog
{
    [LoggerMessage(LogEventIds.ReturnUrlRejected, LogLevel.Warning, "Refused a non-local return URL on {Endpoint}.")]
    public static partial void ReturnUrlRejected(this ILogger logger, string endpoint);

    [LoggerMessage(LogEventIds.SignInHintRejected, LogLevel.Information, "Refused a sign-in link: its {Parameter} parameter is not allowed or not valid.")]
    public static partial void SignInHintRejected(this ILogger logger, string parameter);

    [LoggerMessage(LogEventIds.SignOutStoreUnavailable, LogLevel.Warning, "Could not sign out user {Subject}: the session store (Redis) cannot be reached; the session and its cookie are kept and the user is asked to try again.")]
    public static partial void SignOutStoreUnavailable(this ILogger logger, string? subject);
}
