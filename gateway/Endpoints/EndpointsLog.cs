using Gateway.Observability;

namespace Gateway.Endpoints;

internal static partial class EndpointsLog
{
    [LoggerMessage(LogEventIds.ReturnUrlRejected, LogLevel.Warning, "Refused a non-local return URL on {Endpoint}.")]
    public static partial void ReturnUrlRejected(this ILogger logger, string endpoint);

    [LoggerMessage(LogEventIds.SignInHintRejected, LogLevel.Information, "Refused a sign-in link: its {Parameter} parameter is not allowed or not valid.")]
    public static partial void SignInHintRejected(this ILogger logger, string parameter);

    [LoggerMessage(LogEventIds.SignOutFromOtherOriginRefused, LogLevel.Warning,
        "Refused a sign-out request from another origin ({Evidence}; this gateway is {PublicOrigin}): the user stays signed in. If this was the site's own page, check Gateway:PublicOrigin or Gateway:TrustedProxies.")]
    public static partial void SignOutFromOtherOriginRefused(this ILogger logger, string evidence, string publicOrigin);

    [LoggerMessage(LogEventIds.SignOutWithoutProofRefused, LogLevel.Information,
        "Refused a sign-out request that showed neither its origin (no Sec-Fetch-Site or Origin header) nor a valid anti-forgery token from the sign-out page: the user stays signed in.")]
    public static partial void SignOutWithoutProofRefused(this ILogger logger);

    [LoggerMessage(LogEventIds.SignOutStoreUnavailable, LogLevel.Warning, "Could not sign out user {Subject}: the session store (Redis) cannot be reached; the session and its cookie are kept and the user is asked to try again.")]
    public static partial void SignOutStoreUnavailable(this ILogger logger, string? subject);

    [LoggerMessage(LogEventIds.SignOutReturnKept, LogLevel.Debug, "Sign-out will return to {Target} after the provider's logout (kept in the sign-out return cookie).")]
    public static partial void SignOutReturnKept(this ILogger logger, string target);

    [LoggerMessage(LogEventIds.SignOutReturnFollowed, LogLevel.Debug, "Signed-out page: sending the user on to {Target}, where the sign-out started.")]
    public static partial void SignOutReturnFollowed(this ILogger logger, string target);

    [LoggerMessage(LogEventIds.SignOutReturnRefused, LogLevel.Information, "Signed-out page: ignored the sign-out return cookie because {Reason}; showing the signed-out page.")]
    public static partial void SignOutReturnRefused(this ILogger logger, string reason);

    [LoggerMessage(LogEventIds.SignOutReturnNotPossible, LogLevel.Warning,
        "A sign-out asked to return to a page afterwards, but the provider's logout returns to {SignOutUri}, not to the gateway's signed-out page {SignedOutPath}: the return is dropped. Set Gateway:Cognito:SignOutUri (or Gateway:Oidc:SignOutUri) to this gateway's {SignedOutPath} URL and allow it at the provider.")]
    public static partial void SignOutReturnNotPossible(this ILogger logger, string signOutUri, string signedOutPath);
}
