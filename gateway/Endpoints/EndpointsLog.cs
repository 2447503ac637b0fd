using Gateway.Observability;

namespace Gateway.Endpoints;

internal static partial class EndpointsLog
{
    [LoggerMessage(LogEventIds.ReturnUrlRejected, LogLevel.Warning, "Refused a non-local return URL on {Endpoint}.")]
    public static partial void ReturnUrlRejected(this ILogger logger, string endpoint);

    [LoggerMessage(LogEventIds.SignInHintRejected, LogLevel.Information, "Refused a sign-in link: its {Parameter} parameter is not allowed or not valid.")]
    public static partial void SignInHintRejected(this ILogger logger, string parameter);
}
