using Gateway.Observability;

namespace Gateway.Authentication;

internal static partial class AuthenticationLog
{
    [LoggerMessage(LogEventIds.UserSignedIn, LogLevel.Information, "User {Subject} signed in.")]
    public static partial void UserSignedIn(this ILogger logger, string? subject);

    [LoggerMessage(LogEventIds.SignInFailed, LogLevel.Warning, "Sign-in failed at the callback ({Reason}): {Detail}")]
    public static partial void SignInFailed(this ILogger logger, string reason, string detail);

    [LoggerMessage(LogEventIds.RevocationFailed, LogLevel.Warning, "Could not revoke the refresh token of user {Subject} at sign-out: {Detail}")]
    public static partial void RevocationFailed(this ILogger logger, string? subject, string detail);

    [LoggerMessage(LogEventIds.UserSignedOut, LogLevel.Information, "User {Subject} signed out (refresh token revoked: {Revoked}).")]
    public static partial void UserSignedOut(this ILogger logger, string? subject, bool revoked);

    [LoggerMessage(Observability.LogEventIds.SessionTooLarge, LogLevel.Warning, "Refused to create a {Size}-byte cookie session for user {Subject} (limit Gateway:Session:MaxCookieBytes = {Limit}).")]
    public static partial void SessionTooLarge(this ILogger logger, string? subject, int size, int limit);

    [LoggerMessage(LogEventIds.InsecureSignInRefused, LogLevel.Warning, "Refused to start sign-in: the callback URL would be {RedirectUri}, plain http on a non-loopback host. Set Gateway:PublicOrigin or Gateway:TrustedProxies.")]
    public static partial void InsecureSignInRefused(this ILogger logger, string redirectUri);

    [LoggerMessage(LogEventIds.BearerTokenRejected, LogLevel.Information, "Refused a bearer token on {Path}: {Reason}")]
    public static partial void BearerTokenRejected(this ILogger logger, string path, string reason);

    [LoggerMessage(LogEventIds.PostPreserved, LogLevel.Information, "Kept a form post ({Fields} fields, {Bytes} bytes) through the sign-in it started.")]
    public static partial void PostPreserved(this ILogger logger, int fields, int bytes);

    [LoggerMessage(LogEventIds.PostNotPreserved, LogLevel.Information, "A form post without a session could not be kept ({Reason}); the browser was told to submit it again after signing in.")]
    public static partial void PostNotPreserved(this ILogger logger, string reason);

    [LoggerMessage(LogEventIds.PreservedPostReplayed, LogLevel.Information, "Sent a kept form post ({Fields} fields) back to the browser of user {Subject} for re-submission.")]
    public static partial void PreservedPostReplayed(this ILogger logger, string? subject, int fields);

    [LoggerMessage(LogEventIds.PreservedPostUnavailable, LogLevel.Information, "A kept form post was asked for but is gone (used, expired, or another browser's).")]
    public static partial void PreservedPostUnavailable(this ILogger logger);

    [LoggerMessage(LogEventIds.PreservedPostStoreFailed, LogLevel.Warning, "The store for kept form posts (Redis) failed ({Error}).")]
    public static partial void PreservedPostStoreFailed(this ILogger logger, string error);
}
